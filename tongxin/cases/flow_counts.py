"""Flow counts of the cases (CaseFlowCount, CaseCloseTime), kept in step with the cases.

A case counts as received on the local day it was reported; once concluded (closed solved or
unsolved) as closed on the day it was closed, with its time to close in tenths of a day; as run out
of time on the day its handling limit ran out. Each change of a case moves its contribution (take the
old one off, put the new one on) in the same transaction, with conditional `col = col + n` updates,
as daily_counts.py does for the three rates.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from tongxin.cases.models import Case, CaseCategoryCount, CaseCloseTime, CaseFlowCount
from tongxin.lib.tree import subtree_range

FLOW_FIELDS = ("received", "closed", "closed_unsolved", "overdue")
# ("flow", community, day, source), ("category", community, day, group) or ("close", community, day, tenths)
Key = tuple[Any, ...]


def tenths_of_day(seconds: float) -> int:
    """A duration in whole tenths of a day, rounded half up (what the median is counted in)."""
    return int(seconds / 8640 + 0.5)


def _group(case: Case) -> int:
    category = case.category
    return category.parent_id or 0


def contribution(case: Case) -> dict[Key, Counter[str]]:
    """What the case adds to the flow counts, by key."""
    found: dict[Key, Counter[str]] = defaultdict(Counter)
    group = _group(case)
    local = timezone.localdate
    found[("flow", case.community_id, local(case.reported_at), case.source)]["received"] += 1
    found[("category", case.community_id, local(case.reported_at), group)]["received"] += 1
    if case.is_concluded:
        assert case.closed_at is not None
        key = ("flow", case.community_id, local(case.closed_at), case.source)
        found[key]["closed"] += 1
        found[key]["closed_unsolved"] += int(case.solved_confirmed is not True)
        taken = tenths_of_day((case.closed_at - case.reported_at).total_seconds())
        found[("close", case.community_id, local(case.closed_at), taken)]["cases"] += 1
    if case.overdue_at is not None:
        found[("flow", case.community_id, local(case.overdue_at), case.source)]["overdue"] += 1
    return found


def move(case: Case, before: dict[Key, Counter[str]] | None, after: dict[Key, Counter[str]]) -> None:
    """Move the case's contribution from `before` to `after` (inside the change's transaction)."""
    deltas: dict[Key, Counter[str]] = defaultdict(Counter)
    for found, sign in ((before or {}, -1), (after, 1)):
        for key, values in found.items():
            for name, n in values.items():
                deltas[key][name] += sign * n
    for key, delta in sorted(deltas.items(), key=lambda kv: str(kv[0])):  # a fixed order: no deadlock
        changes = {name: n for name, n in delta.items() if n}
        if changes:
            _add(key, case.region_path, changes)


def _add(key: Key, region_path: str, changes: dict[str, int]) -> None:
    model: Any
    if key[0] == "flow":
        _, community_id, day, source = key
        model = CaseFlowCount
        lookup = {"community_id": community_id, "day": day, "source": source}
    elif key[0] == "category":
        _, community_id, day, group = key
        model = CaseCategoryCount
        lookup = {"community_id": community_id, "day": day, "category_group": group}
    else:
        _, community_id, day, tenths = key
        model = CaseCloseTime
        lookup = {"community_id": community_id, "day": day, "tenths": tenths}
    update = {name: F(name) + n for name, n in changes.items()}
    if model.objects.filter(**lookup).update(**update):
        return
    marker = f"/{community_id}/"
    path = region_path[: region_path.index(marker) + len(marker)]
    try:
        with transaction.atomic():  # a savepoint: a concurrent first insert wins, then we add to it
            model.objects.create(community_path=path, **lookup, **changes)
    except IntegrityError:
        model.objects.filter(**lookup).update(**update)


# ---- reading -------------------------------------------------------------------------------------


def _in(region: Any, since: date, until: date) -> dict[str, Any]:
    low, high = subtree_range(region.path)
    return {"community_path__gte": low, "community_path__lt": high, "day__gte": since, "day__lte": until}


def flows_in(region: Any, *, since: date, until: date) -> dict[str, int]:
    row = CaseFlowCount.objects.filter(**_in(region, since, until)).aggregate(
        **{name: Sum(name) for name in FLOW_FIELDS}
    )
    return {name: int(row[name] or 0) for name in FLOW_FIELDS}


def received_by(region: Any, field: str, *, since: date, until: date) -> dict[Any, int]:
    """Cases received by channel ('source') or first-level category ('category_group')."""
    model: Any = CaseCategoryCount if field == "category_group" else CaseFlowCount
    rows = (
        model.objects.filter(**_in(region, since, until))
        .values_list(field)
        .annotate(n=Sum("received"))
        .order_by()
    )
    return {key: int(n) for key, n in rows if n}


def close_times(region: Any, *, since: date, until: date) -> list[tuple[int, int]]:
    """(tenths of a day, cases) of the cases closed in the days, in order."""
    rows = (
        CaseCloseTime.objects.filter(**_in(region, since, until))
        .values_list("tenths")
        .annotate(n=Sum("cases"))
        .order_by("tenths")
    )
    return [(t, int(n)) for t, n in rows if n]


# ---- rebuilding ----------------------------------------------------------------------------------


def rebuild(communities: Iterable[Any] | None = None) -> int:
    """Recompute the counts from the cases (all communities, or these); rows written.

    For data written around the services (the bulk demo writer) and as a repair."""
    from tongxin.regions.models import Level, Region

    ids = [c.pk for c in communities] if communities is not None else None
    cases = Case.objects.select_related("category").only(
        "community_id",
        "reported_at",
        "closed_at",
        "overdue_at",
        "source",
        "status",
        "duplicate_of_id",
        "solved_confirmed",
        "category__parent_id",
    )
    if ids is not None:
        cases = cases.filter(community_id__in=ids)
    totals: dict[Key, Counter[str]] = defaultdict(Counter)
    for case in cases.iterator(chunk_size=5000):
        for key, values in contribution(case).items():
            totals[key].update(values)
    paths = dict(Region.objects.filter(level=Level.COMMUNITY).values_list("pk", "path"))
    flows, categories, closes = [], [], []
    for key, values in totals.items():
        kind, community_id, day, rest = key
        common = {"community_id": community_id, "community_path": paths[community_id], "day": day}
        if kind == "flow":
            flows.append(CaseFlowCount(source=rest, **common, **{n: values.get(n, 0) for n in FLOW_FIELDS}))
        elif kind == "category":
            categories.append(CaseCategoryCount(category_group=rest, received=values["received"], **common))
        else:
            closes.append(CaseCloseTime(tenths=rest, cases=values["cases"], **common))
    models: list[Any] = [CaseFlowCount, CaseCategoryCount, CaseCloseTime]
    with transaction.atomic():
        for model in models:
            rows = model.objects.all()
            if ids is not None:
                rows = rows.filter(community_id__in=ids)
            rows.delete()
        for model, objects in zip(models, (flows, categories, closes), strict=True):
            model.objects.bulk_create(objects, batch_size=2000)
    return len(flows) + len(categories) + len(closes)


def snapshot() -> list[set[tuple[Any, ...]]]:
    """The stored counts as comparable sets (tests: kept counts equal a rebuild)."""
    flows = {
        tuple(r)
        for r in CaseFlowCount.objects.values_list("community_id", "day", "source", *FLOW_FIELDS)
        if any(r[3:])
    }
    categories = {
        tuple(r)
        for r in CaseCategoryCount.objects.values_list("community_id", "day", "category_group", "received")
        if r[3]
    }
    closes = {
        tuple(r) for r in CaseCloseTime.objects.values_list("community_id", "day", "tenths", "cases") if r[3]
    }
    return [flows, categories, closes]
