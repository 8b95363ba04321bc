"""The point → grid look-up the map relies on, checked against a brute-force answer."""

import random

import pytest
from shapely.geometry import Point, shape

from tongxin.core.actors import SYSTEM
from tongxin.lib.geo import rectangle
from tongxin.regions import selectors
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import grids_at
from tongxin.regions.services import region_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def nested(tree):
    second = region_create(
        actor=SYSTEM,
        name="二级网格",
        level=Level.GRID,
        code=f"{tree.community_a1.code}011",
        parent=tree.grids["1.1"],
        geometry=rectangle(120.600, 31.300, 120.605, 31.310),
    )
    region_create(
        actor=SYSTEM,
        name="三级网格",
        level=Level.GRID,
        code=f"{tree.community_a1.code}111",
        parent=second,
        geometry=rectangle(120.600, 31.300, 120.6025, 31.305),
    )
    return tree


def brute_force(lng: float, lat: float) -> list[int]:
    grids = Region.objects.filter(level=Level.GRID).exclude(geometry=None).order_by("-depth", "code")
    return [g.pk for g in grids if shape(g.geometry).covers(Point(lng, lat))]


def test_grids_at_agrees_with_brute_force(nested):
    rng = random.Random(20261125)
    # random points over street A plus points on grid edges and corners
    points = [(rng.uniform(120.595, 120.645), rng.uniform(31.295, 31.325)) for _ in range(60)]
    points += [(120.61, 31.31), (120.605, 31.305), (120.6025, 31.30), (120.60, 31.32), (120.62, 31.30)]
    for lng, lat in points:
        assert [g.pk for g in grids_at(lng, lat)] == brute_force(lng, lat), (lng, lat)


def test_grids_at_survives_the_polygon_cache_being_emptied(nested, monkeypatch):
    """When the cache is full it is emptied; grids that were cached before must not drop out."""
    monkeypatch.setattr(selectors, "_PREPARED", {})
    monkeypatch.setattr(selectors, "_PREPARED_MAX", 1)
    assert len(grids_at(120.604, 31.308)) == 2  # caches grid 1.1 and its second-level grid
    found = grids_at(120.601, 31.301)  # adds the third-level grid: the cache overflows
    assert [g.name for g in found] == ["三级网格", "二级网格", nested.grids["1.1"].name]
