"""Flow counts of the cases (CaseFlowCount, CaseCloseTime), kept in step with the cases.

A case counts as received on the local day it was reported; once concluded (closed solved or
unsolved) as closed on the day it was closed, with its time to close in tenths of a day; as run out
of time on the day its handling limit ran out. Each change of a case moves its contribution (take the
old one off, put the new one on) in the same transaction, with conditional `col = col + n` updates,
as daily_counts.py does for the three rates.
"""

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from tongxin.cases.models import (
    Case,
    CaseCategoryCount,
    CaseCategoryMonth,
    CaseCloseMonth,
    CaseCloseTime,
    CaseFlowCount,
    CaseFlowMonth,
)
from tongxin.lib.tree import ancestor_ids, subtree_range
from tongxin.regions.models import Level, Region

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
    rows: list[Row] = []
    for key, delta in sorted(deltas.items(), key=lambda kv: str(kv[0])):  # a fixed order: no deadlock
        changes = {name: n for name, n in delta.items() if n}
        if changes:
            rows += _rows(key, case.region_path, changes)
    _apply(rows)


_DAY_MODELS: dict[str, tuple[Any, str]] = {
    "flow": (CaseFlowCount, "source"),
    "category": (CaseCategoryCount, "category_group"),
    "close": (CaseCloseTime, "tenths"),
}
_MONTH_MODELS: dict[str, Any] = {
    "flow": CaseFlowMonth,
    "category": CaseCategoryMonth,
    "close": CaseCloseMonth,
}


# a counter row to add to: its model, the lookup naming it, the additions, the fields of a new row
Row = tuple[Any, dict[str, Any], dict[str, int], dict[str, Any]]


def _rows(key: Key, region_path: str, changes: dict[str, int]) -> list[Row]:
    """The community's day row and the month rows of the community and every node above."""
    kind, community_id, day, rest = key
    model, field = _DAY_MODELS[kind]
    marker = f"/{community_id}/"
    path = region_path[: region_path.index(marker) + len(marker)]
    rows: list[Row] = [
        (model, {"community_id": community_id, "day": day, field: rest}, changes, {"community_path": path})
    ]
    month = day.replace(day=1)
    for node_id in ancestor_ids(path):  # root first: every writer locks in the same order
        rows.append((_MONTH_MODELS[kind], {"node_id": node_id, "month": month, field: rest}, changes, {}))
    return rows


def _apply(rows: list[Row]) -> None:
    """Add to each row, in order. On PostgreSQL the updates go in one round trip (statements run in
    the order given, so the lock order is kept; each statement's row count says whether its row was
    there): a resident's report adds to ten rows, and each round trip costs more than the update
    itself (BENCHMARKS.md, intake). A row not there yet is inserted afterwards (_insert_or_add)."""
    if len(rows) < 2 or connection.vendor != "postgresql" or _server_side_binding():
        # one fixed UPDATE each (no ORM compilation: ten of them a report); a missing row is made
        with connection.cursor() as cursor:
            for model, lookup, changes, create in rows:
                cursor.execute(*_update_sql(model, lookup, changes))
                if not cursor.rowcount:
                    _insert_or_add(model, lookup, changes, **create)
        return
    statements, params = [], []
    for model, lookup, changes, _create in rows:
        sql, values = _update_sql(model, lookup, changes)
        statements.append(sql)
        params += values
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements), params)
        raw = cursor.cursor
        counts = [raw.rowcount]
        while raw.nextset():
            counts.append(raw.rowcount)
    for (model, lookup, changes, create), count in zip(rows, counts, strict=True):
        if not count:
            _insert_or_add(model, lookup, changes, **create)


def _server_side_binding() -> bool:
    return bool(connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"))


@functools.cache
def _update_statement(
    model: Any, changed: tuple[str, ...], keys: tuple[str, ...]
) -> tuple[str, tuple[Any, ...]]:
    """The UPDATE of a kept-count row and the fields of its lookup, made once per shape."""
    quote, meta = connection.ops.quote_name, model._meta
    columns = [quote(meta.get_field(name).column) for name in changed]
    sets = [f"{column} = {column} + %s" for column in columns]
    fields = tuple(meta.get_field(name) for name in keys)
    where = [f"{quote(field.column)} = %s" for field in fields]
    # the table and columns are the model's own, quoted; every value is a parameter
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(where)}"  # nosec B608
    return sql, fields


def _update_sql(model: Any, lookup: dict[str, Any], changes: dict[str, int]) -> tuple[str, list[Any]]:
    sql, fields = _update_statement(model, tuple(changes), tuple(lookup))
    values = list(changes.values())
    for field, value in zip(fields, lookup.values(), strict=True):
        values.append(field.get_db_prep_value(value, connection))
    return sql, values


