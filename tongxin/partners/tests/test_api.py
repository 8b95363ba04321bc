"""/api/v1/partners: units, alliances, pairings, expiring agreements and the duty check."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from tongxin.core.roles import Role
from tongxin.partners.services import agreement_add
from tongxin.partners.testing import build_cobuilding
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, path: str, body: Any = None) -> Any:
    extra: dict[str, Any] = {}
    if body is not None:
        extra = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1/partners{path}", **extra)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


def test_units(cast, tree):
    street = logged_in(cast.street)
    listed = call(street, "get", "/units").json()
    assert [u["id"] for u in listed["items"]] == [cast.unit_a.pk] and listed["count"] == 1
    response = call(
        street,
        "post",
        "/units",
        {"name": "双塔物业", "kind": "property_firm", "region": tree.community_a1.pk},
    )
    assert response.status_code == 201 and response.json()["region_name"] == tree.community_a1.name
    uid = response.json()["id"]
    assert call(street, "patch", f"/units/{uid}", {"address": "凤凰街1号"}).json()["address"] == "凤凰街1号"
    assert (
        call(
            street, "post", "/units", {"name": "x", "kind": "company", "region": tree.community_b1.pk}
        ).status_code
        == 400
    )
    assert (
        call(
            street, "post", "/units", {"name": "x", "kind": "bank", "region": tree.community_a1.pk}
        ).status_code
        == 422
    )
    assert (
        call(
            logged_in(cast.liaison_a),
            "post",
            "/units",
            {"name": "x", "kind": "company", "region": tree.community_a1.pk},
        ).status_code
        == 403
    )
    assert call(logged_in(cast.stranger), "get", f"/units/{uid}").status_code == 404
    assert call(Client(), "get", "/units").status_code == 401
    assert call(logged_in(make_user(Role.MEMBER, tree.community_a1)), "get", "/units").status_code == 403


def test_alliances_and_pairings(cast, tree):
    secretary = logged_in(cast.secretary)
    response = call(
        secretary,
        "post",
        "/alliances",
        {
            "name": "滚绣坊社区大党委",
            "kind": "big_committee",
            "region": tree.community_a1.pk,
            "founded_on": "2025-01-01",
        },
    )
    assert response.status_code == 201, response.content
    alliance = response.json()
    assert alliance["meeting_interval"] == 3 and alliance["members"] == []
    response = call(
        secretary, "post", f"/alliances/{alliance['id']}/members", {"unit": cast.unit_a.pk, "role": "deputy"}
    )
    assert response.status_code == 201 and response.json()["name"] == cast.unit_a.name
    detail = call(secretary, "get", f"/alliances/{alliance['id']}").json()
    assert [m["role"] for m in detail["members"]] == ["deputy"] and "behind" in detail["rhythm"]
    assert call(logged_in(cast.stranger), "get", f"/alliances/{alliance['id']}").status_code == 404
    response = call(
        secretary,
        "post",
        "/pairings",
        {"unit": cast.unit_a.pk, "region": tree.community_a1.pk, "started_on": "2025-01-01"},
    )
    assert response.status_code == 400  # paired already
    agreement_add(
        pairing=cast.pairing_a,
        actor=cast.secretary,
        title="协议",
        signed_on=date(2025, 1, 1),
        starts_on=date(2025, 1, 1),
        ends_on=date.today() + timedelta(days=20),
        commitments="x",
    )
    detail = call(secretary, "get", f"/pairings/{cast.pairing_a.pk}").json()
    assert [a["title"] for a in detail["agreements"]] == ["协议"] and detail["agreements"][0][
        "has_file"
    ] is False
    assert [a["unit_name"] for a in call(secretary, "get", "/agreements/expiring").json()] == [
        cast.unit_a.name
    ]
    assert call(secretary, "get", "/agreements/expiring?days=5").json() == []
    assert call(logged_in(cast.liaison_b), "get", "/agreements/expiring").json() == []


def test_duty(cast, tree):
    response = call(logged_in(cast.street), "get", "/duty?year=2026")
    assert response.status_code == 200
    body = response.json()
    assert [(r["kind"], r["id"]) for r in body["rows"]] == [("unit", cast.unit_a.pk)]
    assert call(logged_in(cast.street), "get", f"/duty?area={tree.community_b1.pk}").status_code == 404
