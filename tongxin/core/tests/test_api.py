"""The API as a whole: authentication, CSRF, error shapes, pagination, the OpenAPI document."""

import json
from typing import Any

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from tongxin.accounts.services import role_grant, token_create, token_revoke, user_create
from tongxin.core.roles import Capability, Role
from tongxin.regions.models import Level
from tongxin.testing import PASSWORD, make_person, make_user

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, path: str, body: Any = None, *, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    extra: dict[str, Any] = {}
    if body is not None:
        extra = {
            "data": body if isinstance(body, str | bytes) else json.dumps(body),
            "content_type": "application/json",
        }
    return getattr(client, method)(f"/api/v1{path}", headers=headers, **extra)


def new_grid(tree: Any, seq: str = "009") -> dict[str, Any]:
    return {
        "name": "新网格",
        "level": Level.GRID,
        "code": tree.community_a1.code + seq,
        "parent": tree.community_a1.pk,
    }


def test_me_lists_roles_and_capabilities(tree, client):
    person = make_person(tree.community_a1, name="张三")
    user = user_create(username="zhang", password=PASSWORD, person=person)
    role_grant(user=user, role=Role.COMMUNITY_SECRETARY, region=tree.community_a1, granted_by=None)
    client.force_login(user)
    response = call(client, "get", "/me")
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "zhang"
    assert data["name"] == "张三"
    assert data["person_id"] == person.pk
    assert data["roles"] == [
        {
            "role": Role.COMMUNITY_SECRETARY,
            "label": str(Role.COMMUNITY_SECRETARY.label),
            "region_id": tree.community_a1.pk,
            "region_name": tree.community_a1.name,
            "region_code": tree.community_a1.code,
        }
    ]
    assert Capability.PEOPLE_REVEAL in data["capabilities"]
    assert Capability.AUDIT_VIEW not in data["capabilities"]


def test_me_without_roles_has_no_capabilities(db, client):
    client.force_login(make_user(None, None))
    data = call(client, "get", "/me").json()
    assert data["roles"] == [] and data["capabilities"] == []


@pytest.mark.parametrize(
    "path", ["/me", "/regions", "/regions/grids", "/organisations", "/people", "/positions"]
)
def test_anonymous_gets_401_json(tree, client, path):
    response = call(client, "get", path)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_bearer_token_works_and_is_recorded(tree, client):
    user = make_user(Role.STREET_OFFICIAL, tree.street_a)
    token, secret = token_create(user=user, name="GIS")
    response = call(client, "get", "/me", token=secret)
    assert response.status_code == 200
    assert response.json()["id"] == user.pk
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_unknown_and_inactive_tokens_are_refused(tree, client):
    user = make_user(Role.STREET_OFFICIAL, tree.street_a)
    token, secret = token_create(user=user, name="GIS")
    token_revoke(token=token, actor=user)
    assert call(client, "get", "/me", token=secret).status_code == 401
    assert call(client, "get", "/me", token="tx_not-a-token").status_code == 401

    other = make_user(Role.STREET_OFFICIAL, tree.street_a)
    _, other_secret = token_create(user=other, name="x")
    other.is_active = False
    other.save()
    response = call(client, "get", "/me", token=other_secret)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_writes_need_no_csrf_token(tree):
    client = Client(enforce_csrf_checks=True)
    _, secret = token_create(user=make_user(Role.STREET_OFFICIAL, tree.street_a), name="GIS")
    response = call(client, "post", "/regions", new_grid(tree), token=secret)
    assert response.status_code == 201, response.content


def test_session_writes_need_the_csrf_token(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    response = call(client, "post", "/regions", new_grid(tree))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"

    assert call(client, "get", "/me").status_code == 200  # reads need no CSRF token
    request = RequestFactory().get("/")
    masked = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    response = client.post(
        "/api/v1/regions",
        data=json.dumps(new_grid(tree)),
        content_type="application/json",
        headers={"X-CSRFToken": masked},
    )
    assert response.status_code == 201, response.content


def test_anonymous_write_without_csrf_is_401_not_403(tree):
    response = call(Client(enforce_csrf_checks=True), "post", "/regions", new_grid(tree))
    assert response.status_code == 401


def test_malformed_json_is_422_json(tree, client):
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    for body in ['{"name": ', b"\xff\xfe", "[1, 2"]:
        response = call(client, "post", "/regions", body)
        assert response.status_code == 422, body
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "invalid"


def test_wrong_types_are_422_with_fields(tree, client):
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    response = call(client, "post", "/regions", {"name": ["x"], "level": "planet", "parent": "abc"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "level", "code", "parent"} <= fields
    response = call(client, "get", "/regions/not-a-number")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "id"


def test_missing_body_is_422(tree, client):
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    response = call(client, "post", "/regions")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_service_validation_is_400_with_field(tree, client):
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    response = call(client, "post", "/regions", new_grid(tree, seq="000"))
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert data["errors"][0]["field"] == "code"
    assert data["message"]


def test_wrong_method_is_refused(tree, client):
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    assert call(client, "put", f"/regions/{tree.street_a.pk}").status_code == 405
    assert call(client, "delete", "/regions").status_code == 405


def test_pagination_envelope_and_limits(tree, client):
    client.force_login(make_user(Role.STREET_OFFICIAL, tree.street_a))
    everything = call(client, "get", "/regions?limit=500").json()
    page = call(client, "get", "/regions?limit=2&offset=1").json()
    assert page["count"] == everything["count"] == len(everything["items"])
    assert page["limit"] == 2 and page["offset"] == 1
    assert [r["id"] for r in page["items"]] == [r["id"] for r in everything["items"][1:3]]
    assert call(client, "get", "/regions?limit=501").status_code == 422
    assert call(client, "get", "/regions?offset=-1").status_code == 422
    assert call(client, "get", "/regions").json()["limit"] == 50


def test_openapi_document_lists_every_path(db, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/v1/me": {"get"},
        "/api/v1/regions": {"get", "post"},
        "/api/v1/regions/grids": {"get"},
        "/api/v1/regions/locate": {"get"},
        "/api/v1/regions/{id}": {"get", "patch", "delete"},
        "/api/v1/regions/{id}/children": {"get"},
        "/api/v1/regions/{id}/move": {"post"},
        "/api/v1/organisations": {"get", "post"},
        "/api/v1/organisations/{id}": {"get", "patch"},
        "/api/v1/organisations/{id}/move": {"post"},
        "/api/v1/people": {"get", "post"},
        "/api/v1/people/{id}": {"get", "patch"},
        "/api/v1/people/{id}/reveal": {"post"},
        "/api/v1/positions": {"get", "post"},
        "/api/v1/positions/{id}": {"get", "patch"},
        "/api/v1/positions/{id}/end": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            assert operation.get("tags"), (method, path)
