"""City-scale measurements for `make bench`: the generator, point → grid look-ups, subtree listings.

Runs only on an empty database of its own (scripts/bench.sh gives it one): it generates data,
measures, and deletes its 50,000-grid city before generating the 100,000-people one.
"""

import gc
import os
import platform
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import django
from django.db import connection, transaction
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.accounts.services import role_grant, user_create
from tongxin.core.roles import Role
from tongxin.core.scope import forget_cached_roles
from tongxin.demo.generator import Options, generate
from tongxin.people.selectors import people_visible
from tongxin.regions import selectors as region_selectors
from tongxin.regions.models import Level, Region, RegionCell

PAGE = 50
Log = Callable[[str], None]
BULK_BATCH = 20_000


def bulk_insert(
    model: Any,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    log: Log,
    label: str,
    every: int,
    drop_indexes: bool,
    batch: int = BULK_BATCH,
) -> int:
    """A bulk load as a DBA would do it: the model's secondary indexes go (when `drop_indexes`), the
    rows go in through one prepared INSERT of `columns`, `batch` rows a transaction, and the indexes
    are built again once at the end. Logs its progress every `every` rows; returns the rows written."""
    indexes = list(model._meta.indexes) if drop_indexes else []
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(model, index)
    # the model's own table and columns, no input (bandit B608)
    insert = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    started = time.monotonic()
    written, pending = 0, []
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            _execute_many(insert, pending)
            written, pending = written + len(pending), []
            if written % every < batch:
                log(f"  {written:,} {label} ({time.monotonic() - started:.0f} s)")
    if pending:
        _execute_many(insert, pending)
        written += len(pending)
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(model, index)
    return written


