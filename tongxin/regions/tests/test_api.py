"""/api/v1/regions: the tree, grids as GeoJSON and the point look-up, always inside scope."""

import json
from typing import Any

import pytest
from django.test import Client

from tongxin.accounts.services import token_create
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.lib.geo import rectangle
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create
from tongxin.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, path: str, body: Any = None, *, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    extra: dict[str, Any] = {}
    if body is not None:
        extra = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1{path}", headers=headers, **extra)


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def official(tree, client):
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    return client


@pytest.fixture
def other_official(tree):
    client = Client()
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_b))
    return client


@pytest.fixture
def viewer(tree):
    client = Client()
    client.force_login(make_user(Role.GRID_LEADER, tree.community_a1))
    return client


def street_a_ids(tree: Any) -> set[int]:
    return {
        tree.street_a.pk,
        tree.community_a1.pk,
        tree.community_a2.pk,
        *(g.pk for g in tree.grids.values()),
        tree.building.pk,
    }


# reading


def test_list_is_the_subtree_and_nothing_else(tree, official, other_official):
    response = call(official, "get", "/regions?limit=500")
    assert ids(response) == street_a_ids(tree)
    assert response.json()["count"] == len(street_a_ids(tree))
    response = call(other_official, "get", "/regions?limit=500")
    assert ids(response) == {tree.street_b.pk, tree.community_b1.pk}
    assert response.json()["count"] == 2


def test_list_filters(tree, official):
    assert ids(call(official, "get", "/regions?level=grid")) == {g.pk for g in tree.grids.values()}
    assert ids(call(official, "get", f"/regions?parent={tree.street_a.pk}")) == {
        tree.community_a1.pk,
        tree.community_a2.pk,
    }
    assert ids(call(official, "get", f"/regions?within={tree.community_a1.pk}")) == {
        tree.community_a1.pk,
        tree.grids["1.1"].pk,
        tree.grids["1.2"].pk,
        tree.building.pk,
    }
    assert ids(call(official, "get", f"/regions?code={tree.community_a2.code}")) == {tree.community_a2.pk}
    assert ids(call(official, "get", "/regions?q=锦帆")) == {
        tree.community_a2.pk,
        tree.grids["2.1"].pk,
        tree.grids["2.2"].pk,
    }
    # a filter never widens the scope
    assert ids(call(official, "get", f"/regions?parent={tree.street_b.pk}")) == set()
    assert ids(call(official, "get", f"/regions?code={tree.community_b1.code}")) == set()
    assert call(official, "get", "/regions?level=planet").status_code == 422


