"""The kept counts of the COPY generator (demo.cases.scale), summed while the rows are drawn.

Each chunk of cases sums its own contribution to the four day tables (CaseDailyCount,
CaseFlowCount, CaseCategoryCount, CaseCloseTime) in numpy from the columns it has just drawn; the
chunks' sums are added up as they come back (`Sums.add`), and after the load the day rows and the
month rows (CaseFlowMonth, CaseCategoryMonth, CaseCloseMonth: each community's days summed into
every node from the root to it) are written once and added to the rows already there
(`Sums.write`: INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n). Nothing reads the cases
again: a 20,000,000-case load no longer ends with one GROUP BY over every case per table.

The definitions are those of `scale.rebuild_kept_counts` (the SQL that daily_counts.rebuild and
flow_counts.rebuild are tested equal to), case by case:

- day rows by the local day (the time zone's offset now, as the tracking codes: no DST in China)
  of the dispatch (daily), of the report (flow `received`, category), of the close (flow
  `closed`/`closed_unsolved`, close time) and of running out of time (flow `overdue`);
- 办结 (concluded) = closed, not rejected, merged or a duplicate: the generator's closed cases;
- tenths = the days from report to close in tenths, rounded half up: (seconds + 4320) // 8640.

A key is one int64: community id (bits 40–62), day number since 1970 (bits 22–39) and the table's
third key (source index, category group, tenths; bits 0–21).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, models, transaction

from tongxin.cases.models import (
    CaseCategoryCount,
    CaseCategoryMonth,
    CaseCloseMonth,
    CaseCloseTime,
    CaseDailyCount,
    CaseFlowCount,
    CaseFlowMonth,
)
from tongxin.lib.tree import ancestor_ids
from tongxin.regions.models import Level, Region

DAY = 86_400
DAY_BITS, EXTRA_BITS = 18, 22
DAILY_FIELDS = ("dispatched", "responded_in_time", "concluded", "solved", "rated", "satisfied", "basically")
FLOW_FIELDS = ("received", "closed", "closed_unsolved", "overdue")


@dataclass(frozen=True)
class Spec:
    day_model: type[models.Model]
    month_model: type[models.Model] | None
    extra: str | None  # the third key's column
    fields: tuple[str, ...]


SPECS = {
    "daily": Spec(CaseDailyCount, None, None, DAILY_FIELDS),
    "flow": Spec(CaseFlowCount, CaseFlowMonth, "source", FLOW_FIELDS),
    "category": Spec(CaseCategoryCount, CaseCategoryMonth, "category_group", ("received",)),
    "close": Spec(CaseCloseTime, CaseCloseMonth, "tenths", ("cases",)),
}

Part = tuple[np.ndarray, np.ndarray]  # (keys, sums: one column per field)


def _key(community: np.ndarray, day: np.ndarray, extra: np.ndarray | int = 0) -> np.ndarray:
    return (
        (community.astype(np.int64) << (DAY_BITS + EXTRA_BITS)) | (day.astype(np.int64) << EXTRA_BITS) | extra
    )


def _unkey(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        keys >> (DAY_BITS + EXTRA_BITS),
        (keys >> EXTRA_BITS) & ((1 << DAY_BITS) - 1),
        keys & ((1 << EXTRA_BITS) - 1),
    )


def _sum(keys: np.ndarray, values: np.ndarray) -> Part:
    """The values of equal keys added up (values: one row per key, one column per field)."""
    if not len(keys):
        return keys.astype(np.int64), np.zeros((0, values.shape[1]), dtype=np.int64)
    unique, where = np.unique(keys, return_inverse=True)
    sums = np.zeros((len(unique), values.shape[1]), dtype=np.int64)
    for j in range(values.shape[1]):
        sums[:, j] = np.bincount(where, weights=values[:, j], minlength=len(unique)).astype(np.int64)
    return unique, sums


def chunk_parts(
    *,
    community: np.ndarray,
    source: np.ndarray,
    sources: Sequence[str],
    category_group: np.ndarray,
    tz_offset: int,
    reported: np.ndarray,
    dispatched: np.ndarray,
    is_dispatched: np.ndarray,
    responded: np.ndarray,
    is_responded: np.ndarray,
    response_due: np.ndarray,
    closed: np.ndarray,
    concluded: np.ndarray,
    unsolved: np.ndarray,
    rating: np.ndarray,
    overdue_at: np.ndarray,
    overdue: np.ndarray,
) -> dict[str, Part]:
    """One chunk's contribution to the four day tables, from the columns the chunk wrote."""
    if int(community.max(initial=0)) >= 1 << 23 or int(category_group.max(initial=0)) >= 1 << EXTRA_BITS:
        raise ValueError("a region or category id too large for the kept counts' keys")

    def day(seconds: np.ndarray) -> np.ndarray:
        return (seconds + tz_offset) // DAY

    ones = np.ones(len(community), dtype=np.int64)
    parts: dict[str, Part] = {}
    d = is_dispatched
    daily = np.stack(
        [
            ones[d],
            (is_responded & (responded <= response_due))[d],
            concluded[d],
            (concluded & ~unsolved)[d],
            (concluded & (rating != ""))[d],
            (concluded & (rating == "satisfied"))[d],
            (concluded & (rating == "basically"))[d],
        ],
        axis=1,
    ).astype(np.int64)
    parts["daily"] = _sum(_key(community[d], day(dispatched[d])), daily)
    source_index = np.zeros(len(community), dtype=np.int64)
    for i, name in enumerate(sources):
        source_index[source == name] = i
    zeros = np.zeros(len(community), dtype=np.int64)
    c, o = concluded, overdue
    flow_keys = np.concatenate(
        [
            _key(community, day(reported), source_index),
            _key(community[c], day(closed[c]), source_index[c]),
            _key(community[o], day(overdue_at[o]), source_index[o]),
        ]
    )
    flow_values = np.concatenate(
        [
            np.stack([ones, zeros, zeros, zeros], axis=1),
            np.stack([zeros[c], ones[c], unsolved[c].astype(np.int64), zeros[c]], axis=1),
            np.stack([zeros[o], zeros[o], zeros[o], ones[o]], axis=1),
        ]
    )
    parts["flow"] = _sum(flow_keys, flow_values)
    parts["category"] = _sum(_key(community, day(reported), category_group), ones[:, None])
    tenths = (closed[c] - reported[c] + 4320) // 8640
    if int(tenths.max(initial=0)) >= 1 << EXTRA_BITS:
        raise ValueError("a close time too long for the kept counts' keys")
    parts["close"] = _sum(_key(community[c], day(closed[c]), tenths), ones[c][:, None])
    return parts


