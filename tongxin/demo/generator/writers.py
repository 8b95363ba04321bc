"""Two ways to write a plan: through the services (every rule checked) or in bulk (city scale).

The bulk writer must leave exactly what the services would: the same paths ('/id/id/'), depths,
bounding boxes, centres and RegionCell rows. tongxin/demo/tests checks that it does.
"""

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from tongxin.accounts.services import role_grant, user_create
from tongxin.core.actors import SYSTEM
from tongxin.demo.generator.personas import DEMO_PASSWORD
from tongxin.demo.generator.plan import Plan, RegionSpec
from tongxin.lib import codes, geo
from tongxin.organisations.models import PartyOrganisation
from tongxin.organisations.services import organisation_create
from tongxin.people.models import Person, Position
from tongxin.people.services import person_create, position_create
from tongxin.regions.models import Level, Region, RegionCell
from tongxin.regions.services import region_create

Progress = Callable[[str], None]
BATCH = 2000


class Timer:
    """Seconds spent in each step, in order."""

    def __init__(self, progress: Progress | None) -> None:
        self.steps: dict[str, float] = {}
        self.progress = progress
        self._name = ""
        self._start = 0.0

    def step(self, name: str) -> None:
        self.stop()
        self._name, self._start = name, time.perf_counter()
        if self.progress:
            self.progress(name)

    def stop(self) -> None:
        if self._name:
            self.steps[self._name] = self.steps.get(self._name, 0.0) + time.perf_counter() - self._start
            self._name = ""


def _accounts(plan: Plan, people: dict[int, Person], regions: Callable[[str], Region]) -> None:
    for spec in plan.accounts:
        user = user_create(username=spec.username, password=DEMO_PASSWORD, person=people[spec.person])
        role_grant(user=user, role=spec.role, region=regions(spec.region), granted_by=None)


# -- through the services -------------------------------------------------------------------


def write_with_services(plan: Plan, timer: Timer) -> None:
    timer.step("regions")
    regions: dict[str, Region] = {}
    for r in plan.regions:
        regions[r.code] = region_create(
            actor=SYSTEM,
            name=r.name,
            level=r.level,
            code=r.code,
            parent=regions[r.parent] if r.parent else None,
            kind=r.kind,
            geometry=r.geometry,
            address=r.address,
            centre=r.centre,
        )
    timer.step("organisations")
    orgs: dict[str, PartyOrganisation] = {}
    for o in plan.organisations:
        orgs[o.code] = organisation_create(
            name=o.name,
            kind=o.kind,
            code=o.code,
            region=regions[o.region],
            parent=orgs[o.parent] if o.parent else None,
            founded_on=o.founded_on,
            term_ends_on=o.term_ends_on,
        )
    timer.step("people")
    people: dict[int, Person] = {}
    for i, p in enumerate(plan.people):
        people[i] = person_create(
            phone=p.phone,
            id_card=p.id_card,
            name=p.name,
            gender=p.gender,
            birth_date=p.birth_date,
            ethnicity=p.ethnicity,
            region=regions[p.region],
            address=p.address,
            employer=p.employer,
            party_status=p.party_status,
            party_joined_on=p.party_joined_on,
            party_full_on=p.party_full_on,
            branch=orgs[p.branch] if p.branch else None,
        )
    timer.step("positions")
    for s in plan.positions:
        position_create(
            person=people[s.person],
            kind=s.kind,
            starts_on=s.starts_on,
            region=regions[s.region] if s.region else None,
            organisation=orgs[s.organisation] if s.organisation else None,
            ends_on=s.ends_on,
        )
    timer.step("accounts")
    _accounts(plan, people, regions.__getitem__)
    timer.stop()


# -- in bulk --------------------------------------------------------------------------------


