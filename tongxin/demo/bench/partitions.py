"""`tongxin bench_partitions` (PostgreSQL only): what monthly range partitioning of cases (by
reported_at) and of their transitions (by at) would change, and what archiving old closed cases
changes, measured on copies built in SQL beside the application's tables (schema `bench_parts`,
dropped at the end).

The copies have the columns and indexes that matter for the measured reads (cases_case's scope-list
and backlog indexes, cases_casetransition's case, time and (action, at, case) indexes); rows are
synthetic and deterministic: `cases` spread evenly over `months` months ending now, 6–10
transitions each, 97% closed within ten days, one in twenty reopened. Measured on each layout:

- list: a street's newest 50 cases (the list page's first page), and a month of a street filtered
  by status;
- rate: a street's cases reported in one month, counted with those closed (what the three rates'
  denominators read when not kept);
- timeline: one case's transitions, on the partitioned copy both without and with the case's
  reported_at as a lower bound on `at` (which lets the planner skip the older partitions);
- reopened: a street's cases reopened in the last year (the one figure that reads transitions);
- archiving one month of closures: DELETE of their transitions from the plain table against
  DETACH + DROP of a month's partition (after the same archive rows are written);
- archiving every case closed more than a year ago on the plain layout: sizes and the reads above,
  before and after.
"""

import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from tongxin.cases.archive import cases_archive
from tongxin.cases.models import Case, CaseTransition
from tongxin.core.actors import SYSTEM
from tongxin.demo.cases import bulk_cases

SCHEMA = "bench_parts"
STREETS = 8
COMMUNITIES = 400  # 50 a street
OPEN = ("in_progress", "dispatched", "resolved")


@dataclass
class Timing:
    name: str
    ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


@dataclass
class Report:
    cases: int
    transitions: int
    months: int
    built: dict[str, float] = field(default_factory=dict)  # seconds
    sizes: dict[str, int] = field(default_factory=dict)  # bytes
    reads: dict[str, Timing] = field(default_factory=dict)
    archive: dict[str, float] = field(default_factory=dict)  # ms or counts
    notes: list[str] = field(default_factory=list)


