import pytest
from django.core.exceptions import ValidationError

from tongxin.core.actors import SYSTEM
from tongxin.lib.geo import rectangle
from tongxin.regions.models import Level, Region, RegionCell
from tongxin.regions.selectors import grid_at, grids_at, region_subtree
from tongxin.regions.services import region_create, region_delete, region_move, region_update

pytestmark = pytest.mark.django_db


def test_paths_and_depths(tree):
    grid = tree.grids["1.1"]
    assert grid.path == f"{tree.community_a1.path}{grid.pk}/"
    assert grid.depth == 4
    assert tree.building.path.startswith(grid.path)
    assert set(region_subtree(tree.street_a).values_list("level", flat=True)) == {
        "street",
        "community",
        "grid",
        "building",
    }
    assert not region_subtree(tree.street_a).filter(pk=tree.community_b1.pk).exists()


def test_grid_must_hang_under_a_community(tree):
    with pytest.raises(ValidationError) as exc:
        region_create(
            actor=SYSTEM, name="错网格", level=Level.GRID, code="320508019044009", parent=tree.street_a
        )
    assert "parent" in exc.value.message_dict


def test_grid_code_must_extend_its_community_code(tree):
    with pytest.raises(ValidationError) as exc:
        region_create(
            actor=SYSTEM, name="错网格", level=Level.GRID, code="320508019045009", parent=tree.community_a1
        )
    assert "code" in exc.value.message_dict


def test_duplicate_code_refused(tree):
    with pytest.raises(ValidationError) as exc:
        region_create(
            actor=SYSTEM, name="重复", level=Level.GRID, code=tree.grids["1.1"].code, parent=tree.community_a1
        )
    assert "code" in exc.value.message_dict


def test_grid_outside_its_community_refused(tree):
    with pytest.raises(ValidationError) as exc:
        region_create(
            actor=SYSTEM,
            name="越界网格",
            level=Level.GRID,
            code="320508019044009",
            parent=tree.community_a1,
            geometry=rectangle(121.0, 31.0, 121.01, 31.01),
        )
    assert "geometry" in exc.value.message_dict


def test_overlapping_sibling_grid_refused(tree):
    with pytest.raises(ValidationError) as exc:
        region_create(
            actor=SYSTEM,
            name="重叠网格",
            level=Level.GRID,
            code="320508019044009",
            parent=tree.community_a1,
            geometry=rectangle(120.605, 31.30, 120.615, 31.31),
        )
    assert exc.value.message_dict["geometry"] and "滚绣坊社区第1网格" in str(exc.value)


def test_nested_grids_resolve_to_innermost(tree):
    outer = tree.grids["1.1"]
    inner = region_create(
        actor=SYSTEM,
        name="二级网格",
        level=Level.GRID,
        code="320508019044011",
        parent=outer,
        geometry=rectangle(120.600, 31.300, 120.605, 31.305),
    )
    assert [g.pk for g in grids_at(120.601, 31.301)] == [inner.pk, outer.pk]
    assert grid_at(120.601, 31.301) == inner
    assert grid_at(120.608, 31.31) == outer
    assert grid_at(120.0, 30.0) is None


def test_cells_follow_geometry_changes(tree):
    grid = tree.grids["2.2"]
    before = set(RegionCell.objects.filter(region=grid).values_list("cell", flat=True))
    region_update(region=grid, actor=SYSTEM, geometry=rectangle(120.63, 31.30, 120.635, 31.305))
    after = set(RegionCell.objects.filter(region=grid).values_list("cell", flat=True))
    assert after and after != before
    assert grid_at(120.632, 31.302) == grid
    assert grid_at(120.638, 31.318) is None


def test_move_rewrites_subtree_paths_and_codes(tree):
    community = tree.community_a2
    grids = list(Region.objects.filter(parent=community))
    moved = region_move(region=community, new_parent=tree.street_b, new_code="320508020002")
    assert moved.path.startswith(tree.street_b.path)
    for grid in grids:
        grid.refresh_from_db()
        assert grid.path.startswith(moved.path)
        assert grid.code.startswith("320508020002")
        assert grid.depth == moved.depth + 1


def test_move_under_itself_refused(tree):
    with pytest.raises(ValidationError):
        region_move(region=tree.grids["1.1"], new_parent=tree.grids["1.1"])


def test_delete_refuses_nodes_with_children(tree):
    with pytest.raises(ValidationError):
        region_delete(region=tree.community_a1)
    region_delete(region=tree.building)
    assert not Region.objects.filter(pk=tree.building.pk).exists()
