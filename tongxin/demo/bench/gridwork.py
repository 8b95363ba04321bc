"""Grid work at city scale: millions of log entries spread over a year and every grid, households
(a tenth tagged) in the measured street; then a grid worker's "my grid" page and a street's monthly
log figures, timed through the real page and the statistics selectors.

The rows are bulk-written (the services' own checks are measured by the tests, not here); every
column the services would fill is filled the same way."""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.utils import timezone

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.demo.bench.city import (
    analyse,
    bulk_insert,
    percentile,
    run_on_grids,
    timings_section,
)
from tongxin.gridwork.models import KindCode, LogEntry, LogKind, Outcome
from tongxin.households.models import CareTag, Household, HouseholdTag
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create
from tongxin.statistics import selectors as figures
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import REGISTRY

Log = Callable[[str], None]
# the share of each kind in a year's log (visits and patrols are most of the day)
MIX = [
    (KindCode.VISIT, 50),
    (KindCode.PATROL, 25),
    (KindCode.INSPECTION, 8),
    (KindCode.POLICY, 7),
    (KindCode.MEDIATION, 3),
    (KindCode.STARTUP, 2),
    (KindCode.ERRAND, 5),
]
HOUSEHOLDS_PER_GRID = 300
OUTCOMES = [Outcome.RESOLVED, Outcome.RESOLVED, Outcome.PARTIAL, Outcome.UNRESOLVED]


@dataclass
class Result:
    entries: int = 0
    grids: int = 0
    households: int = 0
    load_seconds: float = 0.0
    loaded: int = 0
    timings: dict[str, list[float]] = field(default_factory=dict)


def _street_with_most_grids() -> Region:
    best, most = None, -1
    for street in Region.objects.filter(level=Level.STREET).order_by("path")[:50]:
        n = Region.objects.filter(path__startswith=street.path, level=Level.GRID).count()
        if n > most:
            best, most = street, n
    assert best is not None, "no street"
    return best


