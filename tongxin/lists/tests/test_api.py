"""/api/v1/lists: needs, claims (409 when claimed already), resources, projects (409 on open
milestones), problem and results lists — and the failures."""

import json
from typing import Any

import pytest
from django.test import Client

from tongxin.accounts.services import token_create
from tongxin.core.roles import Role
from tongxin.lists.models import NeedStatus
from tongxin.lists.services import need_claim
from tongxin.partners.models import UnitKind
from tongxin.partners.services import unit_create
from tongxin.partners.testing import build_cobuilding, publish_need
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, path: str, body: Any = None, *, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    extra: dict[str, Any] = {}
    if body is not None:
        extra = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1/lists{path}", headers=headers, **extra)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


def test_needs_publish_list_and_filters(cast, tree):
    client = logged_in(cast.secretary)
    response = call(
        client,
        "post",
        "/needs",
        {
            "title": "楼道照明",
            "description": "三号楼楼道灯全坏了",
            "category": "facilities",
            "source": "grid_visit",
            "region": tree.grids["1.1"].pk,
            "beneficiaries_estimate": 30,
        },
    )
    assert response.status_code == 201, response.content
    need = response.json()
    assert need["status"] == "open" and need["region_name"] == tree.grids["1.1"].name
    publish_need(tree.community_a2, cast.neighbour)
    listed = call(logged_in(cast.street), "get", "/needs?limit=10").json()
    assert listed["count"] == 2
    assert call(logged_in(cast.street), "get", f"/needs?within={tree.community_a1.pk}").json()["count"] == 1
    assert call(logged_in(cast.street), "get", "/needs?status=claimed").json()["count"] == 0
    assert call(logged_in(cast.street), "get", f"/needs?within={tree.community_b1.pk}").status_code == 404
    assert call(client, "get", "/needs?status=maybe").status_code == 422
    # failures: outside the area, wrong role, bad body, anonymous
    assert (
        call(
            client,
            "post",
            "/needs",
            {
                "title": "x",
                "description": "描述足够长",
                "category": "other",
                "source": "resident",
                "region": tree.community_b1.pk,
            },
        ).status_code
        == 400
    )
    assert call(logged_in(cast.liaison_a), "post", "/needs", {}).status_code in (403, 422)
    assert (
        call(
            logged_in(cast.county),
            "post",
            "/needs",
            {
                "title": "x",
                "description": "描述足够长",
                "category": "other",
                "source": "resident",
                "region": tree.community_a1.pk,
            },
        ).status_code
        == 403
    )
    assert call(Client(), "get", "/needs").status_code == 401
    assert call(logged_in(make_user(Role.GRID_WORKER, tree.community_a1)), "get", "/needs").status_code == 403


def test_claim_twice_answers_409(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    _token_obj, token = token_create(user=cast.liaison_a, name="mobile")
    response = call(
        Client(), "post", f"/needs/{need.pk}/claim", {"unit": cast.unit_a.pk, "note": "我们来"}, token=token
    )
    assert response.status_code == 200, response.content
    assert response.json()["claimed_by_unit_id"] == cast.unit_a.pk
    other = unit_create(
        name="姑苏区民政局", kind=UnitKind.COUNTY_DEPARTMENT, region=tree.street_a, actor=cast.street
    )
    response = call(logged_in(cast.street), "post", f"/needs/{need.pk}/claim", {"unit": other.pk})
    assert response.status_code == 409
    assert response.json()["code"] == "already_claimed" and "姑苏区水务局" in response.json()["message"]
    unpaired = publish_need(tree.community_a2, cast.neighbour)
    assert (
        call(
            logged_in(cast.liaison_a), "post", f"/needs/{unpaired.pk}/claim", {"unit": cast.unit_a.pk}
        ).status_code
        == 404
    )
    assert call(logged_in(cast.liaison_a), "get", f"/needs/{need.pk}/suggestions").status_code == 200


def test_project_flow_and_close_refused_with_open_milestones(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    need_claim(need=need, unit=cast.unit_a, actor=cast.liaison_a)
    liaison = logged_in(cast.liaison_a)
    response = call(
        liaison,
        "post",
        "/projects",
        {
            "title": "路灯改造",
            "kind": "practical",
            "lead_name": "张工",
            "need": need.pk,
            "budget": "8000",
            "milestones": [{"title": "采购", "weight": 1}, {"title": "安装", "weight": 3}],
        },
    )
    assert response.status_code == 201, response.content
    project = response.json()
    assert project["owner_unit_id"] == cast.unit_a.pk and len(project["milestones"]) == 2
    first, second = project["milestones"]
    response = call(liaison, "post", f"/milestones/{second['id']}/report", {"progress": 50})
    assert response.status_code == 200 and response.json()["progress"] == 50
    assert call(liaison, "get", f"/projects/{project['id']}").json()["progress"] == "37.50"
    assert call(liaison, "post", f"/milestones/{first['id']}/accept").status_code == 403
    secretary = logged_in(cast.secretary)
    assert call(secretary, "post", f"/milestones/{first['id']}/accept").status_code == 200
    response = call(
        secretary, "post", f"/projects/{project['id']}/close", {"result": "完工", "beneficiaries_count": 80}
    )
    assert response.status_code == 409 and response.json()["code"] == "open_milestones"
    assert call(secretary, "post", f"/milestones/{second['id']}/accept").status_code == 200
    response = call(
        secretary, "post", f"/projects/{project['id']}/close", {"result": "完工", "beneficiaries_count": 80}
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    results = call(secretary, "get", "/results").json()
    assert [n["id"] for n in results["items"]] == [need.pk] and results["items"][0][
        "status"
    ] == NeedStatus.DONE
    assert call(logged_in(cast.stranger), "get", f"/projects/{project['id']}").status_code == 404
    assert (
        call(
            liaison,
            "post",
            "/projects",
            {"title": "x", "kind": "practical", "lead_name": "x", "region": tree.community_a1.pk},
        ).status_code
        == 400
    )


def test_resources_api(cast):
    liaison = logged_in(cast.liaison_a)
    response = call(
        liaison, "post", "/resources", {"unit": cast.unit_a.pk, "kind": "venue", "title": "会议室"}
    )
    assert response.status_code == 201
    rid = response.json()["id"]
    assert call(liaison, "patch", f"/resources/{rid}", {"available": False}).json()["available"] is False
    assert (
        call(
            liaison, "post", "/resources", {"unit": cast.unit_b.pk, "kind": "venue", "title": "x"}
        ).status_code
        == 400
    )
    assert call(logged_in(cast.liaison_b), "patch", f"/resources/{rid}", {"title": "x"}).status_code == 404
    assert call(logged_in(cast.liaison_b), "get", "/resources").json()["count"] == 0
