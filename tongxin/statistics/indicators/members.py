"""Members in the community: 双报到, service records and hours, activities and attendance, teams."""

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.activities.models import Activity, ActivityKind, ActivityStatus, Callout, SignUp, Team, TeamKind
from tongxin.core.roles import Capability
from tongxin.members.models import MemberReport, ServiceEntry, UnitReport
from tongxin.people.models import Person
from tongxin.statistics.indicators._helpers import NOW, both, during, labels, on_days
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, register, section

S = section("members", _("Members"))
V = Capability.MEMBERS_VIEW

reports = Source(
    "member_reports", lambda: MemberReport.objects.select_related("person", "community"), "community__path", V
)
unit_reports = Source("unit_reports", lambda: UnitReport.objects.select_related("unit"), "community__path", V)
services = Source("service_entries", lambda: ServiceEntry.objects.select_related("person"), "region__path", V)
activities = Source("activities", lambda: Activity.objects.all(), "region__path", V)
attendance = Source(
    "attendance", lambda: SignUp.objects.select_related("activity", "person"), "activity__region__path", V
)
teams = Source("teams", lambda: Team.objects.all(), "region__path", V)
callouts = Source("callouts", lambda: Callout.objects.select_related("team", "case"), "team__region__path", V)
people = Source("members_people", lambda: Person.objects.all(), "region__path", V)


def _reported(p: Period) -> Q:
    return Q(reported_on__lte=p.until) & (Q(ended_on__isnull=True) | Q(ended_on__gt=p.until))


def _two_services(node: Any, p: Period) -> list[Any]:
    """Members with at least two recorded services in the area during the period."""
    ids = (
        services.rows(node)
        .filter(on__gte=p.since, on__lte=p.until)
        .values("person_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=list(ids)).order_by("pk"))


register(
    Indicator(
        code="members.reported",
        section=S,
        name=_("Members reported (双报到)"),
        unit=pgettext_lazy("unit of a figure", "people"),
        definition=_(
            "In-service members whose report to a community of the area is in force on the last day of the "
            "period. Set a target (members expected to report) to see the share."
        ),
        source=reports,
        where=_reported,
        stock=True,
        targeted=True,
        headline=True,
    ),
    Indicator(
        code="members.reported_new",
        section=S,
        name=_("Members newly reported"),
        unit=pgettext_lazy("unit of a figure", "people"),
        definition=_("Members who first reported to a community of the area in the period."),
        source=reports,
        where=on_days("reported_on"),
        trend=True,
        month_field="reported_on",
    ),
    Indicator(
        code="members.unit_reports",
        section=S,
        name=_("Units reported"),
        unit=pgettext_lazy("unit of a figure", "units"),
        definition=_(
            "Party organisations of partner units whose report to a community of the area is in force."
        ),
        source=unit_reports,
        where=lambda p: Q(reported_on__lte=p.until) & (Q(ended_on__isnull=True) | Q(ended_on__gt=p.until)),
        stock=True,
    ),
    Indicator(
        code="members.services",
        section=S,
        name=_("Services recorded"),
        unit=pgettext_lazy("unit of a figure", "services"),
        definition=_(
            "Entries of members' service records dated in the period, in the area where the service took "
            "place; each comes from a verified outcome (attendance confirmed, case solved, milestone "
            "accepted)."
        ),
        source=services,
        where=on_days("on"),
        trend=True,
        month_field="on",
        headline=True,
    ),
    Indicator(
        code="members.service_hours",
        section=S,
        kind="sum",
        name=_("Service hours"),
        unit=pgettext_lazy("unit of a figure", "hours"),
        definition=_("Hours of the services recorded in the period."),
        source=services,
        where=on_days("on"),
        sum_field="hours",
    ),
    Indicator(
        code="members.two_services",
        section=S,
        kind="computed",
        name=_("Members with two or more services"),
        unit=pgettext_lazy("unit of a figure", "people"),
        definition=_("Members with at least two services recorded in the area during the period."),
        compute=_two_services,
        capability=V,
        source=people,
    ),
    Indicator(
        code="members.activities",
        section=S,
        name=_("Activities held"),
        unit=pgettext_lazy("unit of a figure", "activities"),
        definition=_("Activities that started in the period and were not cancelled."),
        source=activities,
        where=both(during("starts_at"), ~Q(status=ActivityStatus.CANCELLED)),
        group_by="kind",
        group_label=labels(ActivityKind),
        trend=True,
        headline=True,
    ),
    Indicator(
        code="members.attendance",
        section=S,
        name=_("Confirmed attendance"),
        unit=pgettext_lazy("unit of a figure", "attendances"),
        definition=_(
            "Sign-ups and walk-ins that the organiser confirmed as attended, at activities "
            "started in the period."
        ),
        source=attendance,
        where=both(during("activity__starts_at"), Q(attended=True)),
    ),
    Indicator(
        code="members.teams",
        section=S,
        name=_("Service teams"),
        unit=pgettext_lazy("unit of a figure", "teams"),
        definition=_("Active service teams of the area today (应急服务队, 志愿服务队, 党员服务小分队)."),
        source=teams,
        where=lambda p: Q(active=True),
        stock=True,
        group_by="kind",
        group_label=labels(TeamKind),
        tags=NOW,
    ),
    Indicator(
        code="members.callouts",
        section=S,
        name=_("Team call-outs"),
        unit=pgettext_lazy("unit of a figure", "call-outs"),
        definition=_("Times a team of the area was called out to a case in the period."),
        source=callouts,
        where=during("called_at"),
    ),
)
