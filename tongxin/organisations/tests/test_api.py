"""/api/v1/organisations: the Party-organisation tree, scoped by the region each one serves."""

import json
from typing import Any

import pytest
from django.test import Client

from tongxin.accounts.services import token_create
from tongxin.core.roles import Role
from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.testing import make_member, make_user

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


def logged_in(role: str, region: Any) -> Client:
    client = Client()
    client.force_login(make_user(role, region))
    return client


@pytest.fixture
def official(tree):
    return logged_in(Role.STREET_OFFICIAL, tree.street_a)


@pytest.fixture
def other_official(tree):
    return logged_in(Role.STREET_OFFICIAL, tree.street_b)


@pytest.fixture
def viewer(tree):
    return logged_in(Role.COMMUNITY_STAFF, tree.community_a1)


def test_list_in_scope_only(tree, official, other_official):
    response = call(official, "get", "/organisations?limit=500")
    expected = {tree.orgs[k].pk for k in ("street", "community", "grid_branch")}
    assert ids(response) == expected  # the county committee serves the county, above street A
    assert response.json()["count"] == 3
    item = next(i for i in response.json()["items"] if i["id"] == tree.orgs["grid_branch"].pk)
    assert item["region_id"] == tree.grids["1.1"].pk
    assert item["region_name"] == tree.grids["1.1"].name
    assert item["parent_id"] == tree.orgs["community"].pk
    response = call(other_official, "get", "/organisations")
    assert ids(response) == set()
    assert response.json()["count"] == 0


def test_list_filters(tree, official):
    orgs = tree.orgs
    assert ids(call(official, "get", "/organisations?kind=grid_branch")) == {orgs["grid_branch"].pk}
    assert ids(call(official, "get", f"/organisations?within={tree.community_a1.pk}")) == {
        orgs["community"].pk,
        orgs["grid_branch"].pk,
    }
    assert ids(call(official, "get", f"/organisations?region={tree.street_a.pk}")) == {orgs["street"].pk}
    assert ids(call(official, "get", f"/organisations?parent={orgs['community'].pk}")) == {
        orgs["grid_branch"].pk
    }
    assert ids(call(official, "get", "/organisations?q=网格")) == {orgs["grid_branch"].pk}
    assert ids(call(official, "get", "/organisations?q=ORG-0003")) == {orgs["community"].pk}
    assert ids(call(official, "get", f"/organisations?parent={orgs['county'].pk}")) == {orgs["street"].pk}
    assert call(official, "get", f"/organisations?within={tree.street_b.pk}").status_code == 404
    assert call(official, "get", "/organisations?kind=club").status_code == 422