def test_within_outside_scope_is_404(tree, official):
    response = call(official, "get", f"/regions?within={tree.street_b.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_detail_in_scope_with_geometry(tree, official):
    response = call(official, "get", f"/regions/{tree.community_a1.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == tree.community_a1.code
    assert data["parent_id"] == tree.street_a.pk
    assert data["geometry"]["type"] == "Polygon"
    assert data["bounds"] == pytest.approx([120.60, 31.30, 120.62, 31.32])


def test_detail_outside_scope_or_missing_is_404(tree, official):
    for pk in (tree.community_b1.pk, tree.county.pk, 999999):
        response = call(official, "get", f"/regions/{pk}")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": response.json()["message"]}


def test_children(tree, official, other_official):
    response = call(official, "get", f"/regions/{tree.community_a1.pk}/children")
    assert ids(response) == {tree.grids["1.1"].pk, tree.grids["1.2"].pk}
    assert call(other_official, "get", f"/regions/{tree.community_a1.pk}/children").status_code == 404


def test_anonymous_is_401(tree, client):
    assert call(client, "get", f"/regions/{tree.street_a.pk}").status_code == 401
    assert call(client, "post", "/regions", {"name": "x"}).status_code == 401


# writing


def grid_body(tree: Any, seq: str = "003", **extra: Any) -> dict[str, Any]:
    return {
        "name": "滚绣坊社区第3网格",
        "level": Level.GRID,
        "code": tree.community_a1.code + seq,
        "parent": tree.community_a1.pk,
        **extra,
    }


def test_create_grid(tree, official):
    body = grid_body(tree, geometry=rectangle(120.601, 31.301, 120.602, 31.302))
    body["geometry"] = rectangle(120.6, 31.3, 120.62, 31.32)  # the whole community overlaps siblings
    response = call(official, "post", "/regions", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "geometry"

    response = call(official, "post", "/regions", grid_body(tree, address="十全街"))
    assert response.status_code == 201, response.content
    region = Region.objects.get(pk=response.json()["id"])
    assert region.parent == tree.community_a1
    assert region.level == Level.GRID and region.address == "十全街"
    assert region.pk in ids(call(official, "get", "/regions?limit=500"))


def test_create_refused_out_of_scope_view_only_and_invalid(tree, official, other_official, viewer):
    response = call(other_official, "post", "/regions", grid_body(tree))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"
    response = call(viewer, "post", "/regions", grid_body(tree))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    response = call(official, "post", "/regions", grid_body(tree, seq="1"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"
    # a grid never hangs directly under a street
    body = grid_body(tree, parent=tree.street_a.pk)
    response = call(official, "post", "/regions", body)
    assert response.status_code == 400
    assert "parent" in {e["field"] for e in response.json()["errors"]}
    # a new root is not made through the API
    response = call(official, "post", "/regions", {"name": "无锡市", "level": "city", "code": "320200000000"})
    assert response.status_code == 403
    # only one half of the centre
    response = call(official, "post", "/regions", grid_body(tree, centre_lng=120.6))
    assert response.status_code == 400
    assert not Region.objects.filter(code=tree.community_a1.code + "003").exists()


def test_patch(tree, official, other_official, viewer):
    grid = tree.grids["1.2"]
    response = call(official, "patch", f"/regions/{grid.pk}", {"name": "新名字", "address": "十全街1号"})
    assert response.status_code == 200, response.content
    grid.refresh_from_db()
    assert grid.name == "新名字" and grid.address == "十全街1号"
    assert grid.geometry is not None  # untouched when not sent

    response = call(official, "patch", f"/regions/{grid.pk}", {"geometry": None})
    assert response.status_code == 200
    grid.refresh_from_db()
    assert grid.geometry is None

    response = call(
        official, "patch", f"/regions/{grid.pk}", {"geometry": {"type": "Point", "coordinates": [1, 2]}}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "geometry"
    assert call(official, "patch", f"/regions/{grid.pk}", {"name": ""}).status_code == 400

    assert call(other_official, "patch", f"/regions/{grid.pk}", {"name": "x"}).status_code == 404
    assert call(viewer, "patch", f"/regions/{grid.pk}", {"name": "x"}).status_code == 403
    grid.refresh_from_db()
    assert grid.name == "新名字"


def test_move_community_to_another_street(tree, official):
    county = Client()
    county.force_login(make_user(Role.COUNTY_ORG, tree.county))
    community = tree.community_a2
    # street A's official cannot see street B
    response = call(official, "post", f"/regions/{community.pk}/move", {"parent": tree.street_b.pk})
    assert response.status_code == 400
    # the old code does not fit under street B
    response = call(county, "post", f"/regions/{community.pk}/move", {"parent": tree.street_b.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"
    response = call(
        county, "post", f"/regions/{community.pk}/move", {"parent": tree.street_b.pk, "code": "320508020002"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["parent_id"] == tree.street_b.pk
    tree.grids["2.1"].refresh_from_db()
    assert tree.grids["2.1"].code == "320508020002001"
    # now outside street A
    assert call(official, "get", f"/regions/{community.pk}").status_code == 404


def test_move_refused_for_view_only(tree, viewer):
    response = call(viewer, "post", f"/regions/{tree.grids['1.2'].pk}/move", {"parent": tree.community_a1.pk})
    assert response.status_code == 403


def test_delete(tree, official, other_official, viewer):
    response = call(official, "delete", f"/regions/{tree.grids['1.1'].pk}")
    assert response.status_code == 409
    assert response.json()["code"] == "has_dependents"
    make_person(tree.grids["1.2"])
    assert call(official, "delete", f"/regions/{tree.grids['1.2'].pk}").status_code == 409
    assert call(official, "delete", f"/regions/{tree.building.pk}").status_code == 204
    assert not Region.objects.filter(pk=tree.building.pk).exists()
    assert call(other_official, "delete", f"/regions/{tree.grids['2.1'].pk}").status_code == 404
    assert call(viewer, "delete", f"/regions/{tree.grids['2.1'].pk}").status_code == 404  # not in a1
    viewer_a2 = Client()
    viewer_a2.force_login(make_user(Role.GRID_LEADER, tree.community_a2))
    assert call(viewer_a2, "delete", f"/regions/{tree.grids['2.1'].pk}").status_code == 403
    assert Region.objects.filter(pk=tree.grids["2.1"].pk).exists()


def test_delete_region_holding_a_role_is_409(tree):
    client = Client()
    grid = tree.grids["2.2"]
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    make_user(Role.GRID_WORKER, grid)
    response = call(client, "delete", f"/regions/{grid.pk}")
    assert response.status_code == 409
    assert Region.objects.filter(pk=grid.pk).exists()


# grids


def test_grids_feature_collection(tree, official):
    response = call(official, "get", f"/regions/grids?community={tree.community_a1.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    grid = tree.grids["1.1"]
    feature = next(f for f in data["features"] if f["id"] == grid.pk)
    assert feature["type"] == "Feature"
    assert feature["geometry"] == grid.geometry
    assert feature["properties"] == {
        "id": grid.pk,
        "name": grid.name,
        "code": grid.code,
        "depth": grid.depth,
        "parent_id": tree.community_a1.pk,
    }
    assert {f["id"] for f in data["features"]} == {tree.grids["1.1"].pk, tree.grids["1.2"].pk}
    everything = call(official, "get", "/regions/grids").json()
    assert {f["id"] for f in everything["features"]} == {g.pk for g in tree.grids.values()}
    within = call(official, "get", f"/regions/grids?within={tree.grids['2.1'].pk}").json()
    assert {f["id"] for f in within["features"]} == {tree.grids["2.1"].pk}


def test_grids_refusals(tree, official, other_official):
    assert call(other_official, "get", "/regions/grids").json()["features"] == []
    assert call(other_official, "get", f"/regions/grids?community={tree.community_a1.pk}").status_code == 404
    response = call(official, "get", f"/regions/grids?community={tree.street_a.pk}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "community"
    assert call(Client(), "get", "/regions/grids").status_code == 401


def test_locate_innermost_grid_and_outer(tree, official):
    outer = tree.grids["1.1"]
    inner = region_create(
        actor=SYSTEM,
        name="第1网格第1小网格",
        level=Level.GRID,
        code=tree.community_a1.code + "101",
        parent=outer,
        geometry=rectangle(120.601, 31.301, 120.604, 31.304),
    )
    response = call(official, "get", "/regions/locate?lng=120.602&lat=31.302")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["grid"]["id"] == inner.pk
    assert [g["id"] for g in data["outer"]] == [outer.pk]
    assert data["community"]["id"] == tree.community_a1.pk

    data = call(official, "get", "/regions/locate?lng=120.608&lat=31.31").json()
    assert data["grid"]["id"] == outer.pk and data["outer"] == []


def test_locate_only_inside_scope(tree, other_official):
    grid_worker = Client()
    grid_worker.force_login(make_user(Role.GRID_WORKER, tree.grids["1.2"]))
    for who in (other_official, grid_worker):
        response = call(who, "get", "/regions/locate?lng=120.605&lat=31.31")
        assert response.status_code == 404
        assert response.json()["code"] == "no_grid"
    # the grid worker sees their own grid, but not the community around it
    data = call(grid_worker, "get", "/regions/locate?lng=120.615&lat=31.31").json()
    assert data["grid"]["id"] == tree.grids["1.2"].pk
    assert data["community"] is None
    assert call(Client(), "get", "/regions/locate?lng=120.605&lat=31.31").status_code == 401


def test_locate_bad_coordinates_are_422(tree, official):
    for query in ("lng=200&lat=31", "lng=120&lat=-91", "lng=abc&lat=31", "lat=31"):
        response = call(official, "get", f"/regions/locate?{query}")
        assert response.status_code == 422, query


def test_token_reads_the_same_scope(tree, client):
    _, secret = token_create(user=make_user(Role.STREET_OFFICIAL, tree.street_b), name="GIS")
    response = call(client, "get", "/regions?limit=500", token=secret)
    assert ids(response) == {tree.street_b.pk, tree.community_b1.pk}
    assert call(client, "get", f"/regions/{tree.street_a.pk}", token=secret).status_code == 404
