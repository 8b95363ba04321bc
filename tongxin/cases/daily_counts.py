"""Daily counts behind the three rates (CaseDailyCount), kept in step with the cases.

A case counts on the local day it was dispatched, in its community. Each transition that changes
what a case counts for moves its contribution (take the old one off, put the new one on) in the
same transaction, with conditional `col = col + n` updates: two transitions of the same
community and day wait on each other's row lock, never overwrite each other.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tongxin.cases.models import CONCLUDED, Case, CaseDailyCount, Rating
from tongxin.lib.tree import subtree_range
from tongxin.regions.models import Level, Region

FIELDS = ("dispatched", "responded_in_time", "concluded", "solved", "rated", "satisfied", "basically")
# how each is counted from the cases dispatched in a period (case_rates and the kept rows alike)
RATE_COUNTS: dict[str, Any] = {
    "dispatched": Count("pk"),
    "responded_in_time": Count(
        "pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("response_due"))
    ),
    "concluded": Count("pk", filter=CONCLUDED),
    "solved": Count("pk", filter=Q(solved_confirmed=True)),
    "rated": Count("pk", filter=~Q(rating="")),
    "satisfied": Count("pk", filter=Q(rating=Rating.SATISFIED)),
    "basically": Count("pk", filter=Q(rating=Rating.BASICALLY)),
}
Key = tuple[int, date]
Values = tuple[int, int, int, int, int, int, int]


def contribution(case: Case) -> tuple[Key, Values] | None:
    """What the case adds to its community's counts, and on which day; None if never dispatched.
    The same conditions as selectors.case_rates."""
    if case.dispatched_at is None:
        return None
    in_time = (
        case.responded_at is not None
        and case.response_due is not None
        and case.responded_at <= case.response_due
    )
    values = (
        1,
        int(in_time),
        int(case.is_concluded),
        int(case.solved_confirmed is True),
        int(case.rating != ""),
        int(case.rating == Rating.SATISFIED),
        int(case.rating == Rating.BASICALLY),
    )
    return (case.community_id, timezone.localdate(case.dispatched_at)), values


def move(case: Case, before: tuple[Key, Values] | None, after: tuple[Key, Values] | None) -> None:
    """Move the case's contribution from `before` to `after` (inside the transition's transaction)."""
    if before == after:
        return
    deltas: dict[Key, Counter[str]] = defaultdict(Counter)
    for found, sign in ((before, -1), (after, 1)):
        if found is not None:
            key, values = found
            for name, value in zip(FIELDS, values, strict=True):
                deltas[key][name] += sign * value
    for (community_id, day), delta in deltas.items():
        changes = {name: n for name, n in delta.items() if n}
        if changes:
            _add(community_id, case.region_path, day, changes)


def _add(community_id: int, region_path: str, day: date, changes: dict[str, int]) -> None:
    update = {name: F(name) + n for name, n in changes.items()}
    if CaseDailyCount.objects.filter(community_id=community_id, day=day).update(**update):
        return
    path = _community_path(community_id, region_path)
    try:
        with transaction.atomic():  # a savepoint: a concurrent first insert wins, then we add to it
            CaseDailyCount.objects.create(community_id=community_id, community_path=path, day=day, **changes)
    except IntegrityError:
        CaseDailyCount.objects.filter(community_id=community_id, day=day).update(**update)


def _community_path(community_id: int, region_path: str) -> str:
    """The community's path is a prefix of the case's region path ending at its id."""
    marker = f"/{community_id}/"
    return region_path[: region_path.index(marker) + len(marker)]


def counts_in(region: Any, *, since: date, until: date) -> dict[str, int]:
    """The summed counts of the region's communities (or of the one it lies in) over the days."""

    low, high = subtree_range(region.path)
    row = CaseDailyCount.objects.filter(
        community_path__gte=low, community_path__lt=high, day__gte=since, day__lte=until
    ).aggregate(**{name: Sum(name) for name in FIELDS})
    return {name: row[name] or 0 for name in FIELDS}


def counts_by_area(areas: list[Any], *, since: date, until: date) -> dict[int, dict[str, int]]:
    """counts_in for several disjoint areas (the children of one node) in one query: the counts of
    every community below them, summed into the area each lies in."""
    sums: dict[int, dict[str, int]] = {a.pk: dict.fromkeys(FIELDS, 0) for a in areas}
    if not areas:
        return sums
    paths = sorted(((a.path, a.pk) for a in areas), key=lambda p: -len(p[0]))
    low = min(subtree_range(a.path)[0] for a in areas)
    high = max(subtree_range(a.path)[1] for a in areas)
    rows = (
        CaseDailyCount.objects.filter(
            community_path__gte=low, community_path__lt=high, day__gte=since, day__lte=until
        )
        .values("community_path")
        .annotate(**{name: Sum(name) for name in FIELDS})
        .order_by()
    )
    for row in rows:
        values: dict[str, Any] = dict(row)
        pk = next((pk for path, pk in paths if values["community_path"].startswith(path)), None)
        if pk is not None:
            for name in FIELDS:
                sums[pk][name] += values[name] or 0
    return sums


def computed(communities: Iterable[Any] | None = None) -> list[CaseDailyCount]:
    """The counts as they follow from the cases (all communities, or these), unsaved."""

    tz = timezone.get_current_timezone()
    cases = Case.objects.filter(dispatched_at__isnull=False)
    if communities is not None:
        cases = cases.filter(community_id__in=[c.pk for c in communities])
    rows = (
        cases.annotate(day=TruncDate("dispatched_at", tzinfo=tz))
        .values("community_id", "day")
        .annotate(**RATE_COUNTS)
        .order_by()
    )
    paths = dict(Region.objects.filter(level=Level.COMMUNITY).values_list("pk", "path"))
    found: list[dict[str, Any]] = [dict(r) for r in rows]
    return [
        CaseDailyCount(
            community_id=r["community_id"],
            community_path=paths[r["community_id"]],
            day=r["day"],
            **{name: r[name] for name in FIELDS},
        )
        for r in found
    ]


def rebuild(communities: Iterable[Any] | None = None) -> int:
    """Recompute the counts from the cases (all communities, or these); rows written.

    For data written around the services (the bulk demo writer, imports) and as a repair."""
    communities = list(communities) if communities is not None else None
    objects = computed(communities)
    counts = CaseDailyCount.objects.all()
    if communities is not None:
        counts = counts.filter(community_id__in=[c.pk for c in communities])
    with transaction.atomic():
        counts.delete()
        CaseDailyCount.objects.bulk_create(objects, batch_size=5000)
    return len(objects)
