from dataclasses import dataclass

import pytest

from tongxin.core.roles import Role
from tongxin.households.models import Household
from tongxin.households.testing import make_building, make_household
from tongxin.regions.models import Region
from tongxin.testing import Tree, make_user


@dataclass
class World:
    tree: Tree
    building: Region  # in grid 1.1
    other_building: Region  # in grid 1.2, same community
    tagged: Household  # grid 1.1, 独居老人
    plain: Household  # grid 1.1
    elsewhere: Household  # grid 1.2, 低保


@pytest.fixture
def world(tree) -> World:
    assert tree.building is not None
    other = make_building(tree.grids["1.2"], 1)
    return World(
        tree=tree,
        building=tree.building,
        other_building=other,
        tagged=make_household(tree.building, "502", tags=("living_alone",)),
        plain=make_household(tree.building, "501"),
        elsewhere=make_household(other, "101", unit="1", tags=("subsistence",)),
    )


@pytest.fixture
def worker(world):
    return make_user(Role.GRID_WORKER, world.tree.grids["1.1"])


@pytest.fixture
def other_worker(world):
    return make_user(Role.GRID_WORKER, world.tree.grids["1.2"])


@pytest.fixture
def staff(world):
    return make_user(Role.COMMUNITY_STAFF, world.tree.community_a1)


@pytest.fixture
def street(world):
    return make_user(Role.STREET_OFFICIAL, world.tree.street_a)