def _depths(items: list[Any]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for item in items:  # parents come before their children in a plan
        depth[item.code] = depth[item.parent] + 1 if item.parent else 0
    return depth


def _fill_paths(model: Any, depth: int) -> None:
    """Set path = parent's path + id + '/' for the rows just inserted at `depth`, in one statement."""
    parent_path = Subquery(model.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    model.objects.filter(depth=depth, path="").update(
        path=Concat(
            Coalesce(parent_path, Value("/")), Cast("id", CharField()), Value("/"), output_field=CharField()
        )
    )


def _region_row(
    spec: RegionSpec, parent_id: int | None, depth: int, community: str | None
) -> tuple[Region, list[int]]:
    """The row region_create would write, and the cells _index_cells would add."""
    codes.check_code(spec.level, spec.code, parent_code=spec.parent, community_code=community)
    region = Region(
        name=spec.name.strip(),
        level=spec.level,
        kind=spec.kind,
        code=spec.code,
        parent_id=parent_id,
        address=spec.address,
        depth=depth,
    )
    if spec.centre is not None:
        region.centre_lng, region.centre_lat = spec.centre
    cells: list[int] = []
    if spec.geometry:
        polygon = geo.parse_polygon(spec.geometry)
        region.geometry = geo.to_geojson(polygon)
        region.min_lng, region.min_lat, region.max_lng, region.max_lat = polygon.bounds
        if region.centre_lng is None or region.centre_lat is None:
            point = polygon.representative_point()
            region.centre_lng, region.centre_lat = point.x, point.y
        if spec.level == Level.GRID:
            cells = list(geo.cells_covering(polygon.bounds))
    return region, cells


def _insert_cells(rows: list[tuple[int, int]]) -> None:
    """RegionCell rows straight to the database: a city has millions, and model objects cost more
    than the insert itself (COPY on PostgreSQL)."""
    table = connection.ops.quote_name(RegionCell._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (cell, region_id) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # the model's own table name, no input (bandit B608)
        sql = f"INSERT INTO {table} (cell, region_id) VALUES (%s, %s)"  # nosec B608
        for start in range(0, len(rows), 20_000):
            cursor.executemany(sql, rows[start : start + 20_000])


def write_in_bulk(plan: Plan, timer: Timer) -> None:
    timer.step("regions")
    region_depth = _depths(plan.regions)
    region_ids: dict[str, int] = {}
    by_depth: dict[int, list[RegionSpec]] = {}
    community_of: dict[str, str] = {}  # grid -> the community it belongs to
    for spec in plan.regions:
        by_depth.setdefault(region_depth[spec.code], []).append(spec)
        if spec.level == Level.COMMUNITY:
            community_of[spec.code] = spec.code
        elif spec.level in (Level.GRID, Level.BUILDING) and spec.parent:
            community_of[spec.code] = community_of[spec.parent]
    for depth in sorted(by_depth):
        specs = by_depth[depth]
        for start in range(0, len(specs), BATCH):
            chunk = specs[start : start + BATCH]
            rows, cells = [], []
            for spec in chunk:
                region, region_cells = _region_row(
                    spec,
                    region_ids[spec.parent] if spec.parent else None,
                    depth,
                    community_of.get(spec.code) if spec.level == Level.GRID else None,
                )
                rows.append(region)
                cells.append(region_cells)
            Region.objects.bulk_create(rows, batch_size=500)
            _insert_cells([(c, r.pk) for r, rc in zip(rows, cells, strict=True) for c in rc])
            region_ids.update((r.code, r.pk) for r in rows)
        _fill_paths(Region, depth)

    timer.step("organisations")
    org_depth = _depths(plan.organisations)
    org_ids: dict[str, int] = {}
    for depth in sorted(set(org_depth.values())):
        org_rows = [
            PartyOrganisation(
                name=o.name.strip(),
                kind=o.kind,
                code=o.code.strip(),
                region_id=region_ids[o.region],
                parent_id=org_ids[o.parent] if o.parent else None,
                depth=depth,
                founded_on=o.founded_on,
                term_ends_on=o.term_ends_on,
            )
            for o in plan.organisations
            if org_depth[o.code] == depth
        ]
        PartyOrganisation.objects.bulk_create(org_rows, batch_size=500)
        org_ids.update((o.code, o.pk) for o in org_rows)
        _fill_paths(PartyOrganisation, depth)

    timer.step("people")
    person_ids: list[int] = []
    for start in range(0, len(plan.people), BATCH):
        batch = []
        for p in plan.people[start : start + BATCH]:
            person = Person(
                name=p.name.strip(),
                gender=p.gender,
                birth_date=p.birth_date,
                ethnicity=p.ethnicity,
                region_id=region_ids[p.region],
                address=p.address,
                employer=p.employer,
                party_status=p.party_status,
                party_joined_on=p.party_joined_on,
                party_full_on=p.party_full_on,
                branch_id=org_ids[p.branch] if p.branch else None,
            )
            person.set_phone(p.phone)
            person.set_id_card(p.id_card)
            batch.append(person)
        Person.objects.bulk_create(batch, batch_size=500)
        person_ids.extend(x.pk for x in batch)

    timer.step("positions")
    Position.objects.bulk_create(
        [
            Position(
                person_id=person_ids[s.person],
                kind=s.kind,
                region_id=region_ids[s.region or ""],
                organisation_id=org_ids[s.organisation] if s.organisation else None,
                starts_on=s.starts_on,
                ends_on=s.ends_on,
            )
            for s in plan.positions
        ],
        batch_size=1000,
    )

    timer.step("accounts")
    needed = {a.person for a in plan.accounts}
    people = {i: Person.objects.get(pk=person_ids[i]) for i in needed}
    _accounts(plan, people, lambda code: Region.objects.get(pk=region_ids[code]))
    timer.stop()