def _execute_many(sql: str, rows: list[tuple[Any, ...]]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass
class GeneratorRun:
    label: str
    timings: dict[str, float]
    grids: int
    people: int


@dataclass
class LookupRun:
    grids: int
    cache: str
    lookups: int
    seconds: float
    samples: list[float]
    found: int
    queries: float
    db_seconds: float

    @property
    def per_second(self) -> float:
        return self.lookups / self.seconds if self.seconds else 0.0


@dataclass
class ListingRun:
    label: str
    in_scope: int
    offset: int
    count: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    deep: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    queries: int = 0
    plan_first: str = ""
    plan_deep: str = ""
    plan_count: str = ""


@dataclass
class Report:
    command: str
    generators: list[GeneratorRun] = field(default_factory=list)
    lookups: list[LookupRun] = field(default_factory=list)
    listings: list[ListingRun] = field(default_factory=list)
    people: int = 0


# -- measurements ------------------------------------------------------------------------------


def run_generator(label: str, options: Options, log: Log) -> GeneratorRun:
    log(f"generating {label}…")
    result = generate(options)
    grids = Region.objects.filter(level=Level.GRID).count()
    people = len(result.plan.people)
    log(f"  {grids:,} grids, {people:,} people in {result.timings['total']:.1f} s")
    run = GeneratorRun(label, result.timings, grids, people)
    analyse()
    # the plan is large: let it go, so the garbage collector does not walk it during the look-ups
    del result
    gc.collect()
    return run


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum (or a DBA) would.

    On PostgreSQL also VACUUM, so autovacuum does not start on the fresh tables mid-measurement.
    """
    vacuum = connection.vendor == "postgresql" and connection.get_autocommit()
    with connection.cursor() as cursor:
        # VACUUM cannot run inside a transaction (a test's): ANALYZE alone then
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def city_points(n: int, seed: int) -> list[tuple[float, float]]:
    """Random points inside the city's bounding box."""
    city = Region.objects.get(level=Level.CITY)
    rng = random.Random(seed)
    assert city.min_lng is not None and city.max_lng is not None
    assert city.min_lat is not None and city.max_lat is not None
    return [
        (rng.uniform(city.min_lng, city.max_lng), rng.uniform(city.min_lat, city.max_lat)) for _ in range(n)
    ]


class QueryCounter:
    """Counts the queries run inside it, at no measurable cost (unlike the debug cursor)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0  # spent in the database driver

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started

    def __enter__(self) -> "QueryCounter":
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._wrapper.__exit__(*exc)


def measure_lookups(grids: int, points: list[tuple[float, float]], log: Log) -> list[LookupRun]:
    """Cold: the prepared-polygon cache is empty; warm: the same points again."""
    region_selectors._PREPARED.clear()
    runs = []
    for cache in ("cold", "warm"):
        samples: list[float] = []
        found = 0
        with QueryCounter() as queries:
            started = time.perf_counter()
            for lng, lat in points:
                t = time.perf_counter()
                grid = region_selectors.grid_at(lng, lat)
                samples.append(time.perf_counter() - t)
                found += grid is not None
            seconds = time.perf_counter() - started
        run = LookupRun(
            grids,
            cache,
            len(points),
            seconds,
            samples,
            found,
            queries.count / max(1, len(points)),
            queries.seconds,
        )
        log(f"  look-ups at {grids:,} grids, {cache}: {run.per_second:,.0f}/s")
        runs.append(run)
    return runs


def wipe_regions() -> None:
    """Delete the grids-only city (the benchmark's own database, checked empty at the start)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # table names from the models, no input
        cursor.execute(f"DELETE FROM {RegionCell._meta.db_table}")  # nosec B608
        cursor.execute(f"DELETE FROM {Region._meta.db_table}")  # nosec B608
    region_selectors._PREPARED.clear()


def _explain(queryset: Any) -> str:
    try:
        return str(queryset.explain())
    except Exception as exc:  # some backends cannot explain some queries; the figure stands anyway
        return f"(no plan: {exc})"


def listing_users() -> list[tuple[str, User]]:
    """A street official, a community secretary, a county and a city reader, in the middle of the data."""
    counties = list(Region.objects.filter(level=Level.COUNTY).order_by("code"))
    county = counties[len(counties) // 2]
    street = Region.objects.filter(parent=county, level=Level.STREET).order_by("code").first()
    assert street is not None
    community = Region.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code").first()
    assert community is not None
    city = Region.objects.get(level=Level.CITY)
    wanted = [
        ("street official", Role.STREET_OFFICIAL, street),
        ("community secretary", Role.COMMUNITY_SECRETARY, community),
        ("county organisation department", Role.COUNTY_ORG, county),
        ("system administrator", Role.SYSTEM_ADMIN, city),
    ]
    users = []
    for i, (label, role, region) in enumerate(wanted):
        user = user_create(username=f"bench{i}", password=None)
        role_grant(user=user, role=role, region=region, granted_by=None)
        users.append((f"{label} @ {region.name} ({region.get_level_display()})", user))
    return users


def measure_listing(label: str, user: User, repeat: int) -> ListingRun:
    """count, the first page by id and a page near the end, as a list view does for each request."""
    forget_cached_roles(user)
    in_scope = people_visible(user).count()
    offset = max(0, (in_scope * 9 // 10) // PAGE * PAGE)
    run = ListingRun(label, in_scope, offset)
    for i in range(repeat + 1):
        forget_cached_roles(user)  # each request reads the user's roles afresh
        with QueryCounter() as queries:
            t0 = time.perf_counter()
            queryset = people_visible(user)
            n = queryset.count()
            t1 = time.perf_counter()
            first = list(queryset.order_by("id")[:PAGE])
            t2 = time.perf_counter()
            deep = list(queryset.order_by("id")[offset : offset + PAGE])
            t3 = time.perf_counter()
        assert n == in_scope and len(first) == min(PAGE, n) and (deep or not n)
        if i == 0:  # the first run warms the caches and is not counted
            run.queries = queries.count
            continue
        run.count.append(t1 - t0)
        run.first.append(t2 - t1)
        run.deep.append(t3 - t2)
        run.total.append(t3 - t0)
    queryset = people_visible(user)
    run.plan_count = _explain(queryset.order_by())
    run.plan_first = _explain(queryset.order_by("id")[:PAGE])
    run.plan_deep = _explain(queryset.order_by("id")[offset : offset + PAGE])
    return run


# -- the report --------------------------------------------------------------------------------


def database_label() -> tuple[str, str]:
    """(section key, label) for the database in use."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            row = cursor.fetchone()
        version = row[0] if row else "?"
        return "postgresql", f"PostgreSQL {version}"
    import sqlite3

    return connection.vendor, f"SQLite {sqlite3.sqlite_version}"


def machine() -> str:
    cpu, ram = platform.processor() or platform.machine(), ""
    try:
        info = Path("/proc/cpuinfo").read_text()
        found = re.search(r"model name\s*:\s*(.+)", info)
        cpu = found.group(1).strip() if found else cpu
        mem = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
        ram = f"{int(mem.group(1)) / 1024 / 1024:.0f} GiB RAM" if mem else ""
    except OSError:
        pass
    versions = f"Python {platform.python_version()}, Django {django.get_version()}"
    return f"{os.cpu_count()} CPUs ({cpu}), {ram}, {versions}"


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.2f}"


def render(report: Report) -> tuple[str, str]:
    key, label = database_label()
    lines = [
        f"<!-- bench:{key} -->",
        f"## {label}",
        "",
        f"Measured {date.today():%Y-%m-%d} with `{report.command}` on {machine()}.",
        "",
        "### Generator (`tongxin demo`, bulk path)",
        "",
        "| data | grids | people | plan s | regions s | organisations s | people s | positions s "
        "| accounts s | total s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for g in report.generators:
        t = g.timings
        cells = [
            f"{t.get(k, 0.0):.1f}"
            for k in ("plan", "regions", "organisations", "people", "positions", "accounts")
        ]
        lines.append(f"| {g.label} | {g.grids:,} | {g.people:,} | {' | '.join(cells)} | {t['total']:.1f} |")
    lines += [
        "",
        "### Point → grid look-up (`regions.selectors.grid_at`)",
        "",
        "Random points in the city's bounding box, after `ANALYZE`. *Cold*: the per-process cache of "
        "prepared polygons is empty; *warm*: the same points again.",
        "",
        "| grids | cache | look-ups | look-ups/s | p50 ms | p99 ms | found a grid | queries per look-up "
        "| of which in the database, ms |",
        "|--:|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in report.lookups:
        lines.append(
            f"| {r.grids:,} | {r.cache} | {r.lookups:,} | {r.per_second:,.0f} | {_ms(r.samples, 0.5)} | "
            f"{_ms(r.samples, 0.99)} | {r.found / max(1, r.lookups):.1%} | {r.queries:.1f} | "
            f"{r.db_seconds / max(1, r.lookups) * 1000:.3f} |"
        )
    lines += [
        "",
        f"### Subtree listing (`people.selectors.people_visible`), {report.people:,} people",
        "",
        f"Per request (after `ANALYZE`): the user's roles, `count()`, the first page of {PAGE} by id, "
        f"and a page 90% of the way down; p50 / p95 in ms over repeated runs (the first run is not counted).",
        "",
        "| user | people in scope | count | first page | deep page (offset) | whole request | queries |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for lst in report.listings:
        lines.append(
            f"| {lst.label} | {lst.in_scope:,} | {_ms(lst.count, 0.5)} / {_ms(lst.count, 0.95)} | "
            f"{_ms(lst.first, 0.5)} / {_ms(lst.first, 0.95)} | "
            f"{_ms(lst.deep, 0.5)} / {_ms(lst.deep, 0.95)} ({lst.offset:,}) | "
            f"{_ms(lst.total, 0.5)} / {_ms(lst.total, 0.95)} | {lst.queries} |"
        )
    lines += ["", "<details><summary>Query plans of the listings</summary>", ""]
    for lst in report.listings:
        lines += [f"**{lst.label}**", "", "```"]
        lines += [
            f"-- count\n{lst.plan_count}",
            f"-- first page\n{lst.plan_first}",
            f"-- deep page\n{lst.plan_deep}",
        ]
        lines += ["```", ""]
    lines += ["</details>", "", f"<!-- /bench:{key} -->"]
    return key, "\n".join(lines) + "\n"


HEADER = """# Benchmarks

Produced by `make bench` (`scripts/bench.sh` → `tongxin bench`) on a database of its own
(`var/bench`, or the PostgreSQL server named by `DATABASE_URL`:
`sh scripts/with-postgres.sh sh scripts/bench.sh`). Each database has its own section below;
a new run replaces its section. The figures are real runs, not estimates.

"""


def write_report(path: Path, key: str, section: str) -> None:
    text = path.read_text() if path.exists() else HEADER
    pattern = re.compile(rf"<!-- bench:{key} -->.*?<!-- /bench:{key} -->\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def timings_section(key: str, heading: str, command: str, intro: str, timings: dict[str, list[float]]) -> str:
    """A BENCHMARKS.md section: its markers (`key` with the database's), heading (with the database
    and the command that measured), what was measured and a p50/p95 table of the timed pages."""
    db_key, db_label = database_label()
    lines = [
        f"<!-- bench:{key}-{db_key} -->",
        f"## {heading} ({db_label}, `{command}`)",
        "",
        f"Measured {timezone.localdate():%Y-%m-%d} on {machine()}. {intro}",
        "",
        "| what | p50 ms | p95 ms |",
        "|---|---:|---:|",
    ]
    for what, samples in timings.items():
        lines.append(
            f"| {what} | {percentile(samples, 0.5) * 1000:.1f} | {percentile(samples, 0.95) * 1000:.1f} |"
        )
    lines.append(f"<!-- /bench:{key}-{db_key} -->")
    return "\n".join(lines) + "\n"


def run_on_grids(*, grids: int, seed: int, output: str, log: Log, load_and_measure: Callable[[], str]) -> str:
    """A benchmark over a grids-only city (generated when the database has no grid yet): load its
    rows and time the pages (`load_and_measure` gives the section), then write the section into
    `output` (BENCHMARKS.md) when asked."""
    if not Region.objects.filter(level=Level.GRID).exists():
        run_generator(f"{grids:,} grids only", Options(seed=seed, grids=grids, grids_only=True), log)
    section = load_and_measure()
    if output:
        write_report(Path(output), section.split("\n", 1)[0][len("<!-- bench:") : -len(" -->")], section)
    return section
