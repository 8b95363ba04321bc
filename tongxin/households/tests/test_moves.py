"""A region that moves takes its households, 联户 links and grid-work log with it, in the same
transaction: stored path, grid and community follow."""

import pytest
from django.db import transaction

from tongxin.core.actors import SYSTEM
from tongxin.gridwork.models import LogEntry
from tongxin.gridwork.services import log_record
from tongxin.gridwork.testing import make_household
from tongxin.households.models import Household
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create, region_move
from tongxin.testing import build_tree


@pytest.fixture
def tree(db):
    return build_tree()


def test_a_grid_moved_to_another_community_takes_its_households(tree):
    household = make_household(tree.building, "101")
    grid = tree.grids["1.1"]
    entry = log_record(actor=SYSTEM, kind="visit", grid=grid, household=household)
    Region.objects.filter(pk=grid.pk).update(geometry=None)  # its boundary lies in the old community
    grid.refresh_from_db()
    moved = region_move(region=grid, new_parent=tree.community_a2, new_code=tree.community_a2.code + "009")
    household.refresh_from_db()
    tree.building.refresh_from_db()
    assert household.region_path == tree.building.path and household.region_path.startswith(moved.path)
    assert household.grid == moved and household.community == tree.community_a2
    entry.refresh_from_db()
    assert entry.region_path == moved.path


def test_a_building_moved_to_another_grid_changes_the_households_grid(tree):
    household = make_household(tree.building, "102")
    other = tree.grids["2.1"]
    region_move(region=tree.building, new_parent=other, new_code=other.code + "00009")
    household.refresh_from_db()
    assert household.grid == other and household.community == tree.community_a2
    assert household.region_path.startswith(other.path)


def test_the_move_and_the_households_are_one_transaction(tree):
    household = make_household(tree.building, "103")
    before = Household.objects.get(pk=household.pk).region_path
    try:
        with transaction.atomic():
            region_move(
                region=tree.building, new_parent=tree.grids["2.1"], new_code=tree.grids["2.1"].code + "00009"
            )
            raise RuntimeError("undo")
    except RuntimeError:
        pass
    household.refresh_from_db()
    assert household.region_path == before and household.grid == tree.grids["1.1"]
    # a new building in the new grid does not pick up households of another
    region_create(
        actor=SYSTEM,
        name="2号楼",
        level=Level.BUILDING,
        code=tree.grids["2.1"].code + "00002",
        parent=tree.grids["2.1"],
    )
    assert LogEntry.objects.count() == 0 and Household.objects.filter(grid=tree.grids["2.1"]).count() == 0