@dataclass
class Sums:
    """The chunks' parts added up; merged every few million rows to keep memory flat."""

    sources: Sequence[str]
    pending: dict[str, list[Part]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, parts: dict[str, Part]) -> None:
        for name, part in parts.items():
            self.pending.setdefault(name, []).append(part)
            self.rows[name] = self.rows.get(name, 0) + len(part[0])
            if self.rows[name] > 4_000_000 and len(self.pending[name]) > 1:
                self.pending[name] = [self.merged(name)]
                self.rows[name] = len(self.pending[name][0][0])

    def merged(self, name: str) -> Part:
        found = self.pending.get(name) or []
        width = len(SPECS[name].fields)
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros((0, width), dtype=np.int64)
        return _sum(np.concatenate([k for k, _v in found]), np.concatenate([v for _k, v in found]))

    def write(self) -> dict[str, int]:
        """Add the sums to the day and month tables; returns the rows written per table."""
        communities = dict(Region.objects.filter(level=Level.COMMUNITY).values_list("pk", "path"))
        ids = np.array(sorted(communities), dtype=np.int64)
        path_of = np.array([communities[c] for c in ids.tolist()], dtype=object)
        written: dict[str, int] = {}
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # valid ids by construction: no FK check per row
                cursor.execute("SET LOCAL session_replication_role = replica")
            for name, spec in SPECS.items():
                keys, sums = self.merged(name)
                community, day, extra = _unkey(keys)
                days = _dates(day)
                paths = path_of[np.searchsorted(ids, community)]
                extras = self._extras(spec, extra)
                columns = ["community_id", "community_path", "day"] + ([spec.extra] if spec.extra else [])
                rows = [community, paths, days, *([extras] if spec.extra else []), *sums.T]
                _upsert(cursor, spec.day_model, columns, spec.fields, rows)
                written[spec.day_model._meta.db_table] = len(days)
                if spec.month_model is not None:
                    month_rows = self._months(spec, community, day, extra, sums, communities)
                    columns = ["node_id", "month", str(spec.extra)]
                    _upsert(cursor, spec.month_model, columns, spec.fields, month_rows)
                    written[spec.month_model._meta.db_table] = len(month_rows[0])
        return written

    def _extras(self, spec: Spec, extra: np.ndarray) -> np.ndarray:
        if spec.extra == "source":
            return np.array(self.sources, dtype=object)[extra]
        return extra

    def _months(
        self,
        spec: Spec,
        community: np.ndarray,
        day: np.ndarray,
        extra: np.ndarray,
        sums: np.ndarray,
        communities: dict[int, str],
    ) -> list[np.ndarray]:
        """Each day row summed into its month at the community and every node above it."""
        month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)  # months since 1970
        ids = sorted(communities)
        lines = [ancestor_ids(communities[c]) for c in ids]
        depth = max((len(a) for a in lines), default=0)
        table = np.full((len(ids), depth), -1, dtype=np.int64)
        for i, line in enumerate(lines):
            table[i, : len(line)] = line
        index = np.searchsorted(np.array(ids, dtype=np.int64), community)
        keys, values = [], []
        for level in range(depth):
            node = table[index, level]
            ok = node >= 0
            keys.append(_key(node[ok], month[ok], extra[ok]))
            values.append(sums[ok])
        if not keys:
            return [np.zeros(0, dtype=np.int64) for _ in range(3 + sums.shape[1])]
        unique, totals = _sum(np.concatenate(keys), np.concatenate(values))
        node, month_no, extra_out = _unkey(unique)
        months = np.datetime_as_string(month_no.astype("datetime64[M]").astype("datetime64[D]"), unit="D")
        return [node, months, self._extras(spec, extra_out), *totals.T]


