"""Cases by the million for the city-scale benchmark (`tongxin bench_scale`): COPY on PostgreSQL.

`copy_cases(n)` adds n cases spread over several years ending now, in the leaf grids of the city
already in the database, with every table the figures read filled to match:

- **cases** with their lifecycle columns (accepted, dispatched, responded, resolved, verified,
  closed; deadlines, run out of time, 督办, ratings, 12345 ticket numbers). Volumes grow: the last
  year holds `last_year_share` of them. Most are closed (some closed unsolved, some not accepted);
  a share stays stuck for months, so about `open_share` of all cases are open, almost all of them
  from the last months (the backlog).
- **transitions** (intake, accept, dispatch, respond, resolve, verify_pass, follow_up, supervise;
  4–8 a case) only for cases reported in the last year or still open. Older closed cases keep no
  transitions: production archives them (the archived history of issue 17's archiving part is not
  written here).
- **supervisions** of the cases put under supervision once overdue.
- **the kept counts** (CaseDailyCount for the three rates; CaseFlowCount, CaseCategoryCount,
  CaseCloseTime and their month tables for the overview and the annual report) summed per chunk in
  numpy from the columns just drawn and written once after the load, added to the rows already
  there (demo.cases.kept): no second pass over the cases. `rebuild_kept_counts` (one GROUP BY per
  table over every case) stays as the recount. The tests check both equal the Python definitions.

The rows are drawn with numpy from a seed, column by column, a chunk at a time, and written with
psycopg's `cursor.copy()` (text format; constants joined once, each row one C-level join, the
datetimes put together from a day's and a second's text made once) on PostgreSQL, `executemany`
on SQLite. On PostgreSQL, foreign-key triggers are off during the load (`session_replication_role
= replica`, the rows are valid by construction) and, when the load at least doubles the table, the
secondary indexes of the cases and transitions are dropped first and built again after it (faster
than keeping them up to date row by row; with `workers` > 1, that many at once, each on its own
connection, the trigram GIN index first), then ANALYZE.

The lifecycle is the services' (workflow.RULES) simplified: deadlines are calendar hours (24 h to
respond, 5 days to handle, 10 to close), not working hours; nobody is named as assignee or actor;
no whistles, merges or reopenings.
"""

import hashlib
import json
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import repeat
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from tongxin.cases import flow_counts
from tongxin.cases.models import (
    Case,
    CaseCategory,
    CaseCategoryCount,
    CaseCategoryMonth,
    CaseCloseMonth,
    CaseCloseTime,
    CaseDailyCount,
    CaseFlowCount,
    CaseFlowMonth,
    CaseTransition,
    Supervision,
)
from tongxin.demo.cases.kept import Sums, chunk_parts
from tongxin.demo.cases.planner import DESCRIPTIONS, LEAF_DESCRIPTIONS, TRACKING_ALPHABET
from tongxin.lib import crypto
from tongxin.lib.tree import ancestor_ids
from tongxin.regions.models import Level, Region

Log = Callable[[str], None]

DAY = 86_400
YEAR = 365 * DAY
NULL = object()  # a NULL cell, written as \N (COPY) or None (executemany)

# the channels of a big city's cases (12345 first) and the kinds each brings
SOURCES = [("hotline", 0.62), ("resident", 0.22), ("patrol", 0.12), ("camera", 0.04)]
KINDS = {
    "hotline": [
        ("complaint", 0.45),
        ("help", 0.3),
        ("enquiry", 0.15),
        ("suggestion", 0.07),
        ("report", 0.03),
    ],
    "resident": [("complaint", 0.5), ("help", 0.35), ("suggestion", 0.1), ("report", 0.05)],
    "patrol": [("patrol", 1.0)],
    "camera": [("patrol", 1.0)],
}
# the lifecycle: each event's row (action, status before, status after, actor label)
EVENTS = [
    ("accept", "reported", "accepted", "社区工作站"),
    ("dispatch", "accepted", "dispatched", "社区工作站"),
    ("respond", "dispatched", "in_progress", "承办单位"),
    ("resolve", "in_progress", "resolved", "承办单位"),
    ("verify_pass", "resolved", "verified", "网格员"),
    ("follow_up", "verified", "closed", "社区工作站"),
]
STATUS_AT_STAGE = ["reported", "accepted", "dispatched", "in_progress", "resolved", "verified", "closed"]
RESULT = "已现场处理完毕，向居民反馈结果"
REJECT_REASON = "不属于社区受理范围，已告知居民向相关部门反映"
SUPERVISION_NOTE = "超过办理时限，请抓紧办理"
STUCK_SHARE = 0.08  # cases that wait months for a department (the backlog)


@dataclass
class ScaleRun:
    cases: int = 0
    transitions: int = 0
    supervisions: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step

    @property
    def seconds(self) -> float:
        return sum(self.steps.values())


# --- the city -----------------------------------------------------------------------------------------


