"""Grid work: the grid worker's and the 四员's log (走访, 巡查, 排查, 宣传, 调解, 创业指导, 代办),
mediations resolved, households covered by 联户 links and tagged households visited in time.

Seed 001's "排查300余次" is gridwork.inspections; seed 003's 1,074 / 334 / 318 are
gridwork.policy_talks / gridwork.mediations / gridwork.startup_advice."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.gridwork.models import KindCode, LogEntry, Outcome
from tongxin.gridwork.selectors import interval_days, tagged_intervals
from tongxin.households.models import HOUSEHOLD_LINK_KINDS, Household, Link
from tongxin.lib.tree import PATH_END
from tongxin.regions.models import Level, Region
from tongxin.statistics.indicators._helpers import both, during
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator, Source, memoized, register, section

S = section("gridwork", _("Grid work"))

log = Source(
    "log_entries",
    lambda: LogEntry.objects.select_related("kind", "grid", "household"),
    "region_path",
    Capability.GRIDWORK_VIEW,
)
households = Source(
    "households", lambda: Household.objects.filter(active=True), "region_path", Capability.HOUSEHOLDS_VIEW
)
TIMES = pgettext_lazy("unit of a figure", "times")
HOUSEHOLDS = pgettext_lazy("unit of a figure", "households")


def _of(code: str) -> Any:
    return both(Q(code=code), during("at"))


def _grid_paths(node: Any) -> Any:
    """The paths of the node's grids: a log entry's path is its grid's, so the node's rows are those
    of its grids — one index seek each on (path, at, code) instead of a range over the subtree."""
    return Region.objects.filter(path__gte=node.path, path__lt=node.path + PATH_END, level=Level.GRID).values(
        "path"
    )


def _kind_counts(node: Any, p: Period) -> dict[str, int]:
    return memoized(
        ("gridwork kinds", node.pk, p.since, p.until),
        lambda: dict(
            LogEntry.objects.filter(region_path__in=_grid_paths(node), at__gte=p.start, at__lt=p.end)
            .order_by()
            .values("code")
            .annotate(n=Count("pk"))
            .values_list("code", "n")
        ),
    )


def _kind(code: str) -> Callable[[Any, Period], int]:
    """The count of one kind, read from the node's counts by kind (one grouped query)."""
    return lambda node, p: int(_kind_counts(node, p).get(code, 0))


def _resolved(node: Any, p: Period) -> int:
    return LogEntry.objects.filter(
        region_path__in=_grid_paths(node),
        code=KindCode.MEDIATION,
        at__gte=p.start,
        at__lt=p.end,
        outcome=Outcome.RESOLVED,
    ).count()


def _linked(p: Period) -> Q:
    """Households on a 十联户 or 党员联户 link in force on the period's last day."""
    links = Link.objects.filter(kind__in=list(HOUSEHOLD_LINK_KINDS), starts_on__lte=p.until).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=p.until)
    )
    return Q(pk__in=Link.households.through.objects.filter(link__in=links).values("household_id"))


def _visited_in_time(node: Any, p: Period) -> list[Any]:
    """Tagged households of the area whose last visit before the period's end lies within their
    interval of its last day."""
    rows = households.rows(node)
    intervals = tagged_intervals(rows, interval_days(node))
    last = dict(
        LogEntry.objects.filter(household_id__in=list(intervals), code=KindCode.VISIT, at__lt=p.end)
        .values("household_id")
        .annotate(last=Max("at"))
        .values_list("household_id", "last")
    )
    ids = [pk for pk, days in intervals.items() if pk in last and last[pk] >= p.end - timedelta(days=days)]
    return list(Household.objects.filter(pk__in=ids).order_by("region_path", "id"))


register(
    Indicator(
        code="gridwork.visits",
        section=S,
        name=_("Household visits (走访)"),
        unit=TIMES,
        definition=_("Visits grid workers recorded in the period, in the grid where they took place."),
        source=log,
        where=_of(KindCode.VISIT),
        fast=_kind(KindCode.VISIT),
        month_field="at",
        trend=True,
    ),
    Indicator(
        code="gridwork.patrols",
        section=S,
        name=_("Patrols (巡查)"),
        unit=TIMES,
        definition=_("Patrols recorded in the period, with or without findings."),
        source=log,
        where=_of(KindCode.PATROL),
        fast=_kind(KindCode.PATROL),
        month_field="at",
    ),
    Indicator(
        code="gridwork.inspections",
        section=S,
        name=_("Inspection rounds (排查)"),
        unit=TIMES,
        definition=_("Inspection rounds recorded in the period, of a campaign or on their own."),
        source=log,
        where=_of(KindCode.INSPECTION),
        fast=_kind(KindCode.INSPECTION),
        month_field="at",
    ),
    Indicator(
        code="gridwork.policy_talks",
        section=S,
        name=_("Policy talks (政策宣传)"),
        unit=TIMES,
        definition=_("Policy talks recorded in the period."),
        source=log,
        where=_of(KindCode.POLICY),
        fast=_kind(KindCode.POLICY),
        month_field="at",
    ),
    Indicator(
        code="gridwork.mediations",
        section=S,
        name=_("Mediations (矛盾调解)"),
        unit=TIMES,
        definition=_("Mediations recorded in the period, whatever their outcome."),
        source=log,
        where=_of(KindCode.MEDIATION),
        fast=_kind(KindCode.MEDIATION),
        month_field="at",
    ),
    Indicator(
        code="gridwork.mediations_resolved",
        section=S,
        name=_("Mediations resolved"),
        unit=TIMES,
        definition=_("Mediations recorded in the period whose outcome is resolved (成功)."),
        source=log,
        where=both(_of(KindCode.MEDIATION), Q(outcome=Outcome.RESOLVED)),
        fast=_resolved,
        month_field="at",
    ),
    Indicator(
        code="gridwork.mediations_resolved_share",
        section=S,
        kind="ratio",
        name=_("Share of mediations resolved"),
        unit=pgettext_lazy("unit of a figure", "%"),
        definition=_("Mediations resolved ÷ mediations recorded in the period."),
        numerator="gridwork.mediations_resolved",
        denominator="gridwork.mediations",
    ),
    Indicator(
        code="gridwork.startup_advice",
        section=S,
        name=_("Start-up advice (创业就业指导)"),
        unit=TIMES,
        definition=_("Start-up and employment advice recorded in the period."),
        source=log,
        where=_of(KindCode.STARTUP),
        fast=_kind(KindCode.STARTUP),
        month_field="at",
    ),
    Indicator(
        code="gridwork.errands",
        section=S,
        name=_("Errands (代办服务)"),
        unit=TIMES,
        definition=_("Errands done for residents recorded in the period."),
        source=log,
        where=_of(KindCode.ERRAND),
        fast=_kind(KindCode.ERRAND),
        month_field="at",
    ),
    Indicator(
        code="gridwork.linked_households",
        section=S,
        name=_("Households covered by 联户 links"),
        unit=HOUSEHOLDS,
        definition=_(
            "Households of the area on a 十联户 or 党员联户 link in force on the last day of the period."
        ),
        source=households,
        where=_linked,
        stock=True,
    ),
    Indicator(
        code="gridwork.tagged_visited",
        section=S,
        kind="computed",
        name=_("Tagged households visited in time"),
        unit=HOUSEHOLDS,
        definition=_(
            "Households with a care tag whose last visit before the end of the period lies within the "
            "configured interval (the tag's own, else the community's or street's, else 30 days)."
        ),
        compute=_visited_in_time,
        capability=Capability.PEOPLE_REVEAL,
        stock=True,
    ),
)
