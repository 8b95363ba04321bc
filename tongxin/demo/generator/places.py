"""The places of the demo city: regions, grids, buildings and the Party organisations on them.

Each county holds "triples" of three streets in the image of the seeds:
  A  a city street like seed 000 (岩孔街道): 6 communities, 21 grids, 党工委 → 社区党委 → 网格党支部
     → 楼栋党小组;
  B  a township like seed 001 (田园镇): two town communities, six villages, and 社区大党委 whose
     member units' Party organisations hang under them (until partner units exist);
  C  a street like seed 003 (萍乡经开区): 5 communities/villages with 5 first-level, 29
     second-level and 138 third-level grids, nested polygons, the "234" system.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from tongxin.demo import names
from tongxin.demo.generator import layout
from tongxin.demo.generator.plan import OrgSpec, Plan, RegionSpec
from tongxin.organisations.models import OrgKind
from tongxin.regions.models import Kind, Level

CITY_CODE = "529000000000"
CITY_CENTRE = (106.2, 27.4)
# one street's share of the map, in degrees (about 5 km × 5 km)
STREET_WIDTH, STREET_HEIGHT = 0.05, 0.045
TRIPLES_PER_COUNTY = 5
GRAND_COMMITTEE_UNITS = 12  # member units of one 社区大党委 at most (seed 001: 95 in 6)

A_GRIDS = [4, 4, 4, 3, 3, 3]  # 21 grids, seed 000
B_COMMUNITY_GRIDS, B_VILLAGE_GRIDS = 4, 3
C_SECOND_LEVEL, C_THIRD_LEVEL = 29, 138  # seed 003 (with one first-level grid per community)
GRIDS_PER_TRIPLE = (
    sum(A_GRIDS) + 2 * B_COMMUNITY_GRIDS + 6 * B_VILLAGE_GRIDS + 5 + C_SECOND_LEVEL + C_THIRD_LEVEL
)

# default residents of each community, by type (a triple has 2,400)
A_PEOPLE, B_TOWN_PEOPLE, B_VILLAGE_PEOPLE, C_COMMUNITY_PEOPLE, C_VILLAGE_PEOPLE = (
    1000 / 6,
    150,
    500 / 6,
    140,
    90,
)
PEOPLE_PER_TRIPLE = 2400


@dataclass
class Residence:
    """Where people live: a building, or a grid with no buildings (villages)."""

    region: str
    grid: str
    branch: str | None
    address: str
    weight: float


@dataclass
class GridInfo:
    code: str
    name: str
    tier: int  # 1 for flat grids and first-level ones
    leaf: bool
    parent_grid: str | None
    branch: str | None = None  # the branch whose members live here
    group: str | None = None  # a 党小组 on this grid
    buildings: list[str] = field(default_factory=list)
    building_groups: dict[str, str] = field(default_factory=dict)  # building code -> 党小组 code
    villagers: bool = False  # 1+1 grid workers (seed 001)


@dataclass
class CommunityInfo:
    spec: RegionSpec
    street: "StreetInfo"
    village: bool
    weight: float
    org: str | None = None  # 社区党委 / 村党支部 / 村党总支
    elected_on: date | None = None
    grids: list[GridInfo] = field(default_factory=list)
    residences: list[Residence] = field(default_factory=list)
    four_roles: bool = False  # 四员 (seed 003)


@dataclass
class GrandCommittee:
    """A 社区大党委 and the Party organisations of its member units."""

    code: str
    community: str
    units: list[tuple[str, str]]  # (unit org code, unit name)


@dataclass
class StreetInfo:
    spec: RegionSpec
    type: str  # "A", "B" or "C"
    county: "CountyInfo"
    org: str | None = None
    communities: list[CommunityInfo] = field(default_factory=list)
    grand_committees: list[GrandCommittee] = field(default_factory=list)


@dataclass
class CountyInfo:
    spec: RegionSpec
    org: str | None = None
    streets: list[StreetInfo] = field(default_factory=list)
    units: list[tuple[str, str]] = field(default_factory=list)  # (unit name, org kind) not yet used


@dataclass
class City:
    spec: RegionSpec
    org: str | None
    counties: list[CountyInfo]

    def communities(self) -> list[CommunityInfo]:
        return [c for county in self.counties for s in county.streets for c in s.communities]

    def streets(self) -> list[StreetInfo]:
        return [s for county in self.counties for s in county.streets]


def triples_for(scale: int, grids: int | None) -> int:
    return max(1, scale, math.ceil(grids / GRIDS_PER_TRIPLE) if grids else 0)


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


class _Names:
    """Unique names drawn from syllable lists, the seeds' own names first."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def take(
        self, preferred: str | None, first: str | list[str], second: str | list[str], suffix: str
    ) -> str:
        if preferred and preferred not in self.used:
            self.used.add(preferred)
            return preferred
        for _ in range(200):
            name = self.rng.choice(first) + self.rng.choice(second) + suffix
            if name not in self.used:
                self.used.add(name)
                return name
        n = len(self.used)
        name = f"{self.rng.choice(first)}{self.rng.choice(second)}{names.chinese_number(n % 99 + 1)}{suffix}"
        self.used.add(name)
        return name


