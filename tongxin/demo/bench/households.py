"""Households at city scale: the household table topped up to a million rows over every grid of
the city (a building per grid where the city has none; 5% tagged), then a grid worker's household
list, a tagged household's page (audited), a street official's list and the API list, timed
through the real pages.

The rows are bulk-written (the services' checks are measured by the tests, not here); every column
the services fill — grid, community, the building's path, the formatted address — is filled the
same way."""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.utils import timezone

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.roles import Role
from tongxin.demo.bench.city import (
    analyse,
    bulk_insert,
    percentile,
    run_on_grids,
    timings_section,
)
from tongxin.households.models import CareTag, Household, HouseholdTag, format_dwelling
from tongxin.lib.tree import ancestor_ids, child_path
from tongxin.regions.models import Kind, Level, Region

Log = Callable[[str], None]
BATCH = 20_000
TAGGED_SHARE = 0.05
STREETS = ["幸福路", "文昌路", "建设路", "人民路", "解放路", "和平路", "新华路", "中山路"]


@dataclass
class Result:
    households: int = 0
    tagged: int = 0
    buildings: int = 0
    grids: int = 0
    load_seconds: float = 0.0
    timings: dict[str, list[float]] = field(default_factory=dict)


def _buildings(log: Log) -> list[tuple[int, int, int, str, str]]:
    """(building, grid, community, path, address prefix) for every grid's buildings; a grid without
    one gets a building (bulk: the path is set once its id is known)."""
    communities = set(Region.objects.filter(level=Level.COMMUNITY).values_list("pk", flat=True))
    grids = list(Region.objects.filter(level=Level.GRID).values_list("pk", "code", "path", "depth"))
    have = set(Region.objects.filter(level=Level.BUILDING).values_list("parent_id", flat=True))
    new = [
        Region(
            name="1幢",
            level=Level.BUILDING,
            kind=Kind.BUILDING,
            code=f"{code}{90001:05d}"[:20],
            parent_id=pk,
            depth=depth + 1,
        )
        for pk, code, _path, depth in grids
        if pk not in have
    ]
    if new:
        paths = {pk: path for pk, _code, path, _depth in grids}
        for i in range(0, len(new), 2000):
            made = Region.objects.bulk_create(new[i : i + 2000])
            for region in made:
                assert region.parent_id is not None
                region.path = child_path(paths[region.parent_id], region.pk)
            Region.objects.bulk_update(made, ["path"])
        log(f"  {len(new):,} buildings added to grids without one")
    found = []
    grid_ids = {pk for pk, *_rest in grids}
    for pk, parent_id, path, name in Region.objects.filter(level=Level.BUILDING).values_list(
        "pk", "parent_id", "path", "name"
    ):
        if parent_id not in grid_ids:
            continue
        community = next((i for i in ancestor_ids(path) if i in communities), None)
        if community is not None:
            found.append((pk, parent_id, community, path, name))
    return found


def load_households(total: int, *, seed: int, log: Log) -> Result:
    """Top the households up to `total`, spread evenly over the city's buildings."""
    rng = random.Random(f"{seed}:households")
    result = Result()
    buildings = _buildings(log)
    result.buildings = len(buildings)
    result.grids = len({b[1] for b in buildings})
    have = Household.objects.count()
    started = time.monotonic()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = [
        "building_id",
        "grid_id",
        "community_id",
        "region_path",
        "street",
        "house_number",
        "unit",
        "room",
        "address",
        "note",
        "active",
        "created_at",
        "updated_at",
    ]

    def rows() -> Iterator[tuple[Any, ...]]:
        per_building: dict[int, int] = {}
        for n in range(have, total):
            building, grid, community, path, name = buildings[n % len(buildings)]
            k = per_building.get(building, 0) + (
                have // len(buildings) if building not in per_building else 0
            )
            per_building[building] = k + 1
            street = f"{STREETS[building % len(STREETS)]}{building % 397 + 1}号{name}"
            unit, room = str(1 + k // 40), f"{1 + k % 40 // 2}0{1 + k % 2}"
            address = format_dwelling(street, "", unit, room)
            yield (building, grid, community, path, street, "", unit, room, address, "", True, now, now)

    bulk_insert(
        Household,
        columns,
        rows(),
        log=log,
        label="households",
        every=200_000,
        drop_indexes=total - have > 200_000,
    )
    tags = list(CareTag.objects.filter(region__isnull=True).values_list("pk", flat=True))
    if tags and not HouseholdTag.objects.exists():
        ids = list(Household.objects.values_list("pk", flat=True))
        chosen = rng.sample(ids, int(len(ids) * TAGGED_SHARE))
        for i in range(0, len(chosen), BATCH):
            HouseholdTag.objects.bulk_create(
                [HouseholdTag(household_id=pk, tag_id=rng.choice(tags)) for pk in chosen[i : i + BATCH]]
            )
    result.load_seconds = time.monotonic() - started
    result.households = Household.objects.count()
    result.tagged = HouseholdTag.objects.values("household_id").distinct().count()
    analyse()
    loaded = f"loaded in {result.load_seconds:.0f} s"
    log(f"  {result.households:,} households ({result.tagged:,} tagged), {loaded}")
    return result


def _user(name: str, role: str, region: Region) -> User:
    user, _created = User.objects.get_or_create(username=name)
    RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    return user


def measure(result: Result, repeat: int, log: Log) -> None:
    tagged = HouseholdTag.objects.select_related("household__grid").order_by("household_id").first()
    household = tagged.household if tagged else Household.objects.select_related("grid").first()
    assert household is not None
    grid = household.grid
    ids = ancestor_ids(grid.path)
    street = Region.objects.get(pk__in=ids, level=Level.STREET)
    worker = _user("bench_householdworker", Role.GRID_WORKER, grid)
    official = _user("bench_householdstreet", Role.STREET_OFFICIAL, street)

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
        p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
        log(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")

    in_grid = Household.objects.filter(grid=grid).count()
    in_street = Household.objects.filter(region_path__startswith=street.path).count()
    page(f"grid worker: household list of the grid ({in_grid:,})", worker, "/households/")
    page("grid worker: a tagged household's page (audited)", worker, f"/households/{household.pk}/")
    page("grid worker: API list, first 50", worker, "/api/v1/households?limit=50")
    page(f"street official: household list, first page ({in_street:,})", official, "/households/")
    page("street official: list filtered by address", official, "/households/?q=%E5%B9%B8%E7%A6%8F%E8%B7%AF")


def render(result: Result, command: str) -> str:
    intro = (
        f"{result.households:,} households ({result.tagged:,} tagged) in {result.buildings:,} buildings "
        f"of {result.grids:,} grids, bulk-loaded in {result.load_seconds:.0f} s."
    )
    return timings_section(
        "households", f"Households at {result.households:,}", command, intro, result.timings
    )


def run(*, households: int, grids: int, repeat: int, seed: int, output: str, command: str, log: Log) -> str:
    def load_and_measure() -> str:
        result = load_households(households, seed=seed, log=log)
        measure(result, repeat, log)
        return render(result, command)

    return run_on_grids(grids=grids, seed=seed, output=output, log=log, load_and_measure=load_and_measure)
