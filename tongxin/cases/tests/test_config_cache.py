"""The intake's configuration kept per process (config_cache): a save or delete through the
application empties the copy at once, a grid moved in the tree is looked up anew by its new path,
and a copy made in another process expires after TTL seconds."""

import json

import pytest
from django.core.cache import cache

from tongxin.cases import config_cache
from tongxin.cases.models import Case, CaseCategory
from tongxin.regions.models import Level, Region

pytestmark = pytest.mark.django_db

BODY = {
    "kind": "complaint",
    "category": "0101",
    "description": "楼下垃圾三天没人清运，气味很大",
    "lng": 120.605,
    "lat": 31.31,
}


@pytest.fixture(autouse=True)
def _empty():
    cache.clear()
    config_cache.categories.clear()
    config_cache.communities.clear()
    yield
    config_cache.categories.clear()
    config_cache.communities.clear()


def report(client, **changes):
    return client.post(
        "/api/v1/cases/public", json.dumps({**BODY, **changes}), content_type="application/json"
    )


def test_a_deactivated_category_is_refused_at_once(client, tree, django_assert_num_queries):
    assert report(client).status_code == 201
    assert config_cache.active_category("0101") is not None
    with django_assert_num_queries(0):  # kept: no query
        config_cache.active_category("0101")
    category = CaseCategory.objects.get(code="0101")
    category.active = False
    category.save()  # the signal empties the copy
    refused = report(client)
    assert refused.status_code == 400 and "category" in refused.content.decode()
    category.active = True
    category.save()
    assert report(client).status_code == 201
    assert Case.objects.count() == 2


def test_a_deleted_category_is_forgotten(tree):
    parent = CaseCategory.objects.get(code="0101").parent
    new = CaseCategory.objects.create(
        code="0199", name="新类别", parent=parent, response_hours=1, handling_hours=8, closure_hours=24
    )
    assert config_cache.active_category("0199") == new
    new.delete()
    assert config_cache.active_category("0199") is None


def test_a_copy_made_elsewhere_expires_after_its_ttl(tree, monkeypatch):
    """Another process's change sends this process no signal: its copy lasts TTL seconds."""
    clock = [1000.0]
    monkeypatch.setattr(config_cache.time, "monotonic", lambda: clock[0])
    assert config_cache.active_category("0101") is not None
    CaseCategory.objects.filter(code="0101").update(active=False)  # no signal, as from elsewhere
    assert config_cache.active_category("0101") is not None
    clock[0] += config_cache.TTL + 1
    assert config_cache.active_category("0101") is None


def test_the_community_of_a_grid_follows_the_grid_into_another_community(tree):
    grid = tree.grids["1.1"]
    assert config_cache.community_of(grid) == tree.community_a1
    # a move rewrites paths with update() (no signal): the moved grid has a new path, a new key
    moved = Region.objects.get(pk=grid.pk)
    Region.objects.filter(pk=grid.pk).update(
        parent=tree.community_a2, path=f"{tree.community_a2.path}{grid.pk}/"
    )
    moved.refresh_from_db()
    assert moved.path != grid.path
    assert config_cache.community_of(moved) == tree.community_a2
    assert config_cache.community_of(grid) == tree.community_a1  # the old path's entry


def test_a_region_saved_empties_the_communities(tree):
    config_cache.community_of(tree.grids["1.1"])
    assert config_cache.communities._items
    Region.objects.get(pk=tree.community_a1.pk).save()
    assert not config_cache.communities._items
    assert Region.objects.filter(level=Level.COMMUNITY).exists()