def _dates(day: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(day.astype("datetime64[D]"), unit="D")


def _upsert(
    cursor: Any,
    model: type[models.Model],
    keys: list[str],
    fields: Sequence[str],
    rows: list[np.ndarray],
) -> None:
    """Rows added to the table: new keys inserted, the fields of keys already there summed. The
    rows go through a temporary table (COPY on PostgreSQL) and one INSERT … ON CONFLICT."""
    if not len(rows[0]):
        return
    table = model._meta.db_table
    columns = [*keys, *fields]
    names = ", ".join(columns)
    cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
    if cursor.fetchone() is None:  # an empty table (a new city): the rows go straight in
        _insert(cursor, table, names, len(columns), rows)
        return
    conflict = ", ".join(k for k in keys if k != "community_path")
    sums = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in fields)
    cursor.execute("DROP TABLE IF EXISTS bench_kept_rows")
    cursor.execute(f"CREATE TEMPORARY TABLE bench_kept_rows AS SELECT {names} FROM {table} WHERE 1 = 0")
    _insert(cursor, "bench_kept_rows", names, len(columns), rows)
    # WHERE true: SQLite's parser needs it before ON CONFLICT after a SELECT
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM bench_kept_rows WHERE true "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sums}"
    )
    cursor.execute("DROP TABLE bench_kept_rows")


def _insert(cursor: Any, table: str, names: str, width: int, columns: list[np.ndarray]) -> None:
    """The columns' rows, a slice at a time (Python objects only for the slice): COPY on
    PostgreSQL (each row one C-level join), executemany elsewhere."""
    step = 200_000
    marks = ", ".join("%s" for _ in range(width))
    for start in range(0, len(columns[0]), step):
        block = [c[start : start + step].tolist() for c in columns]
        if connection.vendor == "postgresql":
            texts = [list(map(str, c)) for c in block]
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n")
        else:
            rows = list(zip(*block, strict=True))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