_COMMUNITY_WORDS = [names.COMMUNITY_WORDS[i : i + 2] for i in range(0, len(names.COMMUNITY_WORDS), 2)]


class PlacesBuilder:
    def __init__(self, plan: Plan, *, seed: int, triples: int, with_people: bool) -> None:
        self.plan = plan
        self.rng = random.Random(f"{seed}:layout")
        self.buildings_rng = random.Random(f"{seed}:buildings")
        self.org_rng = random.Random(f"{seed}:organisations")
        self.place_names = _Names(random.Random(f"{seed}:place-names"))
        self.triples = triples
        # grids-only mode (lookup benchmarks): no buildings, no organisations
        self.with_people = with_people
        self._org_counters: dict[str, int] = {}
        self._specs: dict[str, RegionSpec] = {}

    # -- helpers ------------------------------------------------------------------------------

    def _region(
        self,
        *,
        code: str,
        name: str,
        level: str,
        kind: str,
        parent: RegionSpec | None,
        quad: layout.Quad | None,
    ) -> RegionSpec:
        spec = RegionSpec(
            code=code,
            name=name,
            level=level,
            kind=kind,
            parent=parent.code if parent else None,
            geometry=layout.to_geojson(quad) if quad else None,
        )
        self._specs[code] = spec
        return self.plan.add_region(spec)

    def _org(
        self,
        *,
        name: str,
        kind: str,
        region: RegionSpec,
        parent: str | None,
        founded: tuple[int, int] = (1985, 2015),
        term_from: date | None = None,
    ) -> str:
        n = self._org_counters.get(region.code, 0) + 1
        self._org_counters[region.code] = n
        code = f"{region.code}D{n:02d}"
        rng = self.org_rng
        founded_on = _random_date(rng, date(founded[0], 1, 1), date(founded[1], 12, 31))
        term_ends_on = term_from.replace(year=term_from.year + 5) if term_from else None
        self.plan.add_org(
            OrgSpec(
                code=code,
                name=name,
                kind=kind,
                region=region.code,
                parent=parent,
                founded_on=founded_on,
                term_ends_on=term_ends_on,
            )
        )
        return code

    # -- the city -----------------------------------------------------------------------------

    def build(self) -> City:
        n_counties = math.ceil(self.triples / TRIPLES_PER_COUNTY)
        base, extra = divmod(self.triples, n_counties)
        per_county = [base + (1 if i < extra else 0) for i in range(n_counties)]
        county_rows = layout.rows_for(n_counties)
        width = max(county_rows) * 3 * STREET_WIDTH
        height = len(county_rows) * max(per_county) * STREET_HEIGHT
        city_quad = layout.rectangle_quad(CITY_CENTRE, width, height)
        city_spec = self._region(
            code=CITY_CODE,
            name=names.CITY_NAME,
            level=Level.CITY,
            kind=Kind.CITY,
            parent=None,
            quad=city_quad,
        )
        city_org = (
            self._org(
                name=f"中共{names.CITY_NAME}委员会", kind=OrgKind.COMMITTEE, region=city_spec, parent=None
            )
            if self.with_people
            else None
        )
        city = City(city_spec, city_org, [])
        for i, quad in enumerate(layout.split(city_quad, county_rows, self.rng)):
            city.counties.append(self._county(city, i, quad, per_county[i]))
        return city

    def _county(self, city: City, index: int, quad: layout.Quad, triples: int) -> CountyInfo:
        preferred = names.COUNTY_NAMES[index] if index < len(names.COUNTY_NAMES) else None
        name = self.place_names.take(preferred, names.PLACE_FIRST, names.PLACE_SECOND, "区")
        code = f"{CITY_CODE[:4]}{index + 2:02d}000000"
        spec = self._region(
            code=code, name=name, level=Level.COUNTY, kind=Kind.DISTRICT, parent=city.spec, quad=quad
        )
        county = CountyInfo(spec)
        if self.with_people:
            county.org = self._org(
                name=f"中共{name}委员会", kind=OrgKind.COMMITTEE, region=spec, parent=city.org
            )
            county.units = [(f"{name}{d}", "department") for d in names.COUNTY_DEPARTMENTS] + [
                (template.format(county=name), kind) for template, kind in names.OTHER_UNITS
            ]
        slots = layout.split(quad, [3] * triples, self.rng)
        first = index == 0
        grand_committees = 2 * triples
        per_grand = (
            min(GRAND_COMMITTEE_UNITS, max(4, len(county.units) // grand_committees)) if county.units else 0
        )
        for t in range(triples):
            a, b, c = slots[3 * t : 3 * t + 3]
            seeds = first and t == 0
            county.streets.append(self._street_a(county, t, a, seeds))
            county.streets.append(self._town_b(county, t, b, seeds, per_grand))
            county.streets.append(self._street_c(county, t, c, seeds))
        return county

    def _street(
        self, county: CountyInfo, *, number: int, name: str, kind: str, quad: layout.Quad, type_: str
    ) -> StreetInfo:
        code = f"{county.spec.code[:6]}{number:03d}000"
        spec = self._region(
            code=code, name=name, level=Level.STREET, kind=kind, parent=county.spec, quad=quad
        )
        street = StreetInfo(spec, type_, county)
        if self.with_people:
            if kind == Kind.TOWN:
                street.org = self._org(
                    name=f"中共{name}委员会", kind=OrgKind.COMMITTEE, region=spec, parent=county.org
                )
            else:
                street.org = self._org(
                    name=f"中共{name}工作委员会",
                    kind=OrgKind.WORKING_COMMITTEE,
                    region=spec,
                    parent=county.org,
                )
        return street

    def _community(
        self, street: StreetInfo, *, number: int, name: str, village: bool, quad: layout.Quad, weight: float
    ) -> CommunityInfo:
        code = f"{street.spec.code[:9]}{number:03d}"
        spec = self._region(
            code=code,
            name=name,
            level=Level.COMMUNITY,
            kind=Kind.VILLAGE if village else Kind.COMMUNITY,
            parent=street.spec,
            quad=quad,
        )
        community = CommunityInfo(spec, street, village, weight * self.rng.uniform(0.8, 1.2))
        community.elected_on = _random_date(self.org_rng, date(2021, 3, 1), date(2021, 6, 30))
        street.communities.append(community)
        return community

    def _community_names(self, preferred: list[str], n: int, used: set[str]) -> list[str]:
        result = []
        for i in range(n):
            name = preferred[i] if i < len(preferred) else ""
            while not name or name in used:
                name = self.place_names.rng.choice(_COMMUNITY_WORDS) + "社区"
            used.add(name)
            result.append(name)
        return result

    def _village_names(self, preferred: list[str], n: int, used: set[str]) -> list[str]:
        result = []
        for i in range(n):
            name = preferred[i] if i < len(preferred) else ""
            while not name or name in used:
                rng = self.place_names.rng
                name = rng.choice(names.VILLAGE_FIRST) + rng.choice(names.VILLAGE_SECOND) + "村"
            used.add(name)
            result.append(name)
        return result

    # -- grids, buildings, residences --------------------------------------------------------

    def _grid(
        self,
        community: CommunityInfo,
        number: int,
        name: str,
        quad: layout.Quad,
        parent: RegionSpec,
        tier: int,
        leaf: bool,
    ) -> tuple[RegionSpec, GridInfo]:
        code = f"{community.spec.code}{number:03d}"
        spec = self._region(code=code, name=name, level=Level.GRID, kind=Kind.GRID, parent=parent, quad=quad)
        info = GridInfo(code, name, tier, leaf, parent.code if parent.level == Level.GRID else None)
        community.grids.append(info)
        return spec, info

    def _buildings(
        self, community: CommunityInfo, grid: RegionSpec, info: GridInfo, quad: layout.Quad, count: int
    ) -> None:
        rng = self.buildings_rng
        estate = (
            rng.choice(names.ESTATE_FIRST) + rng.choice(names.ESTATE_MIDDLE) + rng.choice(names.ESTATE_SECOND)
        )
        road = community.spec.name[:2] + "路"
        for k in range(1, count + 1):
            u, v = rng.uniform(0.12, 0.88), rng.uniform(0.12, 0.88)
            building_name = f"{estate}{k}栋"
            spec = RegionSpec(
                code=f"{grid.code}{k:05d}",
                name=building_name,
                level=Level.BUILDING,
                kind=Kind.BUILDING,
                parent=grid.code,
                centre=layout.point_inside(quad, u, v),
                address=f"{road}{rng.randint(1, 399)}号{building_name}",
            )
            self.plan.add_region(spec)
            self._specs[spec.code] = spec
            info.buildings.append(spec.code)
            community.residences.append(
                Residence(spec.code, grid.code, None, building_name, rng.uniform(0.6, 1.4))
            )

    def _flat_grids(
        self, community: CommunityInfo, quad: layout.Quad, count: int, buildings: tuple[int, int] | None
    ) -> None:
        for g, grid_quad in enumerate(layout.split(quad, layout.rows_for(count), self.rng), start=1):
            name = f"{community.spec.name}第{names.chinese_number(g)}网格"
            spec, info = self._grid(community, g, name, grid_quad, community.spec, 1, True)
            if buildings and self.with_people:
                self._buildings(community, spec, info, grid_quad, self.buildings_rng.randint(*buildings))
            elif self.with_people:
                address = f"{community.spec.name}{names.chinese_number(g)}组"
                community.residences.append(Residence(spec.code, spec.code, None, address, 1.0))

    # -- street A: seed 000 -----------------------------------------------------------------

    def _street_a(self, county: CountyInfo, t: int, quad: layout.Quad, seeds: bool) -> StreetInfo:
        name = self.place_names.take(
            names.STREET_A_NAME if seeds else None, names.PLACE_FIRST, names.PLACE_SECOND, "街道"
        )
        street = self._street(county, number=2 * t + 1, name=name, kind=Kind.STREET, quad=quad, type_="A")
        grid_counts = list(A_GRIDS)
        self.rng.shuffle(grid_counts)
        used: set[str] = set()
        community_names = self._community_names(names.STREET_A_COMMUNITIES if seeds else [], 6, used)
        for i, cquad in enumerate(layout.split(quad, [3, 3], self.rng)):
            community = self._community(
                street, number=i + 1, name=community_names[i], village=False, quad=cquad, weight=A_PEOPLE
            )
            self._flat_grids(community, cquad, grid_counts[i], (4, 8))
            self._community_orgs(community, grid_branches=True, building_groups=True)
        return street

    # -- town B: seed 001 -------------------------------------------------------------------

    def _town_b(
        self, county: CountyInfo, t: int, quad: layout.Quad, seeds: bool, per_grand: int
    ) -> StreetInfo:
        name = self.place_names.take(
            names.TOWN_B_NAME if seeds else None, names.PLACE_FIRST, names.PLACE_SECOND, "镇"
        )
        street = self._street(county, number=101 + t, name=name, kind=Kind.TOWN, quad=quad, type_="B")
        used: set[str] = set()
        community_names = self._community_names(names.TOWN_B_COMMUNITIES if seeds else [], 2, used)
        village_names = self._village_names(names.TOWN_B_VILLAGES if seeds else [], 6, used)
        cells = layout.split(quad, [4, 4], self.rng)
        for i in range(2):
            community = self._community(
                street,
                number=i + 1,
                name=community_names[i],
                village=False,
                quad=cells[i],
                weight=B_TOWN_PEOPLE,
            )
            self._flat_grids(community, cells[i], B_COMMUNITY_GRIDS, (3, 6))
            self._community_orgs(community, grid_branches=True, building_groups=False)
        for i in range(6):
            village = self._community(
                street,
                number=201 + i,
                name=village_names[i],
                village=True,
                quad=cells[2 + i],
                weight=B_VILLAGE_PEOPLE,
            )
            self._flat_grids(village, cells[2 + i], B_VILLAGE_GRIDS, None)
            for grid in village.grids:
                grid.villagers = True
            self._community_orgs(village, grid_branches=False, building_groups=False)
        if self.with_people:
            for community in street.communities[:2]:
                street.grand_committees.append(self._grand_committee(street, community, per_grand))
        return street

    def _grand_committee(
        self, street: StreetInfo, community: CommunityInfo, per_grand: int
    ) -> GrandCommittee:
        """社区大党委: attached to the township, its member units' organisations beneath it."""
        code = self._org(
            name=f"中共{community.spec.name}大党委",
            kind=OrgKind.COMMITTEE,
            region=street.spec,
            parent=street.org,
            founded=(2019, 2021),
            term_from=community.elected_on,
        )
        county = street.county
        units: list[tuple[str, str]] = []
        take = county.units[:per_grand] or []
        del county.units[: len(take)]
        for unit_name, kind in take:
            if kind == "department":
                org_name, org_kind = f"{unit_name}机关党支部", OrgKind.BRANCH
            elif kind == OrgKind.COMMITTEE:
                org_name, org_kind = f"中共{unit_name}委员会", OrgKind.COMMITTEE
            elif kind == OrgKind.GENERAL_BRANCH:
                org_name, org_kind = f"{unit_name}党总支", OrgKind.GENERAL_BRANCH
            else:
                org_name, org_kind = f"{unit_name}党支部", OrgKind.BRANCH
            units.append(
                (self._org(name=org_name, kind=org_kind, region=street.spec, parent=code), unit_name)
            )
        return GrandCommittee(code, community.spec.code, units)

    # -- street C: seed 003 -----------------------------------------------------------------

    def _street_c(self, county: CountyInfo, t: int, quad: layout.Quad, seeds: bool) -> StreetInfo:
        name = self.place_names.take(
            names.STREET_C_NAME if seeds else None, names.PLACE_FIRST, names.PLACE_SECOND, "街道"
        )
        street = self._street(county, number=2 * t + 2, name=name, kind=Kind.STREET, quad=quad, type_="C")
        used: set[str] = set()
        community_names = self._community_names(names.STREET_C_COMMUNITIES if seeds else [], 3, used)
        village_names = self._village_names(names.STREET_C_VILLAGES if seeds else [], 2, used)
        second = _spread(C_SECOND_LEVEL, 5, self.rng)
        cells = layout.split(quad, [3, 2], self.rng)
        third_left = C_THIRD_LEVEL
        seconds_left = C_SECOND_LEVEL
        for i, cquad in enumerate(cells):
            village = i >= 3
            number = 201 + i - 3 if village else i + 1
            cname = village_names[i - 3] if village else community_names[i]
            community = self._community(
                street,
                number=number,
                name=cname,
                village=village,
                quad=cquad,
                weight=C_VILLAGE_PEOPLE if village else C_COMMUNITY_PEOPLE,
            )
            community.four_roles = True
            # this community's share of the third-level grids, in proportion to its second-level ones
            thirds = round(third_left * second[i] / seconds_left)
            third_left -= thirds
            seconds_left -= second[i]
            self._nested_grids(community, cquad, second[i], _spread(thirds, second[i], self.rng))
            self._community_orgs(community, grid_branches=False, building_groups=False, nested=True)
        return street

    def _nested_grids(
        self, community: CommunityInfo, quad: layout.Quad, n_second: int, thirds: list[int]
    ) -> None:
        cname = community.spec.name
        number = 1
        first_spec, _first = self._grid(community, number, f"{cname}一级网格", quad, community.spec, 1, False)
        second_quads = layout.split(quad, layout.rows_for(n_second), self.rng)
        seconds: list[tuple[RegionSpec, layout.Quad]] = []
        for s, squad in enumerate(second_quads, start=1):
            number += 1
            label = (
                f"第{names.chinese_number(s)}村民小组"
                if community.village
                else f"第{names.chinese_number(s)}片区"
            )
            spec, _info = self._grid(community, number, f"{cname}{label}网格", squad, first_spec, 2, False)
            seconds.append((spec, squad))
        for s, (sspec, squad) in enumerate(seconds):
            label = (
                f"第{names.chinese_number(s + 1)}组"
                if community.village
                else f"第{names.chinese_number(s + 1)}片区"
            )
            for k, tquad in enumerate(layout.split(squad, layout.rows_for(thirds[s]), self.rng), start=1):
                number += 1
                spec, info = self._grid(community, number, f"{cname}{label}{k}号网格", tquad, sspec, 3, True)
                if not self.with_people:
                    continue
                if community.village:
                    community.residences.append(Residence(spec.code, spec.code, None, f"{cname}{label}", 1.0))
                else:
                    self._buildings(community, spec, info, tquad, self.buildings_rng.randint(1, 3))

    # -- Party organisations of a community --------------------------------------------------

    def _community_orgs(
        self, community: CommunityInfo, *, grid_branches: bool, building_groups: bool, nested: bool = False
    ) -> None:
        if not self.with_people:
            return
        street, spec, name = community.street, community.spec, community.spec.name
        if not community.village:
            kind, org_name = OrgKind.COMMITTEE, f"中共{name}委员会"
        elif nested:
            kind, org_name = OrgKind.GENERAL_BRANCH, f"中共{name}总支部委员会"
        else:
            kind, org_name = OrgKind.BRANCH, f"中共{name}支部委员会"
        community.org = self._org(
            name=org_name, kind=kind, region=spec, parent=street.org, term_from=community.elected_on
        )
        by_code = {g.code: g for g in community.grids}
        if nested:
            # the first-level grid holds the branch, second-level grids hold its Party groups
            for grid in community.grids:
                if grid.tier == 1:
                    grid.branch = self._org(
                        name=f"{grid.name}党支部",
                        kind=OrgKind.GRID_BRANCH,
                        region=self._spec(grid.code),
                        parent=community.org,
                        founded=(2018, 2022),
                    )
                elif grid.tier == 2:
                    parent = by_code[grid.parent_grid or ""]
                    grid.branch = parent.branch
                    grid.group = self._org(
                        name=f"{grid.name}党小组",
                        kind=OrgKind.GROUP,
                        region=self._spec(grid.code),
                        parent=parent.branch,
                        founded=(2019, 2023),
                    )
                else:
                    grid.branch = by_code[grid.parent_grid or ""].branch
        elif grid_branches:
            for grid in community.grids:
                grid.branch = self._org(
                    name=f"{grid.name}党支部",
                    kind=OrgKind.GRID_BRANCH,
                    region=self._spec(grid.code),
                    parent=community.org,
                    founded=(2018, 2022),
                )
        else:
            # a village branch; each grid (村民小组) has a Party group
            for grid in community.grids:
                grid.branch = community.org
                if kind == OrgKind.BRANCH:
                    grid.group = self._org(
                        name=f"{grid.name}党小组",
                        kind=OrgKind.GROUP,
                        region=self._spec(grid.code),
                        parent=community.org,
                        founded=(2015, 2022),
                    )
        if building_groups:
            for grid in community.grids:
                for building in grid.buildings[:2]:
                    grid.building_groups[building] = self._org(
                        name=f"{self._spec(building).name}党小组",
                        kind=OrgKind.GROUP,
                        region=self._spec(building),
                        parent=grid.branch,
                        founded=(2020, 2023),
                    )
        for residence in community.residences:
            residence.branch = by_code[residence.grid].branch

    def _spec(self, code: str) -> RegionSpec:
        return self._specs[code]


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` near-equal whole numbers, in random order."""
    base, extra = divmod(total, parts)
    result = [base + 1] * extra + [base] * (parts - extra)
    rng.shuffle(result)
    return result
