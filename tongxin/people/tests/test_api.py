"""/api/v1/people and /api/v1/positions: scope, masking, the audited reveal, terms of office."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from tongxin.accounts.services import token_create, token_revoke
from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.lib.validators import id_card_check_digit
from tongxin.people.models import Person, Position, PositionKind
from tongxin.people.services import position_create
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID_CARD = "32050819800101123" + id_card_check_digit("32050819800101123")


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
    """网格长: sees people and positions, changes nothing."""
    return logged_in(Role.GRID_LEADER, tree.community_a1)


@pytest.fixture
def resident(tree):
    return make_person(tree.grids["1.1"], name="王芳", phone=PHONE, id_card=ID_CARD)


# people: reading


def test_list_masks_and_scopes(tree, official, other_official, resident):
    elsewhere = make_person(tree.community_b1, name="李四")
    response = call(official, "get", "/people?limit=500")
    assert ids(response) == {resident.pk}
    assert response.json()["count"] == 1
    item = response.json()["items"][0]
    assert item["phone"] == "138****5678"
    assert item["id_card"] == ID_CARD[:4] + "*" * 10 + ID_CARD[-4:]
    assert item["region_id"] == tree.grids["1.1"].pk and item["region_name"] == tree.grids["1.1"].name
    assert PHONE not in response.content.decode() and ID_CARD not in response.content.decode()
    response = call(other_official, "get", "/people")
    assert ids(response) == {elsewhere.pk} and response.json()["count"] == 1


def test_list_filters(tree, official, resident):
    member = make_member(tree.grids["1.2"], tree.orgs["grid_branch"], full=False, name="赵六")
    assert ids(call(official, "get", "/people?q=王")) == {resident.pk}
    assert ids(call(official, "get", "/people?party_status=probationary")) == {member.pk}
    assert ids(call(official, "get", "/people?party_status=")) == {resident.pk}
    assert ids(call(official, "get", f"/people?branch={tree.orgs['grid_branch'].pk}")) == {member.pk}
    assert ids(call(official, "get", f"/people?within={tree.grids['1.2'].pk}")) == {member.pk}
    assert call(official, "get", f"/people?within={tree.community_b1.pk}").status_code == 404
    assert call(official, "get", "/people?party_status=maybe").status_code == 422


def test_list_needs_people_view(tree, resident):
    member_role = logged_in(Role.MEMBER, tree.community_a1)  # structure.view only
    response = call(member_role, "get", "/people")
    assert response.status_code == 403
    assert call(member_role, "get", f"/people/{resident.pk}").status_code == 404


def test_detail(tree, official, other_official, resident):
    response = call(official, "get", f"/people/{resident.pk}")
    assert response.status_code == 200
    assert response.json()["phone"] == "138****5678"
    assert PHONE not in response.content.decode()
    response = call(other_official, "get", f"/people/{resident.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert call(Client(), "get", f"/people/{resident.pk}").status_code == 401


# people: writing


def test_create_stores_phone_and_id_card_encrypted(tree, official):
    body = {"name": "陈七", "region": tree.grids["1.2"].pk, "gender": "F", "phone": PHONE, "id_card": ID_CARD}
    response = call(official, "post", "/people", body)
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "138****5678"
    assert PHONE not in response.content.decode()
    person = Person.objects.get(pk=response.json()["id"])
    assert PHONE not in person.phone_encrypted and person.reveal_phone() == PHONE
    assert person.reveal_id_card() == ID_CARD
    assert person.gender == "F"


def test_create_party_member_in_branch(tree, official):
    body = {
        "name": "周八",
        "region": tree.grids["1.1"].pk,
        "party_status": "full",
        "party_joined_on": "2001-07-01",
        "party_full_on": "2002-07-01",
        "branch": tree.orgs["grid_branch"].pk,
    }
    response = call(official, "post", "/people", body)
    assert response.status_code == 201, response.content
    assert response.json()["branch_id"] == tree.orgs["grid_branch"].pk


def test_create_refusals(tree, official, other_official, viewer):
    body = {"name": "陈七", "region": tree.grids["1.2"].pk}
    assert call(viewer, "post", "/people", body).status_code == 403
    response = call(other_official, "post", "/people", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "region"
    response = call(official, "post", "/people", {**body, "phone": "12345"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "phone"
    response = call(official, "post", "/people", {**body, "id_card": ID_CARD[:-1] + "0"})
    assert {e["field"] for e in response.json()["errors"]} == {"id_card"}
    # a branch needs a Party member
    response = call(official, "post", "/people", {**body, "branch": tree.orgs["grid_branch"].pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "branch"
    assert call(official, "post", "/people", {**body, "gender": "X"}).status_code == 422
    assert call(official, "post", "/people", {**body, "birth_date": "1990-13-01"}).status_code == 422
    assert not Person.objects.filter(name="陈七").exists()


def test_patch(tree, official, other_official, viewer, resident):
    response = call(
        official, "patch", f"/people/{resident.pk}", {"employer": "苏州大学", "phone": "13900001111"}
    )
    assert response.status_code == 200, response.content
    resident.refresh_from_db()
    assert resident.employer == "苏州大学" and resident.reveal_phone() == "13900001111"
    assert resident.reveal_id_card() == ID_CARD  # not sent, not changed
    assert resident.name == "王芳"
    response = call(official, "patch", f"/people/{resident.pk}", {"id_card": None})
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.reveal_id_card() == ""
    response = call(official, "patch", f"/people/{resident.pk}", {"region": tree.community_b1.pk})
    assert response.status_code == 400
    assert call(other_official, "patch", f"/people/{resident.pk}", {"name": "x"}).status_code == 404
    assert call(viewer, "patch", f"/people/{resident.pk}", {"name": "x"}).status_code == 403
    assert call(official, "patch", f"/people/{resident.pk}", {"name": ""}).status_code == 400
    resident.refresh_from_db()
    assert resident.name == "王芳"


# the reveal


def test_reveal_is_audited(tree, resident):
    worker = make_user(Role.GRID_WORKER, tree.grids["1.1"])
    client = Client()
    client.force_login(worker)
    response = call(client, "post", f"/people/{resident.pk}/reveal", {"field": "phone", "purpose": "contact"})
    assert response.status_code == 200
    assert response.json() == {"field": "phone", "value": PHONE}
    assert response["Cache-Control"] == "no-store"
    assert (
        call(
            client, "post", f"/people/{resident.pk}/reveal", {"field": "id_card", "purpose": "verify"}
        ).json()["value"]
        == ID_CARD
    )
    events = AuditEvent.objects.filter(action=Action.REVEAL, actor=worker).order_by("id")
    assert [(e.outcome, e.detail["field"], e.target) for e in events] == [
        ("success", "phone", f"person:{resident.pk}"),
        ("success", "id_card", f"person:{resident.pk}"),
    ]


def test_reveal_refusals(tree, other_official, resident):
    staff = make_user(Role.COMMUNITY_STAFF, tree.community_a1)  # people.view, no reveal
    client = Client()
    client.force_login(staff)
    response = call(client, "post", f"/people/{resident.pk}/reveal", {"field": "phone", "purpose": "contact"})
    assert response.status_code == 403
    assert PHONE not in response.content.decode()
    denied = AuditEvent.objects.get(action=Action.REVEAL, actor=staff)
    assert denied.outcome == "denied"
    assert (
        call(
            other_official, "post", f"/people/{resident.pk}/reveal", {"field": "phone", "purpose": "contact"}
        ).status_code
        == 404
    )
    assert (
        call(
            client, "post", f"/people/{resident.pk}/reveal", {"field": "password", "purpose": "contact"}
        ).status_code
        == 422
    )
    assert (
        call(
            Client(), "post", f"/people/{resident.pk}/reveal", {"field": "phone", "purpose": "contact"}
        ).status_code
        == 401
    )
    assert not AuditEvent.objects.filter(action=Action.REVEAL, outcome="success").exists()


# positions


@pytest.fixture
def director(tree, resident):
    return position_create(
        person=resident,
        kind=PositionKind.RESIDENTS_DIRECTOR,
        region=tree.community_a1,
        starts_on=date(2021, 1, 1),
    )


def test_positions_list_and_filters(tree, official, other_official, resident, director):
    today = date.today()
    worker = position_create(
        person=resident,
        kind=PositionKind.GRID_WORKER,
        region=tree.grids["1.1"],
        starts_on=date(2020, 1, 1),
        ends_on=today - timedelta(days=1),
    )
    other = make_person(tree.community_b1)
    elsewhere = position_create(
        person=other,
        kind=PositionKind.RESIDENTS_DIRECTOR,
        region=tree.community_b1,
        starts_on=date(2021, 1, 1),
    )
    response = call(official, "get", "/positions?limit=500")
    assert ids(response) == {director.pk, worker.pk}
    assert response.json()["count"] == 2
    item = next(i for i in response.json()["items"] if i["id"] == director.pk)
    assert item["person_name"] == "王芳" and item["is_current"] is True and item["organisation_id"] is None
    assert ids(call(official, "get", "/positions?current=true")) == {director.pk}
    assert ids(call(official, "get", "/positions?current=false")) == {worker.pk}
    assert ids(call(official, "get", "/positions?kind=grid_worker")) == {worker.pk}
    assert ids(call(official, "get", f"/positions?person={resident.pk}")) == {director.pk, worker.pk}
    assert ids(call(official, "get", f"/positions?within={tree.grids['1.1'].pk}")) == {worker.pk}
    assert ids(call(other_official, "get", "/positions")) == {elsewhere.pk}
    assert call(official, "get", f"/positions/{elsewhere.pk}").status_code == 404
    assert call(official, "get", f"/positions/{director.pk}").json()["kind"] == "residents_director"
    assert call(Client(), "get", "/positions").status_code == 401


def test_position_create(tree, official, resident):
    body = {
        "person": resident.pk,
        "kind": "grid_worker",
        "region": tree.grids["1.2"].pk,
        "starts_on": "2024-03-01",
    }
    response = call(official, "post", "/positions", body)
    assert response.status_code == 201, response.content
    assert Position.objects.get(pk=response.json()["id"]).region == tree.grids["1.2"]
    # a secretary's region comes from the organisation
    body = {
        "person": resident.pk,
        "kind": "secretary",
        "organisation": tree.orgs["community"].pk,
        "starts_on": "2024-03-01",
    }
    response = call(official, "post", "/positions", body)
    assert response.status_code == 201, response.content
    assert response.json()["region_id"] == tree.community_a1.pk
    assert response.json()["organisation_name"] == tree.orgs["community"].name


def test_position_create_refusals(tree, official, other_official, viewer, resident):
    body = {
        "person": resident.pk,
        "kind": "grid_worker",
        "region": tree.grids["1.2"].pk,
        "starts_on": "2024-03-01",
    }
    assert call(viewer, "post", "/positions", body).status_code == 403
    response = call(other_official, "post", "/positions", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "person"
    response = call(official, "post", "/positions", {**body, "region": tree.community_a1.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "region"  # a grid worker serves a grid
    response = call(official, "post", "/positions", {**body, "ends_on": "2024-01-01"})
    assert response.json()["errors"][0]["field"] == "ends_on"
    response = call(official, "post", "/positions", {**body, "kind": "secretary"})
    assert response.json()["errors"][0]["field"] == "organisation"
    assert call(official, "post", "/positions", {**body, "kind": "king"}).status_code == 422
    assert not Position.objects.exists()


def test_position_patch_and_end(tree, official, other_official, viewer, director):
    response = call(official, "patch", f"/positions/{director.pk}", {"starts_on": "2021-02-01"})
    assert response.status_code == 200, response.content
    director.refresh_from_db()
    assert str(director.starts_on) == "2021-02-01"
    response = call(official, "patch", f"/positions/{director.pk}", {"ends_on": "2020-01-01"})
    assert response.status_code == 400
    assert (
        call(other_official, "patch", f"/positions/{director.pk}", {"ends_on": "2025-01-01"}).status_code
        == 404
    )
    assert call(viewer, "patch", f"/positions/{director.pk}", {"ends_on": "2025-01-01"}).status_code == 403
    assert call(viewer, "post", f"/positions/{director.pk}/end", {"ends_on": "2025-01-01"}).status_code == 403
    assert (
        call(other_official, "post", f"/positions/{director.pk}/end", {"ends_on": "2025-01-01"}).status_code
        == 404
    )
    assert call(official, "post", f"/positions/{director.pk}/end", {}).status_code == 422
    response = call(official, "post", f"/positions/{director.pk}/end", {"ends_on": "2025-01-01"})
    assert response.status_code == 200
    assert response.json()["ends_on"] == "2025-01-01" and response.json()["is_current"] is False
    director.refresh_from_db()
    assert str(director.ends_on) == "2025-01-01"


def test_token_works_and_revoked_token_does_not(tree, client, resident):
    user = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    token, secret = token_create(user=user, name="t")
    assert call(client, "get", f"/people/{resident.pk}", token=secret).status_code == 200
    response = call(
        client,
        "post",
        f"/people/{resident.pk}/reveal",
        {"field": "phone", "purpose": "contact"},
        token=secret,
    )
    assert response.json()["value"] == PHONE
    token_revoke(token=token, actor=user)
    assert call(client, "get", f"/people/{resident.pk}", token=secret).status_code == 401
    assert (
        call(
            client,
            "post",
            f"/people/{resident.pk}/reveal",
            {"field": "phone", "purpose": "contact"},
            token=secret,
        ).status_code
        == 401
    )


def test_reveal_needs_a_purpose(tree, resident):
    worker = make_user(Role.GRID_WORKER, tree.grids["1.1"])
    client = Client()
    client.force_login(worker)
    url = f"/people/{resident.pk}/reveal"
    assert call(client, "post", url, {"field": "phone"}).status_code == 422
    assert call(client, "post", url, {"field": "phone", "purpose": "curiosity"}).status_code == 422
    refused = call(client, "post", url, {"field": "phone", "purpose": "other"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()
    shown = call(client, "post", url, {"field": "phone", "purpose": "other", "note": "协助派出所核查"})
    assert shown.json()["value"] == PHONE
    assert AuditEvent.objects.get(action=Action.REVEAL).detail == {
        "field": "phone",
        "purpose": "other",
        "note": "协助派出所核查",
    }