def _run(sql: str, params: Any = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _one(sql: str, params: Any = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return row[0] if row else None


@contextmanager
def _timed(report: Report, key: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    report.built[key] = time.perf_counter() - started


def _month_bounds(start: datetime, end: datetime) -> list[datetime]:
    """The first instants of the months from start's to the one after end's (UTC)."""
    out = [datetime(start.year, start.month, 1, tzinfo=UTC)]
    while out[-1] <= end:
        year, month = out[-1].year, out[-1].month
        out.append(datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC))
    return out


CASE_COLUMNS = """
    id bigint NOT NULL, region_path varchar(255) NOT NULL, reported_at timestamptz NOT NULL,
    closed_at timestamptz, status varchar(16) NOT NULL, category_id integer NOT NULL,
    supervised boolean NOT NULL, handling_due timestamptz, description text NOT NULL
"""
TRANSITION_COLUMNS = """
    id bigint NOT NULL, case_id bigint NOT NULL, action varchar(24) NOT NULL,
    from_status varchar(16) NOT NULL, to_status varchar(16) NOT NULL, actor_id integer,
    actor_label varchar(100) NOT NULL, reason text NOT NULL, data jsonb NOT NULL,
    at timestamptz NOT NULL, processed_at timestamptz
"""


def _build(report: Report, cases: int, months: int, now: datetime) -> list[datetime]:
    s = SCHEMA
    _run(f"DROP SCHEMA IF EXISTS {s} CASCADE")
    _run(f"CREATE SCHEMA {s}")
    span = months * 30 * 86400
    stamp = now.isoformat()
    with _timed(report, "cases (plain)"):
        _run(f"CREATE TABLE {s}.cases ({CASE_COLUMNS})")
        _run(
            f"""
            INSERT INTO {s}.cases
            SELECT g, '/1/' || (10 + (g % {COMMUNITIES}) / 50) || '/' || (1000 + g % {COMMUNITIES}) || '/',
                   r, CASE WHEN g % 33 = 0 THEN NULL ELSE r + ((g % 10) || ' days')::interval END,
                   CASE WHEN g % 33 = 0 THEN (ARRAY['in_progress','dispatched','resolved'])[1 + g % 3]
                        WHEN g % 7 = 0 THEN 'closed_unsolved' ELSE 'closed' END,
                   1 + g % 40, g % 50 = 0, r + interval '3 days',
                   '楼下垃圾三天没人清运，气味很大，请尽快处理 ' || g
            FROM (SELECT g,
                         '{stamp}'::timestamptz - (({cases} - g)::float8 * {span} / {cases}) * interval '1 s'
                           AS r
                  FROM generate_series(1, {cases}) g) x
            """
        )
        _run(f"ALTER TABLE {s}.cases ADD PRIMARY KEY (id)")
        _run(
            f"CREATE INDEX ON {s}.cases (region_path, reported_at, status, supervised, handling_due, "
            "category_id)"
        )
        _run(f"CREATE INDEX ON {s}.cases (status, region_path)")
        _run(f"CREATE INDEX ON {s}.cases (closed_at)")
    with _timed(report, "transitions (plain)"):
        _run(f"CREATE TABLE {s}.tr ({TRANSITION_COLUMNS})")
        _run(
            f"""
            INSERT INTO {s}.tr
            SELECT c.id * 16 + k, c.id,
                   CASE WHEN k = 0 THEN 'intake' WHEN k = n - 1 AND c.closed_at IS NOT NULL THEN 'follow_up'
                        WHEN k = 3 AND c.id % 20 = 0 THEN 'reopen'
                        ELSE (ARRAY['accept','dispatch','respond','resolve','verify_pass','supervise'])
                             [1 + k % 6]
                   END,
                   'dispatched', 'in_progress', 1 + c.id % 500, '社区工作人员' || (c.id % 500),
                   CASE WHEN k % 3 = 0 THEN '已联系居民，现场查看并处理' ELSE '' END,
                   CASE WHEN k = 0 THEN '{{"source": "resident"}}'::jsonb ELSE '{{}}'::jsonb END,
                   c.reported_at + (coalesce(c.closed_at, '{stamp}'::timestamptz) - c.reported_at) * k / n,
                   c.reported_at + (coalesce(c.closed_at, '{stamp}'::timestamptz) - c.reported_at) * k / n
            FROM (SELECT *, 6 + id % 5 AS n FROM {s}.cases) c CROSS JOIN LATERAL generate_series(0, c.n - 1) k
            """
        )
        _run(f"ALTER TABLE {s}.tr ADD PRIMARY KEY (id)")
        _run(f"CREATE INDEX ON {s}.tr (case_id)")
        _run(f"CREATE INDEX ON {s}.tr (at)")
        _run(f"CREATE INDEX ON {s}.tr (action, at, case_id)")
    bounds = _month_bounds(now - timedelta(days=months * 30), now + timedelta(days=10))
    with _timed(report, "cases (partitioned)"):
        _run(f"CREATE TABLE {s}.cases_p ({CASE_COLUMNS}) PARTITION BY RANGE (reported_at)")
        _partitions("cases_p", bounds)
        _run(f"INSERT INTO {s}.cases_p SELECT * FROM {s}.cases")
        _run(f"ALTER TABLE {s}.cases_p ADD PRIMARY KEY (id, reported_at)")
        _run(
            f"CREATE INDEX ON {s}.cases_p (region_path, reported_at, status, supervised, handling_due, "
            "category_id)"
        )
        _run(f"CREATE INDEX ON {s}.cases_p (status, region_path)")
    with _timed(report, "transitions (partitioned)"):
        _run(f"CREATE TABLE {s}.tr_p ({TRANSITION_COLUMNS}) PARTITION BY RANGE (at)")
        _partitions("tr_p", bounds)
        _run(f"INSERT INTO {s}.tr_p SELECT * FROM {s}.tr")
        _run(f"ALTER TABLE {s}.tr_p ADD PRIMARY KEY (id, at)")
        _run(f"CREATE INDEX ON {s}.tr_p (case_id)")
        _run(f"CREATE INDEX ON {s}.tr_p (action, at, case_id)")
    _run(
        f"CREATE TABLE {s}.archive (case_id bigint PRIMARY KEY, history jsonb NOT NULL, "
        "transition_count integer NOT NULL, archived_at timestamptz NOT NULL)"
    )
    _run(f"ANALYZE {s}.cases, {s}.tr, {s}.cases_p, {s}.tr_p")
    report.transitions = int(_one(f"SELECT count(*) FROM {s}.tr"))
    return bounds


def _partitions(table: str, bounds: list[datetime]) -> None:
    for start, end in itertools.pairwise(bounds):
        _run(
            f"CREATE TABLE {SCHEMA}.{table}_{start:%Y%m} PARTITION OF {SCHEMA}.{table} "
            "FOR VALUES FROM (%s) TO (%s)",
            [start, end],
        )


def _size(name: str) -> int:
    return int(_one("SELECT pg_total_relation_size(%s)", [f"{SCHEMA}.{name}"]))


def _tree_size(name: str) -> int:
    """A partitioned table's rows and indexes: the sum over its partitions."""
    return int(
        _one(
            "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree(%s) WHERE isleaf",
            [f"{SCHEMA}.{name}"],
        )
    )


def _time(report: Report, name: str, repeat: int, query: Callable[[random.Random], tuple[str, Any]]) -> None:
    rng = random.Random(name)
    timing = Timing(name)
    with connection.cursor() as cursor:
        for _ in range(repeat):
            sql, params = query(rng)
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timing.ms.append((time.perf_counter() - started) * 1000)
    report.reads[name] = timing


def _street(rng: random.Random) -> tuple[str, str]:
    path = f"/1/{10 + rng.randrange(STREETS)}/"
    return path, path + "~"


def _reads(
    report: Report, suffix: str, cases_table: str, tr_table: str, repeat: int, now: datetime, n: int
) -> None:
    s = SCHEMA
    year_ago = now - timedelta(days=365)

    def month(rng: random.Random) -> tuple[datetime, datetime]:
        start = now - timedelta(days=30 * (1 + rng.randrange(11)))
        return start, start + timedelta(days=30)

    _time(
        report,
        f"list, street, newest 50 {suffix}",
        repeat,
        lambda rng: (
            f"SELECT id FROM {s}.{cases_table} WHERE region_path >= %s AND region_path < %s "
            "ORDER BY reported_at DESC, id DESC LIMIT 50",
            list(_street(rng)),
        ),
    )
    _time(
        report,
        f"list, street, a month, closed {suffix}",
        repeat,
        lambda rng: (
            f"SELECT id FROM {s}.{cases_table} WHERE region_path >= %s AND region_path < %s "
            "AND reported_at >= %s AND reported_at < %s AND status = 'closed' "
            "ORDER BY reported_at DESC, id DESC LIMIT 50",
            [*_street(rng), *month(rng)],
        ),
    )
    _time(
        report,
        f"rate, street, a month {suffix}",
        repeat,
        lambda rng: (
            f"SELECT count(*), count(closed_at) FROM {s}.{cases_table} WHERE region_path >= %s "
            "AND region_path < %s AND reported_at >= %s AND reported_at < %s",
            [*_street(rng), *month(rng)],
        ),
    )
    _time(
        report,
        f"timeline, a case of the last year {suffix}",
        repeat,
        lambda rng: (
            f"SELECT * FROM {s}.{tr_table} WHERE case_id = %s ORDER BY at, id",
            [n - rng.randrange(n // 3)],
        ),
    )
    _time(
        report,
        f"reopened, street, last year {suffix}",
        max(5, repeat // 4),
        lambda rng: (
            f"SELECT count(DISTINCT t.case_id) FROM {s}.{tr_table} t JOIN {s}.cases c ON c.id = t.case_id "
            "WHERE t.action = 'reopen' AND t.at >= %s AND t.at < %s "
            "AND c.region_path >= %s AND c.region_path < %s",
            [year_ago, now, *_street(rng)],
        ),
    )


def _archive_sql(where: str) -> str:
    s = SCHEMA
    return f"""
        INSERT INTO {s}.archive
        SELECT t.case_id, jsonb_agg(jsonb_build_object(
                   'id', t.id, 'action', t.action, 'from_status', t.from_status, 'to_status', t.to_status,
                   'actor_id', t.actor_id, 'actor_label', t.actor_label, 'reason', t.reason, 'data', t.data,
                   'at', t.at, 'processed_at', t.processed_at) ORDER BY t.at, t.id),
               count(*), now()
        FROM {s}.tr t WHERE t.case_id IN ({where})
        GROUP BY t.case_id
        ON CONFLICT (case_id) DO NOTHING
    """


def run(*, cases: int, months: int, repeat: int, keep: bool, log: Callable[[str], None]) -> Report:
    assert connection.vendor == "postgresql", "bench_partitions measures PostgreSQL"
    s = SCHEMA
    now = timezone.now()
    report = Report(cases=cases, transitions=0, months=months)
    bounds = _build(report, cases, months, now)
    log(f"built {cases:,} cases, {report.transitions:,} transitions: {report.built}")
    report.sizes = {
        "cases (plain)": _size("cases"),
        "transitions (plain)": _size("tr"),
        "cases (partitioned)": _tree_size("cases_p"),
        "transitions (partitioned)": _tree_size("tr_p"),
    }
    _reads(report, "(plain)", "cases", "tr", repeat, now, cases)
    _reads(report, "(partitioned)", "cases_p", "tr_p", repeat, now, cases)
    # the partitioned timeline when the case's reported_at bounds `at` (the planner prunes)
    _time(
        report,
        "timeline, a case of the last year (partitioned, at >= reported_at)",
        repeat,
        lambda rng: (
            f"SELECT t.* FROM {s}.tr_p t WHERE t.case_id = %s AND t.at >= %s ORDER BY at, id",
            [
                (case_id := cases - rng.randrange(cases // 3)),
                _one(f"SELECT reported_at FROM {s}.cases WHERE id = %s", [case_id]),
            ],
        ),
    )
    log("reads measured")

    # one month of closures archived: the oldest month's partition on the partitioned layout
    first, second = bounds[0], bounds[1]
    month_cases = (
        f"SELECT id FROM {s}.cases WHERE closed_at >= '{first.isoformat()}' "
        f"AND closed_at < '{second.isoformat()}'"
    )
    started = time.perf_counter()
    _run(_archive_sql(month_cases))
    report.archive["write archive rows of a month (ms)"] = (time.perf_counter() - started) * 1000
    report.archive["cases archived in that month"] = float(_one(f"SELECT count(*) FROM {s}.archive"))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {s}.tr WHERE case_id IN ({month_cases})")
        report.archive["transitions deleted"] = float(cursor.rowcount)
    report.archive["DELETE a month's transitions, plain (ms)"] = (time.perf_counter() - started) * 1000
    partition = f"tr_p_{first:%Y%m}"
    started = time.perf_counter()
    # the partition holds transitions by `at`: only cases wholly archived may go with it
    stray = int(
        _one(
            f"SELECT count(*) FROM {s}.{partition} t WHERE NOT EXISTS "
            f"(SELECT 1 FROM {s}.archive a WHERE a.case_id = t.case_id)"
        )
    )
    report.archive["check the partition holds archived cases only (ms)"] = (
        time.perf_counter() - started
    ) * 1000
    report.archive["transitions of unarchived cases in that partition"] = float(stray)
    started = time.perf_counter()
    _run(f"ALTER TABLE {s}.tr_p DETACH PARTITION {s}.{partition}")
    _run(f"DROP TABLE {s}.{partition}")
    report.archive["DETACH + DROP a month's partition (ms)"] = (time.perf_counter() - started) * 1000

    # everything closed more than a year ago, on the plain layout: sizes and reads before and after
    cutoff = now - timedelta(days=365)
    old = f"SELECT id FROM {s}.cases WHERE closed_at < '{cutoff.isoformat()}'"
    started = time.perf_counter()
    _run(_archive_sql(old))
    report.archive["write archive rows, all closed > 1 year (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {s}.tr WHERE case_id IN ({old})")
        report.archive["transitions deleted, all closed > 1 year"] = float(cursor.rowcount)
    report.archive["DELETE their transitions (s)"] = time.perf_counter() - started
    _run(f"VACUUM ANALYZE {s}.tr")
    report.sizes["transitions (plain) after archiving, VACUUM"] = _size("tr")
    started = time.perf_counter()
    _run(f"VACUUM FULL {s}.tr")
    report.archive["VACUUM FULL after archiving (s)"] = time.perf_counter() - started
    _run(f"ANALYZE {s}.tr, {s}.archive")
    report.sizes["transitions (plain) after archiving, VACUUM FULL"] = _size("tr")
    report.sizes["archive"] = _size("archive")
    _reads(report, "(plain, archived)", "cases", "tr", repeat, now, cases)
    _time(
        report,
        "timeline of an archived case (archive row by primary key)",
        repeat,
        lambda rng: (
            f"SELECT history FROM {s}.archive WHERE case_id = %s",
            [1 + rng.randrange(cases // 2)],
        ),
    )
    if not keep:
        _run(f"DROP SCHEMA {s} CASCADE")
    return report


def render(report: Report, *, load: str, command: str) -> str:
    mib = 1024 * 1024
    lines = [
        f"{report.cases:,} cases over {report.months} months, {report.transitions:,} transitions "
        f"(`{command}`; load average {load})",
        "",
        "| built | seconds |",
        "|---|---:|",
        *[f"| {k} | {v:.1f} |" for k, v in report.built.items()],
        "",
        "| size (rows and indexes) | MiB |",
        "|---|---:|",
        *[f"| {k} | {v / mib:,.0f} |" for k, v in report.sizes.items()],
        "",
        "| read | p50 ms | p95 ms |",
        "|---|---:|---:|",
        *[f"| {t.name} | {t.p50:.1f} | {t.p95:.1f} |" for t in report.reads.values()],
        "",
        "| archiving | value |",
        "|---|---:|",
        *[f"| {k} | {v:,.1f} |" for k, v in report.archive.items()],
    ]
    return "\n".join(lines)


def service(*, cases: int, seed: int, batch: int, log: Callable[[str], None]) -> dict[str, float]:
    """The archiving service itself (cases/archive.py) on the application's tables: `cases` bulk
    cases over two years (needs the demo city), then everything closed more than a year ago
    archived in batches; cases and transitions a second, and the rerun that finds nothing."""
    now = timezone.now()
    bulk_cases(cases, rng=random.Random(seed), now=now, days=730, log=log)
    before = (now - timedelta(days=365)).date()
    transitions = CaseTransition.objects.count()
    started = time.perf_counter()
    done = cases_archive(before=before, actor=SYSTEM, batch=batch)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = cases_archive(before=before, actor=SYSTEM, batch=batch)
    rerun = time.perf_counter() - started
    assert again.cases == 0
    return {
        "cases in the database": float(Case.objects.count()),
        "transitions before": float(transitions),
        "cases archived": float(done.cases),
        "transitions archived": float(done.transitions),
        "seconds": seconds,
        "cases archived a second": done.cases / seconds if seconds else 0.0,
        "transitions archived a second": done.transitions / seconds if seconds else 0.0,
        "rerun, nothing to do (s)": rerun,
    }
