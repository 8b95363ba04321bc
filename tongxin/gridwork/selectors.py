"""Reads of grid work, scoped by construction: the log a user sees, "my grid" (who is due a visit,
open cases, today's log), a community's grids and a campaign's coverage."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from tongxin.cases.models import OPEN_STATUSES, Case
from tongxin.core.scope import scope_for
from tongxin.gridwork.config import kinds_in_force
from tongxin.gridwork.models import (
    Campaign,
    ChecklistTemplate,
    KindCode,
    LogEntry,
    LogKind,
    VisitInterval,
)
from tongxin.gridwork.services import MANAGE, RECORD, VIEW
from tongxin.households.models import Household, HouseholdTag
from tongxin.lib.tree import PATH_END, ancestor_ids
from tongxin.regions.models import Level, Region


def entries_visible(user: Any) -> QuerySet[LogEntry]:
    """The entries of the grids in the user's scope (an entry's path is its grid's): one index seek
    per grid rather than a range over the whole subtree."""
    grids = Region.objects.filter(scope_for(user, VIEW).q("path"), level=Level.GRID).values("path")
    return LogEntry.objects.filter(region_path__in=grids)


def campaigns_visible(user: Any) -> QuerySet[Campaign]:
    """Campaigns started at or above the user's area that cover a grid of it, or inside it."""
    scope = scope_for(user, VIEW)
    if scope.is_empty:
        return Campaign.objects.none()
    covering = Region.objects.filter(scope.q("path"), level=Level.GRID)
    return Campaign.objects.filter(scope.q("region_path") | Q(grids__in=covering)).distinct()


def grids_to_record(user: Any) -> QuerySet[Region]:
    return Region.objects.filter(scope_for(user, RECORD).q("path"), level=Level.GRID).order_by("code", "path")


def own_grids(user: Any) -> list[Region]:
    """The grids a worker's roles are held at ("my grid"); for staff of a community, none."""
    roots = scope_for(user, RECORD).roots
    return list(Region.objects.filter(path__in=roots, level=Level.GRID).order_by("code", "path"))


def kinds(grid: Region) -> list[LogKind]:
    """The kinds in force at the grid (its community's or street's own rows, else the defaults)."""
    return kinds_in_force(grid)


def checklists_for(user: Any) -> list[ChecklistTemplate]:
    """The checklists a user starting a campaign may start from: the default, those kept above
    their area and those kept inside it."""
    scope = scope_for(user, MANAGE)
    above = {pk for root in scope.roots for pk in ancestor_ids(root)}
    rows = ChecklistTemplate.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=above) | scope.q("region__path"), active=True
    ).select_related("region")
    return sorted(rows, key=lambda c: (c.region_id is not None, c.sort_order, c.pk))


def config_nodes(user: Any) -> QuerySet[Region]:
    """The streets and communities whose grid-work configuration the user keeps."""
    return Region.objects.filter(
        scope_for(user, MANAGE).q("path"), level__in=[Level.STREET, Level.COMMUNITY]
    ).order_by("code", "path")


def interval_days(region: Region) -> int:
    """The visit interval in force at a region: the nearest node's row, else the default."""
    path = ancestor_ids(region.path)  # the node itself and those above it
    rows = {
        v.region_id: v.days
        for v in VisitInterval.objects.filter(Q(region_id__in=path) | Q(region__isnull=True))
    }
    for pk in reversed(path):
        if pk in rows:
            return rows[pk]
    return rows.get(None, 30)


@dataclass
class Due:
    household: Household
    last_visit: datetime | None
    interval: int

    @property
    def days_since(self) -> int | None:
        return (timezone.now() - self.last_visit).days if self.last_visit else None


def tagged_intervals(households: QuerySet[Household], default: int) -> dict[int, int]:
    """Each tagged household's interval: the shortest of its tags' own, else the area's."""
    found: dict[int, int] = {}
    for household_id, days in HouseholdTag.objects.filter(
        household__in=households, tag__active=True
    ).values_list("household_id", "tag__visit_interval_days"):
        days = days or default
        found[household_id] = min(days, found.get(household_id, days))
    return found


def last_visits(household_ids: list[int]) -> dict[int, datetime]:
    return dict(
        LogEntry.objects.filter(household_id__in=household_ids, code=KindCode.VISIT)
        .values("household_id")
        .annotate(last=Max("at"))
        .values_list("household_id", "last")
    )


def due_visits(grid: Region, now: datetime | None = None) -> list[Due]:
    """Tagged households of the grid not visited within their interval, longest waiting first."""
    now = now or timezone.now()
    households = Household.objects.filter(grid=grid, active=True)
    intervals = tagged_intervals(households, interval_days(grid))
    last = last_visits(list(intervals))
    due_ids = [
        pk for pk, days in intervals.items() if pk not in last or last[pk] < now - timedelta(days=days)
    ]
    rows = Household.objects.filter(pk__in=due_ids).order_by("region_path", "unit", "room")
    due = [Due(h, last.get(h.pk), intervals[h.pk]) for h in rows]
    return sorted(due, key=lambda d: (d.last_visit is not None, d.last_visit or now))


@dataclass
class GridDay:
    grid: Region
    households: int
    due: list[Due]
    open_cases: list[Case]
    open_total: int
    today: list[LogEntry]
    month_counts: dict[str, int] = field(default_factory=dict)