def _insert_or_add(model: Any, lookup: dict[str, Any], changes: dict[str, int], **create: Any) -> None:
    """The row the UPDATE did not find: insert it, or add to it if a concurrent writer just did."""
    update = {name: F(name) + n for name, n in changes.items()}
    try:
        with transaction.atomic():  # a savepoint: a concurrent first insert wins, then we add to it
            model.objects.create(**lookup, **create, **changes)
    except IntegrityError:
        model.objects.filter(**lookup).update(**update)


# ---- reading -------------------------------------------------------------------------------------
# Whole months of the period come from the month tables (one node's rows), the days before the
# first and after the last whole month from the day tables (the node's communities' rows).


def _spans(since: date, until: date) -> tuple[list[date], list[tuple[date, date]]]:
    """The whole months inside [since, until] (their first days) and the day ranges left over."""
    first = since if since.day == 1 else _next_month(since)
    months: list[date] = []
    m = first
    while _next_month(m) - timedelta(days=1) <= until:
        months.append(m)
        m = _next_month(m)
    if not months:
        return [], [(since, until)]
    edges = []
    if since < months[0]:
        edges.append((since, months[0] - timedelta(days=1)))
    after = _next_month(months[-1])
    if after <= until:
        edges.append((after, until))
    return months, edges


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _read(kind: str, region: Any, since: date, until: date, fields: tuple[str, ...], by: str | None) -> Any:
    """Sums of the fields over the period, as {key: {field: n}} when grouped `by`, else {field: n}."""
    months, edges = _spans(since, until)
    parts: list[Any] = []
    if months:
        in_months = {"month__gte": months[0], "month__lte": months[-1]}
        parts.append(_MONTH_MODELS[kind].objects.filter(node_id=region.pk, **in_months))
    low, high = subtree_range(region.path)
    day_model = _DAY_MODELS[kind][0]
    for start, end in edges:
        parts.append(
            day_model.objects.filter(
                community_path__gte=low, community_path__lt=high, day__gte=start, day__lte=end
            )
        )
    sums = {f: Sum(f) for f in fields}
    totals: dict[Any, Counter[str]] = defaultdict(Counter)
    for rows in parts:
        if by is None:
            row = rows.aggregate(**sums)
            totals[None].update({name: int(row[name] or 0) for name in fields})
            continue
        for key, *values in rows.values(by).annotate(**sums).order_by().values_list(by, *fields):
            totals[key].update({name: int(n or 0) for name, n in zip(fields, values, strict=True)})
    if by is not None:
        return totals
    return {name: totals[None][name] for name in fields}


def flows_in(region: Any, *, since: date, until: date) -> dict[str, int]:
    found: dict[str, int] = _read("flow", region, since, until, FLOW_FIELDS, None)
    return found


def received_by(region: Any, field: str, *, since: date, until: date) -> dict[Any, int]:
    """Cases received by channel ('source') or first-level category ('category_group')."""
    kind = "category" if field == "category_group" else "flow"
    found = _read(kind, region, since, until, ("received",), field)
    return {key: values["received"] for key, values in found.items() if values["received"]}


def close_times(region: Any, *, since: date, until: date) -> list[tuple[int, int]]:
    """(tenths of a day, cases) of the cases closed in the days, in order."""
    found = _read("close", region, since, until, ("cases",), "tenths")
    return sorted((t, values["cases"]) for t, values in found.items() if values["cases"])


# ---- rebuilding ----------------------------------------------------------------------------------


def rebuild(communities: Iterable[Any] | None = None) -> int:
    """Recompute the counts from the cases (all communities, or these); rows written.

    For data written around the services (the bulk demo writer) and as a repair."""

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
        written = rebuild_months()
    return len(flows) + len(categories) + len(closes) + written


_FIELDS = {"flow": FLOW_FIELDS, "category": ("received",), "close": ("cases",)}


def rebuild_months() -> int:
    """Recompute every month row from the day rows (each node's month = its communities' days)."""
    written = 0
    with transaction.atomic():
        for kind, (day_model, key_field) in _DAY_MODELS.items():
            fields = _FIELDS[kind]
            totals: dict[tuple[int, date, Any], Counter[str]] = defaultdict(Counter)
            rows = day_model.objects.values_list("community_path", "day", key_field, *fields)
            for path, day, key, *values in rows.iterator(chunk_size=10000):
                month = day.replace(day=1)
                counted = dict(zip(fields, values, strict=True))
                for node_id in ancestor_ids(path):
                    totals[(node_id, month, key)].update(counted)
            month_model = _MONTH_MODELS[kind]
            month_model.objects.all().delete()
            month_model.objects.bulk_create(
                (
                    month_model(node_id=node, month=month, **{key_field: key}, **{f: n[f] for f in fields})
                    for (node, month, key), n in totals.items()
                ),
                batch_size=2000,
            )
            written += len(totals)
    return written


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
    months = []
    for kind, (_day_model, key_field) in _DAY_MODELS.items():
        fields = _FIELDS[kind]
        rows = _MONTH_MODELS[kind].objects.values_list("node_id", "month", key_field, *fields)
        months.append({tuple(r) for r in rows if any(r[3:])})
    return [flows, categories, closes, *months]
