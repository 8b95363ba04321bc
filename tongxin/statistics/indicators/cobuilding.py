"""Co-building (联建共建): partner units, alliances, pairings and agreements, joint meetings and their
decisions, the three lists and the annual duties (实事, 书记项目)."""

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.lists.models import Need, NeedStatus, Project, ProjectKind, ProjectStatus, Resource
from tongxin.meetings.models import Decision, FollowUpTask, Meeting, MeetingStatus, TaskStatus
from tongxin.meetings.selectors import due_periods
from tongxin.partners.models import Agreement, Alliance, AllianceKind, AllianceMember, Pairing, PartnerUnit
from tongxin.statistics.indicators._helpers import NOW, both, during, in_force, labels, ratio
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, memoized, register, section

S = section("cobuilding", _("Co-building"))
V = Capability.PARTNERS_VIEW

units = Source("partner_units", lambda: PartnerUnit.objects.all(), "region__path", V)
alliances = Source("alliances", lambda: Alliance.objects.all(), "region__path", V)
alliance_members = Source(
    "alliance_members",
    lambda: AllianceMember.objects.select_related("alliance", "unit", "organisation"),
    "alliance__region__path",
    V,
)
pairings = Source("pairings", lambda: Pairing.objects.select_related("unit", "region"), "region__path", V)
agreements = Source(
    "agreements", lambda: Agreement.objects.select_related("pairing__unit"), "pairing__region__path", V
)
meetings = Source("joint_meetings", lambda: Meeting.objects.all(), "region__path", V)
decisions = Source(
    "decisions", lambda: Decision.objects.select_related("meeting"), "meeting__region__path", V
)
tasks = Source(
    "tasks", lambda: FollowUpTask.objects.select_related("decision"), "decision__meeting__region__path", V
)
needs = Source("needs", lambda: Need.objects.select_related("region"), "region__path", V)
resources = Source("resources", lambda: Resource.objects.select_related("unit"), "unit__region__path", V)
projects = Source("projects", lambda: Project.objects.select_related("region"), "region__path", V)


def _joined(p: Period) -> Q:
    return Q(active=True) & (Q(joined_on__isnull=True) | Q(joined_on__lte=p.until))


listed = during("created_at")


def _rhythm(node: Any, p: Period) -> tuple[list[Any], list[Any]]:
    """Alliances of the node with a joint meeting due in a window (their meeting interval, counted
    from 1 January) that lies inside the period and has ended; and those that met in every one."""

    today = timezone.localdate()
    due, kept = [], []
    alliance_list = alliances.rows(node).filter(active=True, founded_on__lte=p.until).order_by("pk")
    for alliance in alliance_list:
        windows = [
            (start, end)
            for year in range(p.since.year, p.until.year + 1)
            for start, end in due_periods(alliance, year, today)
            if start >= p.since and end <= p.until + timedelta(days=1)
        ]
        if not windows:
            continue
        due.append(alliance)
        held = [
            timezone.localdate(at)
            for at in Meeting.objects.filter(
                alliance=alliance, status=MeetingStatus.HELD, held_at__gte=p.start, held_at__lt=p.end
            ).values_list("held_at", flat=True)
        ]
        if all(any(start <= day < end for day in held) for start, end in windows):
            kept.append(alliance)
    return due, kept


def _rhythm_due(node: Any, p: Period) -> list[Any]:
    return memoized(("rhythm", node.pk, p.since, p.until), lambda: _rhythm(node, p))[0]


def _rhythm_kept(node: Any, p: Period) -> list[Any]:
    return memoized(("rhythm", node.pk, p.since, p.until), lambda: _rhythm(node, p))[1]


