"""Party life: 三会一课, the development pipeline, mobile members and training."""

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.organisations.models import PartyOrganisation
from tongxin.partylife.models import (
    DevelopmentFile,
    DevelopmentStep,
    MobileMember,
    PartyMeeting,
    PartyMeetingKind,
    StepKind,
    TrainingAttendance,
    TrainingClass,
)
from tongxin.partylife.selectors import compliance
from tongxin.statistics.indicators._helpers import NOW, both, labels, on_days, ratio
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, memoized, register, section

S = section("partylife", _("Party life"))
V = Capability.PARTYLIFE_VIEW

meetings = Source(
    "party_meetings",
    lambda: PartyMeeting.objects.select_related("organisation"),
    "organisation__region__path",
    V,
)
branches = Source("branches", lambda: PartyOrganisation.objects.all(), "region__path", V)
files = Source(
    "development_files",
    lambda: DevelopmentFile.objects.select_related("person", "branch"),
    "branch__region__path",
    V,
)
steps = Source(
    "development_steps",
    lambda: DevelopmentStep.objects.select_related("file__person"),
    "file__branch__region__path",
    V,
)
mobile = Source(
    "mobile_members", lambda: MobileMember.objects.select_related("person"), "branch__region__path", V
)
classes = Source("training_classes", lambda: TrainingClass.objects.all(), "organisation__region__path", V)
attendance = Source(
    "training_attendance",
    lambda: TrainingAttendance.objects.select_related("session__training", "person"),
    "session__training__organisation__region__path",
    V,
)


def _compliance(node: Any, p: Period, *, behind: bool) -> list[Any]:
    """Branches (with meetings due) behind on 三会一课 in a month or quarter that ended inside the period,
    or, with behind=False, every branch with meetings due in such a column."""
    due, late = memoized(("compliance", node.pk, p.since, p.until), lambda: _due_and_behind(node, p))
    return late if behind else due


def _due_and_behind(node: Any, p: Period) -> tuple[list[Any], list[Any]]:

    today = timezone.localdate()
    due: dict[int, Any] = {}
    late: dict[int, Any] = {}
    for year in range(p.since.year, p.until.year + 1):
        rows = compliance(_Everyone(), year=year, view="quarter", region=node, today=today)
        for row in rows:
            cells = [
                c for c in row.cells if c.due and c.last >= p.since and c.first <= p.until and c.last < today
            ]
            if not cells:
                continue
            due[row.branch.pk] = row.branch
            if any(c.state == "behind" for c in cells):
                late[row.branch.pk] = row.branch
    return [due[k] for k in sorted(due)], [late[k] for k in sorted(late)]


class _Everyone:
    """Stands in for a user whose scope is the whole tree: callers pass a node already in scope."""

    is_authenticated = True
    pk = None
    _tongxin_roles = [("county_org", "/")]


def _behind(node: Any, p: Period) -> list[Any]:
    return _compliance(node, p, behind=True)


def _due(node: Any, p: Period) -> list[Any]:
    return _compliance(node, p, behind=False)


def _on_track(node: Any, p: Period) -> list[Any]:
    late = {b.pk for b in _behind(node, p)}
    return [b for b in _due(node, p) if b.pk not in late]


def _away(p: Period) -> Q:
    return Q(left_on__lte=p.until) & (Q(returned_on__isnull=True) | Q(returned_on__gt=p.until))


register(
    Indicator(
        code="partylife.meetings",
        section=S,
        name=_("三会一课 held"),
        unit=pgettext_lazy("unit of a figure", "meetings"),
        definition=_(
            "Branch committee meetings, group meetings, general meetings and Party lectures "
            "held in the period."
        ),
        source=meetings,
        where=on_days("held_on"),
        group_by="kind",
        group_label=labels(PartyMeetingKind),
        trend=True,
    ),
    Indicator(
        code="partylife.branches_due",
        section=S,
        kind="computed",
        name=_("Branches with 三会一课 due"),
        unit=pgettext_lazy("unit of a figure", "branches"),
        definition=_(
            "Branches for which a month or quarter that ended inside the period asked for meetings."
        ),
        compute=_due,
        capability=V,
        source=branches,
    ),
    Indicator(
        code="partylife.branches_on_track",
        section=S,
        kind="computed",
        name=_("Branches keeping 三会一课"),
        unit=pgettext_lazy("unit of a figure", "branches"),
        definition=_(
            "Branches that held every meeting their frequencies asked for in each quarter "
            "ended in the period."
        ),
        compute=_on_track,
        capability=V,
        source=branches,
    ),
    ratio(
        code="partylife.compliance",
        section=S,
        name=_("三会一课 compliance"),
        definition=_(
            "Branches keeping 三会一课 ÷ branches with meetings due, over the quarters ended in the period."
        ),
        numerator="partylife.branches_on_track",
        denominator="partylife.branches_due",
        headline=True,
    ),
    Indicator(
        code="partylife.development_open",
        section=S,
        name=_("Development files open"),
        unit=pgettext_lazy("unit of a figure", "files"),
        definition=_("Open files of the development pipeline (入党申请人 to 预备党员) today, by stage."),
        source=files,
        where=lambda p: Q(closed=False),
        stock=True,
        group_by="stage",
        group_label=labels(StepKind),
        tags=NOW,
    ),
    Indicator(
        code="partylife.development_warnings",
        section=S,
        name=_("Development files breaking a rule"),
        unit=pgettext_lazy("unit of a figure", "files"),
        definition=_("Open development files that break a time rule today (a step late or too early)."),
        source=files,
        where=lambda p: Q(closed=False, broken=True),
        stock=True,
        higher_is_better=False,
        tags=NOW,
    ),
    Indicator(
        code="partylife.admitted",
        section=S,
        name=_("New members admitted (发展党员)"),
        unit=pgettext_lazy("unit of a figure", "people"),
        definition=_(
            "Applicants admitted as probationary members by a branch general meeting in the period. Set a "
            "target (the development plan) to see the share."
        ),
        source=steps,
        where=both(on_days("on"), Q(kind=StepKind.BRANCH_MEETING)),
        targeted=True,
    ),
    Indicator(
        code="partylife.mobile_away",
        section=S,
        name=_("Mobile members away"),
        unit=pgettext_lazy("unit of a figure", "people"),
        definition=_(
            "Members of the area's branches working or living away (流动党员) on the last day of the period."
        ),
        source=mobile,
        where=_away,
        stock=True,
    ),
    Indicator(
        code="partylife.training_classes",
        section=S,
        name=_("Training classes"),
        unit=pgettext_lazy("unit of a figure", "classes"),
        definition=_("Training classes of the area's organisations running at some time in the period."),
        source=classes,
        where=lambda p: Q(starts_on__lte=p.until, ends_on__gte=p.since),
    ),
    Indicator(
        code="partylife.training_hours",
        section=S,
        kind="sum",
        name=_("Class hours attended"),
        unit=pgettext_lazy("unit of a figure", "hours"),
        definition=_(
            "Class hours of the training sessions held in the period, summed over each person who attended."
        ),
        source=attendance,
        where=on_days("session__on"),
        sum_field="session__hours",
    ),
)