def _households(street: Region, rng: random.Random, log: Log) -> dict[int, list[int]]:
    """HOUSEHOLDS_PER_GRID households in one building of each grid of the street; a tenth tagged."""
    tag = CareTag.objects.filter(region__isnull=True).order_by("sort_order").first()
    found: dict[int, list[int]] = {}
    grids = list(Region.objects.filter(path__startswith=street.path, level=Level.GRID).order_by("path"))
    for grid in grids:
        if Household.objects.filter(grid=grid).exists():
            found[grid.pk] = list(Household.objects.filter(grid=grid).values_list("pk", flat=True))
            continue
        building = region_create(
            actor=SYSTEM, name="1幢", level=Level.BUILDING, code=f"{grid.code}00001", parent=grid
        )
        assert grid.parent is not None
        rows = [
            Household(
                building=building,
                grid=grid,
                community=grid.parent,
                region_path=building.path,
                street="幸福路",
                house_number=str(1 + n // 60),
                unit=str(1 + n % 60 // 20),
                room=f"{1 + n % 20 // 2}0{1 + n % 2}",
                address=f"幸福路{1 + n // 60}号{1 + n % 60 // 20}单元{1 + n % 20 // 2}0{1 + n % 2}室",
            )
            for n in range(HOUSEHOLDS_PER_GRID)
        ]
        Household.objects.bulk_create(rows, batch_size=1000)
        ids = list(Household.objects.filter(grid=grid).values_list("pk", flat=True))
        if tag is not None:
            HouseholdTag.objects.bulk_create(
                [HouseholdTag(household_id=pk, tag=tag) for pk in rng.sample(ids, len(ids) // 10)]
            )
        found[grid.pk] = ids
    log(f"  {sum(len(v) for v in found.values()):,} households in {len(grids)} grids of {street.name}")
    return found


def load_entries(total: int, *, seed: int, log: Log) -> Result:
    """Top the log up to `total` entries over the last year, spread over every grid."""
    rng = random.Random(f"{seed}:gridwork")
    result = Result()
    grids = list(Region.objects.filter(level=Level.GRID).values_list("pk", "path"))
    result.grids = len(grids)
    street = _street_with_most_grids()
    homes = _households(street, rng, log)
    result.households = sum(len(v) for v in homes.values())
    kinds = {k.code: k for k in LogKind.objects.filter(region__isnull=True)}
    codes = [code for code, weight in MIX for _i in range(weight)]
    have = LogEntry.objects.count()
    now = timezone.now()
    started = time.monotonic()
    columns = [
        "kind_id",
        "code",
        "author_label",
        "grid_id",
        "region_path",
        "household_id",
        "at",
        "note",
        "outcome",
        "answers",
        "found_something",
        "recorded_at",
        "client_key",
        "corrections",
    ]

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(have, total):
            grid_id, path = grids[n % len(grids)] if n % 5 else rng.choice(grids)
            code = rng.choice(codes)
            at = connection.ops.adapt_datetimefield_value(
                now - timedelta(seconds=rng.randrange(365 * 24 * 3600))
            )
            grid_homes = homes.get(grid_id)
            household = rng.choice(grid_homes) if grid_homes and code == KindCode.VISIT else None
            outcome = rng.choice(OUTCOMES) if code == KindCode.MEDIATION else ""
            yield (
                kinds[code].pk,
                code,
                "网格员",
                grid_id,
                path,
                household,
                at,
                "",
                outcome,
                "{}",
                False,
                at,
                "",
                "[]",
            )

    bulk_insert(
        LogEntry,
        columns,
        rows(),
        log=log,
        label="entries",
        every=500_000,
        drop_indexes=total - have > 500_000,
    )
    result.load_seconds = time.monotonic() - started
    result.loaded = max(0, total - have)
    result.entries = LogEntry.objects.count()
    analyse()
    log(f"  {result.entries:,} entries, loaded in {result.load_seconds:.0f} s")
    return result


def _user(name: str, role: str, region: Region) -> User:
    user, _created = User.objects.get_or_create(username=name)
    RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    return user


def _say(log: Log, label: str, samples: list[float]) -> None:
    p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    log(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


def measure(result: Result, repeat: int, log: Log) -> None:
    street = _street_with_most_grids()
    grid = Region.objects.filter(path__startswith=street.path, level=Level.GRID).order_by("path").first()
    assert grid is not None and grid.parent is not None
    worker = _user("bench_gridworker", Role.GRID_WORKER, grid)
    official = _user("bench_gridstreet", Role.STREET_OFFICIAL, street)
    secretary = _user("bench_gridsecretary", Role.COMMUNITY_SECRETARY, grid.parent)

    def page(label: str, user: User, url: str) -> None:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.get(url)  # warm
        samples = []
        for _i in range(repeat):
            t = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200, (url, response.status_code)
        result.timings[label] = samples
        _say(log, label, samples)

    page("grid worker: my grid (/gridwork/)", worker, "/gridwork/")
    page("grid worker: record, household step", worker, "/gridwork/record/visit/")
    page("community secretary: its grids", secretary, "/gridwork/community/")
    page("street official: the log, first page", official, "/gridwork/log/")

    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    month = Period(last_month, first - timedelta(days=1))
    indicators = [i for code, i in REGISTRY.items() if code.startswith("gridwork.") and i.kind != "computed"]
    samples = []
    for _i in range(repeat):
        t = time.perf_counter()
        figures.compute(street, month, indicators)
        samples.append(time.perf_counter() - t)
    label = f"street: last month's log figures ({len(indicators)} indicators)"
    result.timings[label] = samples
    _say(log, label, samples)
    tagged = [REGISTRY["gridwork.tagged_visited"]]
    samples = []
    for _i in range(repeat):
        t = time.perf_counter()
        figures.compute(street, month, tagged)
        samples.append(time.perf_counter() - t)
    label = "street: tagged households visited in time (last month)"
    result.timings[label] = samples
    _say(log, label, samples)


def render(result: Result, command: str) -> str:
    intro = (
        f"{result.entries:,} log entries over the last year in {result.grids:,} grids ({result.loaded:,} "
        f"bulk-loaded by this run in {result.load_seconds:.0f} s), {result.households:,} households "
        "(a tenth tagged) in the grids of the measured street."
    )
    heading = f"Grid work at {result.entries:,} log entries"
    return timings_section("gridwork", heading, command, intro, result.timings)


def run(*, entries: int, grids: int, repeat: int, seed: int, output: str, command: str, log: Log) -> str:
    def load_and_measure() -> str:
        result = load_entries(entries, seed=seed, log=log)
        measure(result, repeat, log)
        return render(result, command)

    return run_on_grids(grids=grids, seed=seed, output=output, log=log, load_and_measure=load_and_measure)