def grid_day(grid: Region, now: datetime | None = None, *, limit: int = 20) -> GridDay:
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    open_cases = Case.objects.filter(
        status__in=list(OPEN_STATUSES), region_path__gte=grid.path, region_path__lt=grid.path + PATH_END
    )
    month_start = start_of_day.replace(day=1)
    counts = dict(
        LogEntry.objects.filter(region_path=grid.path, at__gte=month_start)
        .values("code")
        .annotate(n=Count("pk"))
        .values_list("code", "n")
    )
    return GridDay(
        grid=grid,
        households=Household.objects.filter(grid=grid, active=True).count(),
        due=due_visits(grid, now),
        open_cases=list(
            open_cases.select_related("category").order_by("handling_due", "reported_at")[:limit]
        ),
        open_total=open_cases.count(),
        today=list(
            LogEntry.objects.filter(region_path=grid.path, at__gte=start_of_day)
            .select_related("kind", "household", "case")
            .order_by("-at")[:limit]
        ),
        month_counts=counts,
    )


@dataclass
class GridRow:
    grid: Region
    households: int = 0
    tagged: int = 0
    due: int = 0
    entries: int = 0
    findings: int = 0
    open_cases: int = 0


def community_grids(community: Region, now: datetime | None = None) -> list[GridRow]:
    """Every grid of a community with its households, visits due, this month's log and open cases,
    in a fixed number of queries."""
    now = now or timezone.now()
    grids = list(Region.objects.filter(parent=community, level=Level.GRID).order_by("code", "path"))
    rows = {g.pk: GridRow(g) for g in grids}
    households = Household.objects.filter(community=community, active=True)
    for grid_id, n in households.values("grid_id").annotate(n=Count("pk")).values_list("grid_id", "n"):
        if grid_id in rows:
            rows[grid_id].households = n
    grid_of = dict(households.values_list("pk", "grid_id"))
    intervals = tagged_intervals(households, interval_days(community))
    last = last_visits(list(intervals))
    for pk, days in intervals.items():
        row = rows.get(grid_of.get(pk, 0))
        if row is None:
            continue
        row.tagged += 1
        if pk not in last or last[pk] < now - timedelta(days=days):
            row.due += 1
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    logged = (
        LogEntry.objects.filter(
            region_path__gte=community.path, region_path__lt=community.path + PATH_END, at__gte=month_start
        )
        .values("grid_id")
        .annotate(n=Count("pk"), found=Count("pk", filter=Q(found_something=True)))
    )
    for item in logged:
        if item["grid_id"] in rows:
            rows[item["grid_id"]].entries = item["n"]
            rows[item["grid_id"]].findings = item["found"]
    open_cases = (
        Case.objects.filter(status__in=list(OPEN_STATUSES), community=community, grid__isnull=False)
        .values("grid_id")
        .annotate(n=Count("pk"))
    )
    for grid_id, n in open_cases.values_list("grid_id", "n"):
        if grid_id in rows:
            rows[grid_id].open_cases = n
    return list(rows.values())


@dataclass
class CoverageRow:
    grid: Region
    in_scope: int = 0
    visited: int = 0
    rounds: int = 0
    findings: int = 0
    cases: int = 0

    @property
    def share(self) -> float | None:
        return self.visited / self.in_scope if self.in_scope else None


def coverage(campaign: Campaign) -> tuple[list[CoverageRow], CoverageRow]:
    """Households visited by the campaign's rounds / households in its grids, and what was found, by
    grid; with the totals. Equals the rows `coverage_rows` lists."""
    grids = list(campaign.grids.order_by("path"))
    rows = {g.pk: CoverageRow(g) for g in grids}
    for grid_id, n in (
        Household.objects.filter(grid__in=grids, active=True)
        .values("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    ):
        rows[grid_id].in_scope = n
    rounds = (
        LogEntry.objects.filter(campaign=campaign)
        .values("grid_id")
        .annotate(
            n=Count("pk"),
            visited=Count("household", distinct=True, filter=Q(household__active=True)),
            found=Count("pk", filter=Q(found_something=True)),
            cases=Count("case"),
        )
    )
    for item in rounds:
        row = rows.get(item["grid_id"])
        if row is not None:
            row.rounds, row.visited, row.findings, row.cases = (
                item["n"],
                item["visited"],
                item["found"],
                item["cases"],
            )
    total = CoverageRow(campaign.region)
    for row in rows.values():
        total.in_scope += row.in_scope
        total.visited += row.visited
        total.rounds += row.rounds
        total.findings += row.findings
        total.cases += row.cases
    return list(rows.values()), total


def coverage_rows(campaign: Campaign) -> QuerySet[Household]:
    """The households of the campaign's grids, each marked with the rounds that visited it."""
    return (
        Household.objects.filter(grid__in=campaign.grids.all(), active=True)
        .select_related("grid")
        .annotate(rounds=Count("log_entries", filter=Q(log_entries__campaign=campaign)))
        .order_by("region_path", "unit", "room", "id")
    )


def household_activity(household: Household, *, limit: int = 20) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(household=household)
        .select_related("kind", "case")
        .order_by("-at", "-id")[:limit]
    )


def may_manage(user: Any, region: Region) -> bool:
    return scope_for(user, MANAGE).contains(region.path)