@dataclass
class _City:
    grid_ids: np.ndarray
    community_ids: np.ndarray  # of each grid
    paths: list[str]  # of each grid
    weights: np.ndarray
    category_ids: np.ndarray
    category_groups: np.ndarray
    category_weights: np.ndarray
    descriptions: list[list[str]]  # per category


def leaf_grids() -> list[tuple[int, str, int]]:
    """(grid id, path, community id) of every grid without smaller grids inside a community."""
    communities = set(Region.objects.filter(level=Level.COMMUNITY).values_list("pk", flat=True))
    grids = list(Region.objects.filter(level=Level.GRID).values_list("pk", "path", "parent_id"))
    parents = {parent for _pk, _path, parent in grids}
    found = []
    for pk, path, _parent in grids:
        if pk in parents:
            continue
        community = next((i for i in ancestor_ids(path) if i in communities), None)
        if community is not None:
            found.append((pk, path, community))
    found.sort()
    return found


def _city(rng: np.random.Generator) -> _City:
    grids = leaf_grids()
    if not grids:
        raise ValueError("No grids in a community: generate the demo city first (tongxin demo --scale N).")
    streets = {g[1].split("/")[3] for g in grids}  # /city/county/street/…
    street_weight = {s: rng.lognormal(0, 0.5) for s in sorted(streets)}
    weights = np.array([street_weight[g[1].split("/")[3]] for g in grids]) * rng.lognormal(0, 0.4, len(grids))
    categories = list(
        CaseCategory.objects.filter(active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("code")
    )
    if not categories:
        raise ValueError("No case categories: run migrate first.")
    order = rng.permutation(len(categories))
    category_weights = 1.0 / (order + 1.0) ** 0.8
    descriptions = []
    for category in categories:
        group = category.parent.code if category.parent is not None else ""
        texts = LEAF_DESCRIPTIONS.get(category.code) or DESCRIPTIONS.get(group) or DESCRIPTIONS["01"]
        descriptions.append([_clean(t) for t in texts])
    return _City(
        grid_ids=np.array([g[0] for g in grids], dtype=np.int64),
        community_ids=np.array([g[2] for g in grids], dtype=np.int64),
        paths=[g[1] for g in grids],
        weights=weights / weights.sum(),
        category_ids=np.array([c.pk for c in categories], dtype=np.int64),
        category_groups=np.array([c.parent_id or 0 for c in categories], dtype=np.int64),
        category_weights=category_weights / category_weights.sum(),
        descriptions=descriptions,
    )


def _clean(text: str) -> str:
    return " ".join(text.replace("\\", "/").split())


def _pick(rng: np.random.Generator, choices: Sequence[tuple[str, float]], k: int) -> np.ndarray:
    names = np.array([c for c, _w in choices])
    p = np.array([w for _c, w in choices], dtype=float)
    return names[rng.choice(len(choices), k, p=p / p.sum())]


# --- writing rows ---------------------------------------------------------------------------------------


class _Table:
    """The columns of a model's table in order, each given per row or its field's default."""

    def __init__(self, model: type[models.Model], given: Iterable[str], *, postgres: bool) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.postgres = postgres
        given = set(given)
        self.columns: list[str] = []
        self.constants: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            column = str(f.column)
            if f.primary_key and column not in given:
                continue  # the database numbers the rows
            self.columns.append(column)
            if column in given:
                continue
            default = f.get_default() if (f.has_default() or not f.null) else None
            if default is None and not f.null:
                raise ValueError(f"{self.name}.{column} has no default: the generator must give it")
            self.constants[column] = self.cell(f.get_db_prep_save(default, connection))

    def cell(self, value: Any) -> Any:
        if value is None or value is NULL:
            return "\\N" if self.postgres else None
        if isinstance(value, bool):
            return ("t" if value else "f") if self.postgres else int(value)
        if hasattr(value, "adapted"):  # psycopg's Json wrapper
            value = value.obj
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    def _column(self, values: dict[str, Any], column: str) -> Any:
        """A column's cells: a list or array, or one string for every row (a constant)."""
        return values[column] if column in values else self.constants[column]

    def rows(self, values: dict[str, Any], n: int) -> Iterator[tuple[Any, ...]]:
        columns = [self._column(values, c) for c in self.columns]
        columns = [repeat(c, n) if isinstance(c, str) or c is None else c for c in columns]
        return zip(*columns, strict=False)

    def lines(self, values: dict[str, Any], n: int) -> str:
        """The rows as COPY text: the constants side by side are joined once into one cell, then
        each row is one C-level join (map over zip: no Python code per row)."""
        groups: list[Any] = []
        for column in self.columns:
            cell = self._column(values, column)
            if isinstance(cell, str):
                if groups and isinstance(groups[-1], str):
                    groups[-1] += "\t" + cell
                else:
                    groups.append(cell)
            else:
                groups.append(cell.tolist() if isinstance(cell, np.ndarray) else cell)
        columns = [repeat(g, n) if isinstance(g, str) else g for g in groups]
        return "\n".join(map("\t".join, zip(*columns, strict=False))) + "\n"

    def write(self, values: dict[str, Any], n: int) -> None:
        if not n:
            return
        with connection.cursor() as cursor:
            if self.postgres:
                names = ", ".join(f'"{c}"' for c in self.columns)
                raw = cursor.cursor  # psycopg 3
                with raw.copy(f'COPY "{self.name}" ({names}) FROM STDIN') as copy:
                    for start in range(0, n, 50_000):
                        block = {
                            c: v if isinstance(v, str) else v[start : start + 50_000]
                            for c, v in values.items()
                        }
                        copy.write(self.lines(block, min(50_000, n - start)))
            else:
                rows = self.rows(values, n)
                names = ", ".join(f'"{c}"' for c in self.columns)
                marks = ", ".join("?" for _ in self.columns)
                cursor.executemany(f'INSERT INTO "{self.name}" ({names}) VALUES ({marks})', list(rows))


_CLOCKS: dict[bool, np.ndarray] = {}


def _clock(postgres: bool) -> np.ndarray:
    """' HH:MM:SS' of every second of a day (with '+00' for PostgreSQL), made once."""
    if postgres not in _CLOCKS:
        zone = "+00" if postgres else ""
        texts = [f" {h:02d}:{m:02d}:{s:02d}{zone}" for h in range(24) for m in range(60) for s in range(60)]
        _CLOCKS[postgres] = np.array(texts, dtype=object)
    return _CLOCKS[postgres]


def _times(seconds: np.ndarray, reached: np.ndarray, *, postgres: bool) -> np.ndarray:
    """Epoch seconds as the database's datetime text (UTC), NULL where not reached: the date of
    each day and the clock of each second are formatted once and put together in numpy."""
    null = "\\N" if postgres else None
    if not len(seconds):
        return np.array([], dtype=object)
    days = seconds // DAY
    first = int(days.min())
    dates = np.arange(first, int(days.max()) + 1).astype("datetime64[D]")
    names = np.datetime_as_string(dates, unit="D").astype(object)
    text = names[days - first] + _clock(postgres)[seconds - days * DAY]
    text[~reached] = null
    return text


def _ints(values: np.ndarray) -> np.ndarray:
    return values.astype(str).astype(object)


def _bools(values: np.ndarray, *, postgres: bool) -> Any:
    if postgres:
        return np.where(values, "t", "f").astype(object)
    return [int(v) for v in values.tolist()]


def _code(index: np.ndarray) -> np.ndarray:
    """Six characters of TRACKING_ALPHABET (32 = 2⁵) from a bijection of the index on [0, 2³⁰):
    different indexes never give the same characters."""
    x = (index * 747_796_405 + 2_891_336_453) & ((1 << 30) - 1)
    alphabet = np.array(list(TRACKING_ALPHABET))
    chars = [alphabet[(x >> (5 * i)) & 31] for i in range(6)]
    out = chars[0].astype(object)
    for c in chars[1:]:
        out = out + c.astype(object)
    return out


# --- the generator ---------------------------------------------------------------------------------------


def copy_cases(
    n: int,
    *,
    seed: int = 2026,
    now: datetime | None = None,
    years: int = 3,
    last_year_share: float = 0.4,
    open_share: float = 0.025,
    batch: int = 100_000,
    drop_indexes: bool | None = None,
    workers: int = 1,
    log: Log | None = None,
) -> ScaleRun:
    """Add n cases over `years` years ending `now` (see the module's doc); returns counts and the
    seconds of each step. drop_indexes (PostgreSQL): None drops them when the load at least doubles
    the cases."""
    run = ScaleRun()
    if n <= 0:
        return run
    postgres = connection.vendor == "postgresql"
    now = now or timezone.now()
    end = int(now.timestamp())
    rng = np.random.default_rng(seed)
    started = time.monotonic()
    city = _city(rng)
    have = Case.objects.count()
    first_case = (Case.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    phones = _phones(rng)
    tz_offset = int(timezone.localtime(now).utcoffset().total_seconds())  # type: ignore[union-attr]
    # the backlog: cases stuck with a department wait `stuck_days` on average
    normal_days = 2.2
    stuck_days = max(1.0, (open_share * 365 / last_year_share - normal_days) / STUCK_SHARE)
    tables = _tables(postgres)
    run.steps["prepare"] = time.monotonic() - started
    if drop_indexes is None:
        drop_indexes = n >= have
    dropped: list[str] = []
    t0 = time.monotonic()
    if drop_indexes:
        dropped = _drop_indexes([Case, CaseTransition])
    run.steps["drop indexes"] = time.monotonic() - t0
    global _JOB
    _JOB = _Job(
        tables=tables,
        city=city,
        seed=seed,
        n=n,
        batch=batch,
        end=end,
        years=years,
        last_year_share=last_year_share,
        stuck_days=stuck_days,
        tz_offset=tz_offset,
        have=have,
        first_case=first_case,
        phones=phones,
        postgres=postgres,
    )
    statuses: dict[str, int] = {}
    sums = Sums(sources=[name for name, _w in SOURCES])
    t0 = time.monotonic()
    chunks = range(math.ceil(n / batch))
    if workers > 1:
        connections.close_all()  # each worker process opens its own connection
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.imap_unordered(_run_chunk, chunks)
            _collect(run, statuses, sums, results, n, batch, t0, log)
    else:
        _collect(run, statuses, sums, map(_run_chunk, chunks), n, batch, t0, log)
    _JOB = None
    load = time.monotonic() - t0
    run.steps["cases, transitions, supervisions (load)"] = load
    run.cases, run.statuses = n, statuses
    t0 = time.monotonic()
    _restore_indexes(dropped, log, workers=workers)
    if postgres:
        _reset_sequences([Case])
    run.steps["indexes and sequences"] = time.monotonic() - t0
    t0 = time.monotonic()
    kept_rows = sums.write()  # the chunks' sums added to the kept counts: no second pass over the cases
    if log:
        log("  kept counts: " + ", ".join(f"{t} {m:,}" for t, m in kept_rows.items()))
    run.steps["kept counts"] = time.monotonic() - t0
    t0 = time.monotonic()
    # only the tables written here: statistics are not transactional, so a whole-database ANALYZE
    # inside a test's transaction would leave other tables recorded as empty for the next tests
    written = [Case, CaseTransition, Supervision, CaseDailyCount, CaseFlowCount, CaseCategoryCount]
    written += [CaseCloseTime, CaseFlowMonth, CaseCategoryMonth, CaseCloseMonth]
    with connection.cursor() as cursor:
        for model in written:  # one table a statement: SQLite's ANALYZE takes one name
            cursor.execute("ANALYZE " + connection.ops.quote_name(model._meta.db_table))
    run.steps["analyze"] = time.monotonic() - t0
    return run


@dataclass
class _Job:
    """What every chunk needs (module-level, so forked workers inherit it)."""

    tables: "_Tables"
    city: _City
    seed: int
    n: int
    batch: int
    end: int
    years: int
    last_year_share: float
    stuck_days: float
    tz_offset: int
    have: int
    first_case: int
    phones: list[tuple[str, str]]
    postgres: bool


_JOB: _Job | None = None


def _run_chunk(chunk_no: int) -> dict[str, Any]:
    """One chunk in its own transaction (a worker's, or a savepoint in one process)."""
    job = _JOB
    assert job is not None
    start = chunk_no * job.batch
    k = min(job.batch, job.n - start)
    with transaction.atomic():
        if job.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
                cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        counts = _chunk(
            job.tables,
            job.city,
            np.random.default_rng([job.seed, chunk_no]),
            start=start,
            k=k,
            n=job.n,
            end=job.end,
            years=job.years,
            last_year_share=job.last_year_share,
            stuck_days=job.stuck_days,
            tz_offset=job.tz_offset,
            global_index=job.have + start,
            case_id=job.first_case + start,
            phones=job.phones,
            postgres=job.postgres,
        )
    counts["cases"] = k
    return counts


def _collect(
    run: ScaleRun,
    statuses: dict[str, int],
    sums: Sums,
    results: Iterable[dict[str, Any]],
    n: int,
    batch: int,
    t0: float,
    log: Log | None,
) -> None:
    done = 0
    for i, counts in enumerate(results, 1):
        done += counts["cases"]
        run.transitions += counts["transitions"]
        run.supervisions += counts["supervisions"]
        sums.add(counts["kept"])
        for status, m in counts["statuses"].items():
            statuses[status] = statuses.get(status, 0) + m
        if log and (i % 10 == 0 or done == n):
            log(
                f"  cases: {done:,} of {n:,}, {run.transitions:,} transitions ({time.monotonic() - t0:.0f} s)"
            )


def _phones(rng: np.random.Generator) -> list[tuple[str, str]]:
    """A few thousand reporters' numbers, each encrypted once (as the bulk writer's _Phones)."""
    key = settings.FIELD_ENCRYPTION_KEY
    found = []
    for number in rng.integers(10_000_000, 99_999_999, 2000).tolist():
        phone = f"13{number % 10}{number}"
        found.append((crypto.encrypt(phone, key=key), crypto.lookup_hash(phone, key=key, purpose="phone")))
    return found


@dataclass
class _Tables:
    cases: _Table
    transitions: _Table
    supervisions: _Table


CASE_COLUMNS = [
    "id",
    "tracking_code",
    "rating_token_hash",
    "source",
    "kind",
    "category_id",
    "hotline_ticket",
    "description",
    "grid_id",
    "community_id",
    "region_path",
    "reporter_phone_encrypted",
    "reporter_phone_hash",
    "status",
    "version",
    "reported_at",
    "accepted_at",
    "dispatched_at",
    "responded_at",
    "resolved_at",
    "verified_at",
    "closed_at",
    "response_due",
    "handling_due",
    "closure_due",
    "warn_at",
    "warned_at",
    "overdue_at",
    "supervised",
    "result",
    "rating",
    "rated_at",
    "solved_confirmed",
]
TRANSITION_COLUMNS = [
    "case_id",
    "action",
    "from_status",
    "to_status",
    "actor_label",
    "reason",
    "data",
    "at",
    "processed_at",
]
SUPERVISION_COLUMNS = ["case_id", "automatic", "note", "created_at", "community_path"]


def _tables(postgres: bool) -> _Tables:
    return _Tables(
        _Table(Case, CASE_COLUMNS, postgres=postgres),
        _Table(CaseTransition, TRANSITION_COLUMNS, postgres=postgres),
        _Table(Supervision, SUPERVISION_COLUMNS, postgres=postgres),
    )


def _moments(
    rng: np.random.Generator, start: int, k: int, n: int, end: int, years: int, share: float
) -> np.ndarray:
    """k sorted report times, the [start, start+k) part of n spread over the years: the last year
    holds `share`, each earlier year the same part of the rest."""
    u = np.sort(rng.uniform(start / n, (start + k) / n, k))
    early = (years - 1) * YEAR
    begin = end - years * YEAR
    if years == 1:
        return (begin + u * YEAR).astype(np.int64)
    out = np.where(
        u < 1 - share,
        begin + u / (1 - share) * early,
        end - YEAR + (u - (1 - share)) / share * YEAR,
    )
    return np.minimum(out, end - 60).astype(np.int64)


def _chunk(
    tables: _Tables,
    city: _City,
    rng: np.random.Generator,
    *,
    start: int,
    k: int,
    n: int,
    end: int,
    years: int,
    last_year_share: float,
    stuck_days: float,
    tz_offset: int,
    global_index: int,
    case_id: int,
    phones: list[tuple[str, str]],
    postgres: bool,
) -> dict[str, Any]:
    ids = np.arange(case_id, case_id + k, dtype=np.int64)
    reported = _moments(rng, start, k, n, end, years, last_year_share)
    grid = rng.choice(len(city.grid_ids), k, p=city.weights)
    category = rng.choice(len(city.category_ids), k, p=city.category_weights)
    source = _pick(rng, SOURCES, k)
    kind = np.empty(k, dtype=object)
    for name, kinds in KINDS.items():
        where = source == name
        kind[where] = _pick(rng, kinds, int(where.sum()))

    def after(mean_seconds: float) -> np.ndarray:
        return rng.exponential(mean_seconds, k).astype(np.int64) + 60

    rejected = rng.random(k) < 0.03
    accepted = reported + after(2 * 3600)
    dispatched = accepted + after(1.5 * 3600)
    response_due = dispatched + DAY
    responded = dispatched + after(6 * 3600)
    handling_due = dispatched + 5 * DAY
    stuck = rng.random(k) < STUCK_SHARE
    resolved = responded + after(1.5 * DAY) + np.where(stuck, after(stuck_days * DAY), 0)
    verified = resolved + after(6 * 3600)
    closed = verified + after(12 * 3600)
    closure_due = dispatched + 10 * DAY
    warn_at = dispatched + 4 * DAY
    unsolved = rng.random(k) < 0.05
    r = rng.random(k)
    rating = np.where(
        r < 0.68, "satisfied", np.where(r < 0.80, "basically", np.where(r < 0.85, "unsatisfied", ""))
    )
    # the stages each case reached by now: rejected cases stop after their one step
    events = np.stack([accepted, dispatched, responded, resolved, verified, closed])
    stage = (events <= end).sum(axis=0)
    reject_at = reported + after(3 * 3600)
    rejected_done = rejected & (reject_at <= end)
    stage = np.where(rejected, 0, stage)
    status = np.array(STATUS_AT_STAGE, dtype=object)[stage]
    status[(stage == 6) & unsolved] = "closed_unsolved"
    status[rejected_done] = "rejected"
    closed_now = stage == 6
    # run out of time: the handling limit passed before the result, and by now
    overdue_at = handling_due + 600
    overdue = (~rejected) & (stage >= 2) & (resolved > overdue_at) & (overdue_at <= end)
    supervise_at = overdue_at + DAY
    supervised = overdue & (rng.random(k) < 0.3) & (supervise_at <= end) & (supervise_at < resolved)
    # warned: the worker's warning once 80% of the time is used
    warned = (~rejected) & (stage >= 2) & (warn_at <= end) & (resolved > warn_at)

    reached = [stage >= i + 1 for i in range(6)]
    local_day = (reported + tz_offset) // DAY
    prefix = np.datetime_as_string(local_day.astype("datetime64[D]"), unit="D")
    codes = _code(np.arange(global_index, global_index + k, dtype=np.int64))
    tracking = [p[2:4] + p[5:7] + p[8:10] + c for p, c in zip(prefix.tolist(), codes.tolist(), strict=True)]
    token = hashlib.sha256(os.urandom(32)).hexdigest()
    phone_pick = rng.integers(0, len(phones), k).tolist()
    texts = city.descriptions
    desc_pick = rng.integers(0, 1_000_000, k).tolist()
    cat = category.tolist()
    is_hotline = (source == "hotline").tolist()
    nul = "\\N" if postgres else None
    version = stage + supervised.astype(np.int64) + rejected_done.astype(np.int64)

    def times(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return _times(values, mask, postgres=postgres)

    closed_at = np.where(rejected, reject_at, closed)
    values: dict[str, Iterable[Any]] = {
        "id": _ints(ids),
        "tracking_code": tracking,
        "rating_token_hash": [token[: 64 - len(t)] + t for t in tracking],
        "source": source.tolist(),
        "kind": kind.tolist(),
        "category_id": _ints(city.category_ids[category]),
        "hotline_ticket": [
            f"BJ12345-{g:010d}" if h else ""
            for g, h in zip(range(global_index, global_index + k), is_hotline, strict=True)
        ],
        "description": [texts[c][d % len(texts[c])] for c, d in zip(cat, desc_pick, strict=True)],
        "grid_id": _ints(city.grid_ids[grid]),
        "community_id": _ints(city.community_ids[grid]),
        "region_path": [city.paths[g] for g in grid.tolist()],
        "reporter_phone_encrypted": [phones[i][0] for i in phone_pick],
        "reporter_phone_hash": [phones[i][1] for i in phone_pick],
        "status": status.tolist(),
        "version": _ints(version),
        "reported_at": times(reported, np.ones(k, dtype=bool)),
        "accepted_at": times(accepted, reached[0]),
        "dispatched_at": times(dispatched, reached[1]),
        "responded_at": times(responded, reached[2]),
        "resolved_at": times(resolved, reached[3]),
        "verified_at": times(verified, reached[4]),
        "closed_at": times(closed_at, closed_now | rejected_done),
        "response_due": times(response_due, reached[1]),
        "handling_due": times(handling_due, reached[1]),
        "closure_due": times(closure_due, reached[1]),
        "warn_at": times(warn_at, reached[1]),
        "warned_at": times(warn_at + 300, warned),
        "overdue_at": times(overdue_at, overdue),
        "supervised": _bools(supervised, postgres=postgres),
        "result": [RESULT if ok else "" for ok in reached[3].tolist()],
        "rating": np.where(closed_now, rating, "").tolist(),
        "rated_at": times(closed, closed_now & (rating != "")),
        "solved_confirmed": [
            ((0 if u else 1) if not postgres else ("f" if u else "t")) if c else nul
            for u, c in zip(unsolved.tolist(), closed_now.tolist(), strict=True)
        ],
    }
    tables.cases.write(values, k)

    # transitions of the cases reported in the last year or still open; older closed ones are archived
    keep = (reported >= end - YEAR) | ~(closed_now | rejected_done)
    processed = datetime.fromtimestamp(end, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    processed = processed + "+00" if postgres else processed
    parts: list[tuple[np.ndarray, np.ndarray, str, str, str, str, str, Any]] = []
    parts.append((ids[keep], reported[keep], "intake", "", "reported", "居民", "", None))
    parts.append(
        (
            ids[keep & rejected_done],
            reject_at[keep & rejected_done],
            "reject",
            "reported",
            "rejected",
            "社区工作站",
            REJECT_REASON,
            '{"why": "invalid"}',
        )
    )
    for i, (action, before, after_status, label) in enumerate(EVENTS):
        mask = keep & reached[i]
        if action == "follow_up":
            for solved in (True, False):
                m = mask & (unsolved != solved)
                for rate in ("satisfied", "basically", "unsatisfied", ""):
                    mm = m & (rating == rate)
                    data = {"solved": solved, **({"rating": rate} if rate else {})}
                    parts.append(
                        (
                            ids[mm],
                            events[i][mm],
                            action,
                            before,
                            "closed" if solved else "closed_unsolved",
                            label,
                            "",
                            json.dumps(data),
                        )
                    )
        else:
            reason = RESULT if action == "resolve" else ""
            parts.append((ids[mask], events[i][mask], action, before, after_status, label, reason, None))
    # 督办 keeps the status: it sits among the others by its time
    sup = keep & supervised
    sup_status = np.array(STATUS_AT_STAGE, dtype=object)[(events <= supervise_at).sum(axis=0)]
    transitions = 0
    for case_ids, at, action, before, after_status, label, reason, data in parts:
        m = len(case_ids)
        if not m:
            continue
        tables.transitions.write(
            {
                "case_id": _ints(case_ids),
                "action": action,
                "from_status": before,
                "to_status": after_status,
                "actor_label": label,
                "reason": reason,
                "data": data or "{}",
                "at": times(at, np.ones(m, dtype=bool)),
                "processed_at": processed,
            },
            m,
        )
        transitions += m
    m = int(sup.sum())
    if m:
        st = sup_status[sup].tolist()
        tables.transitions.write(
            {
                "case_id": _ints(ids[sup]),
                "action": "supervise",
                "from_status": st,
                "to_status": st,
                "actor_label": "system",
                "reason": SUPERVISION_NOTE,
                "data": '{"overdue": true}',
                "at": times(supervise_at[sup], np.ones(m, dtype=bool)),
                "processed_at": processed,
            },
            m,
        )
        transitions += m
    # the supervision rows of every supervised case (the figures count them by their time)
    m = int(supervised.sum())
    if m:
        paths = [city.paths[g] for g in grid[supervised].tolist()]
        communities = city.community_ids[grid[supervised]].tolist()
        tables.supervisions.write(
            {
                "case_id": _ints(ids[supervised]),
                "automatic": _bools(np.ones(m, dtype=bool), postgres=postgres),
                "note": SUPERVISION_NOTE,
                "created_at": times(supervise_at[supervised], np.ones(m, dtype=bool)),
                "community_path": [
                    p[: p.index(f"/{c}/") + len(f"/{c}/")] for p, c in zip(paths, communities, strict=True)
                ],
            },
            m,
        )
    names, counts = np.unique(status.astype(str), return_counts=True)
    # this chunk's part of the kept counts, from the same columns (see demo.cases.kept)
    kept = chunk_parts(
        community=city.community_ids[grid],
        source=source,
        sources=[name for name, _w in SOURCES],
        category_group=city.category_groups[category],
        tz_offset=tz_offset,
        reported=reported,
        dispatched=dispatched,
        is_dispatched=reached[1],
        responded=responded,
        is_responded=reached[2],
        response_due=response_due,
        closed=closed,
        concluded=closed_now,
        unsolved=unsolved,
        rating=rating,
        overdue_at=overdue_at,
        overdue=overdue,
    )
    return {
        "transitions": transitions,
        "supervisions": m,
        "statuses": dict(zip(names.tolist(), counts.tolist(), strict=True)),
        "kept": kept,
    }


# --- indexes, sequences, kept counts -------------------------------------------------------------------


def _drop_indexes(models_: list[type[models.Model]]) -> list[str]:
    """Drop the secondary indexes of the tables (not the primary keys or unique constraints);
    return their definitions to build them again."""
    definitions = []
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for model in models_:
            if postgres:
                cursor.execute(
                    """
                    SELECT i.indexname, i.indexdef FROM pg_indexes i
                    WHERE i.tablename = %s AND NOT EXISTS (
                        SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                    """,
                    [model._meta.db_table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL",
                    [model._meta.db_table],
                )
            for name, definition in cursor.fetchall():
                definitions.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')
    return definitions


def _restore_indexes(definitions: list[str], log: Log | None, workers: int = 1) -> None:
    """Build the dropped indexes again; on PostgreSQL outside a transaction, `workers` at once, each
    on its own connection (a thread each: the database does the work), largest first."""
    postgres = connection.vendor == "postgresql"
    if not definitions:
        return
    if postgres and workers > 1 and not connection.in_atomic_block:
        # the GIN and the wide indexes first, so the small ones fill in behind them
        ordered = sorted(definitions, key=lambda d: ("USING gin" not in d, -len(d)))
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(partial(_build_indexes, log=log), [ordered[i::workers] for i in range(workers)]))
        return
    _build_indexes(definitions, log)


def _build_indexes(definitions: list[str], log: Log | None) -> None:
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '1GB'")
            for definition in definitions:
                t0 = time.monotonic()
                cursor.execute(definition)
                if log:
                    log(f"  {definition[:90]}… {time.monotonic() - t0:.0f} s")
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()  # the thread's own connection


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )


def rebuild_kept_counts() -> None:
    """Every kept count of the cases recomputed from the cases in SQL, one GROUP BY per table: the
    rows daily_counts.rebuild and flow_counts.rebuild would write (tested equal), without reading
    the cases into Python. SQLite reads local days with the time zone's offset now (no DST)."""
    postgres = connection.vendor == "postgresql"
    tz = settings.TIME_ZONE
    offset = int(timezone.localtime().utcoffset().total_seconds())  # type: ignore[union-attr]
    case = Case._meta.db_table
    region = Region._meta.db_table
    concluded = (
        "c.closed_at IS NOT NULL AND c.duplicate_of_id IS NULL AND c.status NOT IN ('rejected', 'merged')"
    )

    def day(column: str) -> str:
        if postgres:
            return f"(c.{column} AT TIME ZONE '{tz}')::date"
        return f"date(c.{column}, '{offset:+d} seconds')"

    if postgres:
        tenths = "floor(extract(epoch FROM c.closed_at - c.reported_at) / 8640 + 0.5)::int"
        month = "date_trunc('month', d.day)::date"
    else:  # whole seconds first: julianday's fractions would round a tie either way
        seconds = "CAST(round((julianday(c.closed_at) - julianday(c.reported_at)) * 86400) AS INTEGER)"
        tenths = f"(({seconds}) + 4320) / 8640"
        month = "date(d.day, 'start of month')"
    statements = [
        f"DELETE FROM {t._meta.db_table}"
        for t in (
            CaseDailyCount,
            CaseFlowCount,
            CaseCategoryCount,
            CaseCloseTime,
            CaseFlowMonth,
            CaseCategoryMonth,
            CaseCloseMonth,
        )
    ]
    statements += [
        f"""INSERT INTO {CaseDailyCount._meta.db_table} (community_id, community_path, day, dispatched,
            responded_in_time, concluded, solved, rated, satisfied, basically)
        SELECT c.community_id, r.path, {day("dispatched_at")}, count(*),
            count(*) FILTER (WHERE c.responded_at IS NOT NULL AND c.responded_at <= c.response_due),
            count(*) FILTER (WHERE {concluded}),
            count(*) FILTER (WHERE c.solved_confirmed IS TRUE),
            count(*) FILTER (WHERE c.rating <> ''),
            count(*) FILTER (WHERE c.rating = 'satisfied'),
            count(*) FILTER (WHERE c.rating = 'basically')
        FROM {case} c JOIN {region} r ON r.id = c.community_id
        WHERE c.dispatched_at IS NOT NULL GROUP BY 1, 2, 3""",
        f"""INSERT INTO {CaseFlowCount._meta.db_table} (community_id, community_path, day, source,
            received, closed, closed_unsolved, overdue)
        SELECT x.community_id, r.path, x.day, x.source, sum(x.received), sum(x.closed),
            sum(x.unsolved), sum(x.overdue)
        FROM (
            SELECT c.community_id, {day("reported_at")} AS day, c.source,
                1 AS received, 0 AS closed, 0 AS unsolved, 0 AS overdue FROM {case} c
            UNION ALL
            SELECT c.community_id, {day("closed_at")}, c.source, 0, 1,
                CASE WHEN c.solved_confirmed IS TRUE THEN 0 ELSE 1 END, 0
            FROM {case} c WHERE {concluded}
            UNION ALL
            SELECT c.community_id, {day("overdue_at")}, c.source, 0, 0, 0, 1
            FROM {case} c WHERE c.overdue_at IS NOT NULL
        ) x JOIN {region} r ON r.id = x.community_id
        GROUP BY 1, 2, 3, 4""",
        f"""INSERT INTO {CaseCategoryCount._meta.db_table} (community_id, community_path, day,
            category_group, received)
        SELECT c.community_id, r.path, {day("reported_at")}, COALESCE(k.parent_id, 0), count(*)
        FROM {case} c JOIN {region} r ON r.id = c.community_id
            JOIN {CaseCategory._meta.db_table} k ON k.id = c.category_id
        GROUP BY 1, 2, 3, 4""",
        f"""INSERT INTO {CaseCloseTime._meta.db_table} (community_id, community_path, day, tenths, cases)
        SELECT c.community_id, r.path, {day("closed_at")}, {tenths}, count(*)
        FROM {case} c JOIN {region} r ON r.id = c.community_id
        WHERE {concluded}
        GROUP BY 1, 2, 3, 4""",
    ]
    pairs = [
        (pk, node)
        for pk, path in Region.objects.filter(level=Level.COMMUNITY).values_list("pk", "path")
        for node in ancestor_ids(path)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:  # the rows come from valid cases: no deferred foreign-key check per row at COMMIT
            cursor.execute("SET LOCAL session_replication_role = replica")
        for statement in statements:
            cursor.execute(statement)
        # the month tables: each community's days summed into every node from the root to it
        cursor.execute("DROP TABLE IF EXISTS bench_ancestors")
        cursor.execute("CREATE TEMPORARY TABLE bench_ancestors (community_id bigint, node_id bigint)")
        cursor.executemany("INSERT INTO bench_ancestors (community_id, node_id) VALUES (%s, %s)", pairs)
        for day_model, month_model, key, fields in (
            (CaseFlowCount, CaseFlowMonth, "source", flow_counts.FLOW_FIELDS),
            (CaseCategoryCount, CaseCategoryMonth, "category_group", ("received",)),
            (CaseCloseTime, CaseCloseMonth, "tenths", ("cases",)),
        ):
            names = ", ".join(fields)
            sums = ", ".join(f"sum(d.{f})" for f in fields)
            cursor.execute(
                f"""INSERT INTO {month_model._meta.db_table} (node_id, month, {key}, {names})
                SELECT a.node_id, {month}, d.{key}, {sums}
                FROM {day_model._meta.db_table} d JOIN bench_ancestors a ON a.community_id = d.community_id
                GROUP BY 1, 2, 3"""
            )
        cursor.execute("DROP TABLE bench_ancestors")


def database_size() -> dict[str, int]:
    """Bytes of the database and of the case tables (with their indexes); PostgreSQL or SQLite."""
    tables = [
        Case,
        CaseTransition,
        Supervision,
        CaseDailyCount,
        CaseFlowCount,
        CaseCategoryCount,
        CaseCloseTime,
    ]
    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            sizes["database"] = cursor.fetchone()[0]
            for model in tables:
                cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
                sizes[model._meta.db_table] = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            sizes["database"] = cursor.fetchone()[0]
            try:
                for model in tables:
                    cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = %s", [model._meta.db_table])
                    sizes[model._meta.db_table] = cursor.fetchone()[0] or 0
            except Exception:
                pass
    return sizes