def test_detail_with_warnings(tree, official, other_official):
    branch = tree.orgs["grid_branch"]
    response = call(official, "get", f"/organisations/{branch.pk}")
    assert response.status_code == 200
    assert response.json()["code"] == branch.code
    assert len(response.json()["warnings"]) == 1  # fewer than 3 full members
    for _ in range(3):
        make_member(tree.grids["1.1"], branch)
    assert call(official, "get", f"/organisations/{branch.pk}").json()["warnings"] == []
    assert call(official, "get", f"/organisations/{tree.orgs['county'].pk}").status_code == 404
    response = call(other_official, "get", f"/organisations/{branch.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_is_401(tree, client):
    assert call(client, "get", "/organisations").status_code == 401
    assert call(client, "get", f"/organisations/{tree.orgs['street'].pk}").status_code == 401


def branch_body(tree: Any, **extra: Any) -> dict[str, Any]:
    return {
        "name": "锦帆路社区第1网格党支部",
        "kind": OrgKind.GRID_BRANCH,
        "code": "ORG-0100",
        "region": tree.grids["2.1"].pk,
        "parent": tree.orgs["street"].pk,
        "founded_on": "2021-07-01",
        **extra,
    }


def test_create(tree, official):
    response = call(official, "post", "/organisations", branch_body(tree))
    assert response.status_code == 201, response.content
    data = response.json()
    org = PartyOrganisation.objects.get(pk=data["id"])
    assert org.parent == tree.orgs["street"] and org.region == tree.grids["2.1"]
    assert str(org.founded_on) == "2021-07-01"
    assert data["warnings"]
    assert org.pk in ids(call(official, "get", "/organisations"))


def test_create_refusals(tree, official, other_official, viewer):
    # view-only (社工: structure.view only), in their own community
    body = branch_body(tree, region=tree.grids["1.2"].pk, parent=tree.orgs["community"].pk)
    assert call(viewer, "post", "/organisations", body).status_code == 403
    # the parent and the region are not in street B's area
    response = call(other_official, "post", "/organisations", branch_body(tree))
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"region"}
    response = call(other_official, "post", "/organisations", branch_body(tree, region=tree.community_b1.pk))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"
    # service rules: a code already used, a branch under a branch
    response = call(official, "post", "/organisations", branch_body(tree, code="ORG-0004"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"
    response = call(official, "post", "/organisations", branch_body(tree, parent=tree.orgs["grid_branch"].pk))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"
    assert (
        call(official, "post", "/organisations", branch_body(tree, founded_on="yesterday")).status_code == 422
    )
    assert not PartyOrganisation.objects.filter(code="ORG-0100").exists()


def test_patch(tree, official, other_official, viewer):
    org = tree.orgs["community"]
    response = call(
        official, "patch", f"/organisations/{org.pk}", {"name": "新名字", "term_ends_on": "2026-12-31"}
    )
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert org.name == "新名字" and str(org.term_ends_on) == "2026-12-31"
    assert org.code == "ORG-0003"

    branch = tree.orgs["grid_branch"]
    response = call(official, "patch", f"/organisations/{branch.pk}", {"region": tree.grids["2.1"].pk})
    assert response.status_code == 400  # outside community A1, the region of its parent
    assert response.json()["errors"][0]["field"] == "region"
    response = call(official, "patch", f"/organisations/{branch.pk}", {"region": tree.grids["1.2"].pk})
    assert response.status_code == 200
    assert response.json()["region_id"] == tree.grids["1.2"].pk
    assert call(official, "patch", f"/organisations/{org.pk}", {"code": ""}).status_code == 400

    assert call(other_official, "patch", f"/organisations/{org.pk}", {"name": "x"}).status_code == 404
    assert call(viewer, "patch", f"/organisations/{org.pk}", {"name": "x"}).status_code == 403
    org.refresh_from_db()
    assert org.name == "新名字"


def test_move(tree, official, other_official, viewer):
    branch = tree.orgs["grid_branch"]
    street = tree.orgs["street"]
    assert call(viewer, "post", f"/organisations/{branch.pk}/move", {"parent": street.pk}).status_code == 403
    assert (
        call(other_official, "post", f"/organisations/{branch.pk}/move", {"parent": street.pk}).status_code
        == 404
    )
    response = call(official, "post", f"/organisations/{branch.pk}/move", {"parent": street.pk})
    assert response.status_code == 200, response.content
    branch.refresh_from_db()
    assert branch.parent == street and branch.depth == street.depth + 1
    # the county committee is outside street A's area
    response = call(official, "post", f"/organisations/{branch.pk}/move", {"parent": tree.orgs["county"].pk})
    assert response.status_code == 400
    # an organisation cannot go under itself
    response = call(official, "post", f"/organisations/{street.pk}/move", {"parent": branch.pk})
    assert response.status_code == 400


def test_token(tree, client):
    _, secret = token_create(user=make_user(Role.STREET_OFFICIAL, tree.street_a), name="t")
    assert call(client, "get", f"/organisations/{tree.orgs['street'].pk}", token=secret).status_code == 200
    response = call(client, "patch", f"/organisations/{tree.orgs['street'].pk}", {"name": "改"}, token=secret)
    assert response.status_code == 200