register(
    Indicator(
        code="cobuilding.units",
        section=S,
        name=_("Partner units"),
        unit=pgettext_lazy("unit of a figure", "units"),
        definition=_(
            "Active partner units (共建单位) registered in the area that joined by the end of the period."
        ),
        source=units,
        where=_joined,
        stock=True,
        headline=True,
    ),
    Indicator(
        code="cobuilding.red_property",
        section=S,
        name=_("Party-led property firms (红色物业)"),
        unit=pgettext_lazy("unit of a figure", "units"),
        definition=_("Active partner units marked as Party-led property services."),
        source=units,
        where=both(_joined, Q(red_property=True)),
        stock=True,
    ),
    Indicator(
        code="cobuilding.alliances",
        section=S,
        name=_("Alliances and 大党委"),
        unit=pgettext_lazy("unit of a figure", "alliances"),
        definition=_(
            "Active 大党委, 党建联盟 and 党建联合体 serving the area, founded by the end of the period."
        ),
        source=alliances,
        where=lambda p: Q(active=True, founded_on__lte=p.until),
        stock=True,
        group_by="kind",
        group_label=labels(AllianceKind),
    ),
    Indicator(
        code="cobuilding.alliance_members",
        section=S,
        name=_("Member organisations of alliances"),
        unit=pgettext_lazy("unit of a figure", "members"),
        definition=_("Seats held on the area's alliances and 大党委 on the last day of the period."),
        source=alliance_members,
        where=in_force("joined_on", "left_on"),
        stock=True,
        targeted=True,
    ),
    Indicator(
        code="cobuilding.pairings",
        section=S,
        name=_("Pairings in force"),
        unit=pgettext_lazy("unit of a figure", "pairings"),
        definition=_(
            "Pairings of a partner unit with a community or street of the area in force on the last day."
        ),
        source=pairings,
        where=in_force("started_on", "ended_on"),
        stock=True,
    ),
    Indicator(
        code="cobuilding.agreements",
        section=S,
        name=_("Agreements in force"),
        unit=pgettext_lazy("unit of a figure", "agreements"),
        definition=_(
            "Signed co-building agreements (共建协议) whose term covers the last day of the period."
        ),
        source=agreements,
        where=lambda p: Q(starts_on__lte=p.until, ends_on__gte=p.until),
        stock=True,
    ),
    Indicator(
        code="cobuilding.meetings_held",
        section=S,
        name=_("Joint meetings held"),
        unit=pgettext_lazy("unit of a figure", "meetings"),
        definition=_("Joint meetings and deliberation councils (联席会议、议事会) held in the period."),
        source=meetings,
        where=both(during("held_at"), Q(status=MeetingStatus.HELD)),
        trend=True,
        month_field="held_at",
        headline=True,
    ),
    Indicator(
        code="cobuilding.alliances_due",
        section=S,
        kind="computed",
        name=_("Alliances with joint meetings due"),
        unit=pgettext_lazy("unit of a figure", "alliances"),
        definition=_(
            "Active alliances and 大党委 of the area whose meeting interval asked for a joint meeting in a "
            "window that lies inside the period and has ended."
        ),
        compute=_rhythm_due,
        capability=V,
        source=alliances,
    ),
    Indicator(
        code="cobuilding.alliances_on_rhythm",
        section=S,
        kind="computed",
        name=_("Alliances meeting at their interval"),
        unit=pgettext_lazy("unit of a figure", "alliances"),
        definition=_(
            "Alliances with meetings due that held a joint meeting in every window due in the period."
        ),
        compute=_rhythm_kept,
        capability=V,
        source=alliances,
    ),
    ratio(
        code="cobuilding.meeting_rhythm",
        section=S,
        name=_("Joint meetings held as due"),
        definition=_(
            "Alliances meeting at their interval ÷ alliances with joint meetings due in the period."
        ),
        numerator="cobuilding.alliances_on_rhythm",
        denominator="cobuilding.alliances_due",
    ),
    Indicator(
        code="cobuilding.decisions",
        section=S,
        name=_("Meeting decisions"),
        unit=pgettext_lazy("unit of a figure", "decisions"),
        definition=_("Decisions recorded at joint meetings in the period."),
        source=decisions,
        where=during("created_at"),
    ),
    Indicator(
        code="cobuilding.tasks",
        section=S,
        name=_("Follow-up tasks due"),
        unit=pgettext_lazy("unit of a figure", "tasks"),
        definition=_("Tasks from meeting decisions due in the period."),
        source=tasks,
        where=lambda p: Q(due_on__gte=p.since, due_on__lte=p.until),
    ),
    Indicator(
        code="cobuilding.tasks_done",
        section=S,
        name=_("Follow-up tasks done"),
        unit=pgettext_lazy("unit of a figure", "tasks"),
        definition=_("Tasks due in the period that are done."),
        source=tasks,
        where=lambda p: Q(due_on__gte=p.since, due_on__lte=p.until, status=TaskStatus.DONE),
    ),
    ratio(
        code="cobuilding.tasks_done_share",
        section=S,
        name=_("Share of tasks done"),
        definition=_("Tasks done ÷ tasks due in the period."),
        numerator="cobuilding.tasks_done",
        denominator="cobuilding.tasks",
    ),
    Indicator(
        code="cobuilding.needs",
        section=S,
        name=_("Needs listed"),
        unit=pgettext_lazy("unit of a figure", "needs"),
        definition=_("Needs published on the 需求清单 in the period (withdrawn ones included)."),
        source=needs,
        where=listed,
        trend=True,
        month_field="created_at",
        headline=True,
    ),
    Indicator(
        code="cobuilding.needs_claimed",
        section=S,
        name=_("Needs claimed"),
        unit=pgettext_lazy("unit of a figure", "needs"),
        definition=_("Needs listed in the period that a unit has claimed (认领) since."),
        source=needs,
        where=both(listed, Q(claimed_at__isnull=False)),
    ),
    Indicator(
        code="cobuilding.needs_met",
        section=S,
        name=_("Needs met"),
        unit=pgettext_lazy("unit of a figure", "needs"),
        definition=_("Needs listed in the period that are met."),
        source=needs,
        where=both(listed, Q(status=NeedStatus.DONE)),
    ),
    ratio(
        code="cobuilding.needs_claimed_share",
        section=S,
        name=_("Share of needs claimed"),
        definition=_("Needs claimed ÷ needs listed in the period."),
        numerator="cobuilding.needs_claimed",
        denominator="cobuilding.needs",
    ),
    Indicator(
        code="cobuilding.resources",
        section=S,
        name=_("Resources offered"),
        unit=pgettext_lazy("unit of a figure", "resources"),
        definition=_("Resources on the 资源清单 of the area's partner units that are available today."),
        source=resources,
        where=lambda p: Q(available=True),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="cobuilding.projects",
        section=S,
        name=_("Projects under way or delivered"),
        unit=pgettext_lazy("unit of a figure", "projects"),
        definition=_(
            "Projects on the 项目清单 delivered in the area that started by the end of the period and were "
            "not cancelled, delivered before it or still under way."
        ),
        source=projects,
        where=lambda p: (
            Q(starts_on__lte=p.until)
            & ~Q(status=ProjectStatus.CANCELLED)
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=p.start))
        ),
    ),
    Indicator(
        code="cobuilding.projects_delivered",
        section=S,
        name=_("Projects delivered"),
        unit=pgettext_lazy("unit of a figure", "projects"),
        definition=_("Projects delivered (closed with their result) in the period."),
        source=projects,
        where=both(during("closed_at"), Q(status=ProjectStatus.CLOSED)),
        trend=True,
        month_field="closed_at",
    ),
    Indicator(
        code="cobuilding.practical_done",
        section=S,
        name=_("实事 delivered"),
        unit=pgettext_lazy("unit of a figure", "projects"),
        definition=_("Practical things for the people (实事) delivered in the period."),
        source=projects,
        where=both(during("closed_at"), Q(status=ProjectStatus.CLOSED, kind=ProjectKind.PRACTICAL)),
    ),
    Indicator(
        code="cobuilding.secretary_projects",
        section=S,
        name=_("书记项目 claimed"),
        unit=pgettext_lazy("unit of a figure", "projects"),
        definition=_("Secretaries' projects (书记项目) under way or delivered in the period."),
        source=projects,
        where=lambda p: (
            Q(kind=ProjectKind.SECRETARY, starts_on__lte=p.until)
            & ~Q(status=ProjectStatus.CANCELLED)
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=p.start))
        ),
        targeted=True,
    ),
    Indicator(
        code="cobuilding.secretary_done",
        section=S,
        name=_("书记项目 delivered"),
        unit=pgettext_lazy("unit of a figure", "projects"),
        definition=_("Secretaries' projects delivered in the period."),
        source=projects,
        where=both(during("closed_at"), Q(status=ProjectStatus.CLOSED, kind=ProjectKind.SECRETARY)),
    ),
)
