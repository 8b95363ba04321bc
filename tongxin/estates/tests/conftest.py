"""An estate world on the test tree: 滚绣坊社区 grid 1.1 holds 阳光花园 (two buildings, served by 红心物业,
Party-led) ; 锦帆路社区 (same street) holds 锦苑 served by 安居物业; people with roles around them."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from tongxin.cases.tests.pages import make_cast
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.estates.models import CommitteeRole, Estate
from tongxin.estates.services import committee_create, estate_create
from tongxin.organisations.models import OrgKind
from tongxin.organisations.services import organisation_create
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.partners.services import unit_create, unit_liaisons_set
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create
from tongxin.testing import make_member, make_person, make_user

IN_ESTATE = (120.6051, 31.3101)  # a few metres from 阳光花园1幢, in grid 1.1
FAR_IN_GRID = (120.6085, 31.3185)  # grid 1.1, far from any building


@dataclass
class World:
    cast: Any
    estate: Estate
    other_estate: Estate
    firm: PartnerUnit
    other_firm: PartnerUnit
    buildings: list[Region]
    liaison: Any
    other_liaison: Any


def _building(grid: Region, n: int, at: tuple[float, float]) -> Region:
    return region_create(
        actor=SYSTEM,
        name=f"阳光花园{n}幢",
        level=Level.BUILDING,
        code=f"{grid.code}{n + 10:05d}",
        parent=grid,
        centre=at,
    )


@pytest.fixture
def world(tree) -> World:
    cast = make_cast(tree)
    grid = tree.grids["1.1"]
    buildings = [_building(grid, 1, (120.6050, 31.3100)), _building(grid, 2, (120.6054, 31.3102))]
    other_grid = next(g for g in tree.grids.values() if g.parent_id == tree.community_a2.pk)
    other_building = region_create(
        actor=SYSTEM,
        name="锦苑1幢",
        level=Level.BUILDING,
        code=f"{other_grid.code}00011",
        parent=other_grid,
        centre=(120.625, 31.31),
    )
    firm_branch = organisation_create(
        name="红心物业党支部",
        kind=OrgKind.BRANCH,
        code="ORG-0100",
        region=tree.community_a1,
        parent=tree.orgs["community"],
    )
    firm = unit_create(
        name="红心物业",
        kind=UnitKind.PROPERTY_FIRM,
        region=tree.community_a1,
        actor=SYSTEM,
        party_organisation=firm_branch,
    )
    other_firm = unit_create(
        name="安居物业", kind=UnitKind.PROPERTY_FIRM, region=tree.community_a2, actor=SYSTEM
    )
    liaison = make_user(Role.PARTNER_LIAISON, tree.community_a1, username="hongxin")
    other_liaison = make_user(Role.PARTNER_LIAISON, tree.community_a2, username="anju")
    unit_liaisons_set(unit=firm, liaisons=[liaison], actor=SYSTEM)
    unit_liaisons_set(unit=other_firm, liaisons=[other_liaison], actor=SYSTEM)
    estate = estate_create(
        actor=SYSTEM,
        community=tree.community_a1,
        name="阳光花园",
        buildings=buildings,
        property_firm=firm,
        firm_branch=firm_branch,
        red_since=date(2025, 3, 1),
    )
    other_estate = estate_create(
        actor=SYSTEM,
        community=tree.community_a2,
        name="锦苑",
        buildings=[other_building],
        property_firm=other_firm,
    )
    director = make_member(grid, tree.orgs["grid_branch"], name="王主任")
    committee_create(
        actor=SYSTEM,
        estate=estate,
        term_starts_on=date(2024, 1, 1),
        term_ends_on=date(2028, 12, 31),
        members=[
            (director, CommitteeRole.DIRECTOR),
            (make_person(grid, name="李委员"), CommitteeRole.MEMBER),
        ],
    )
    return World(cast, estate, other_estate, firm, other_firm, buildings, liaison, other_liaison)
