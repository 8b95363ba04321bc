"""Deny by default, proven by walking every URL of the project.

The walk is generic: new views are picked up automatically and must declare their access
(tongxin.core.access) and refuse anonymous callers; new API operations must require auth
unless listed in PUBLIC_API below.
"""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, path, resolve, reverse

from tongxin.api import api
from tongxin.core.access import PUBLIC, access_of, login_only, public
from tongxin.jobs.services import heartbeat
from tongxin.testing import make_user

API_PREFIX = "/api/v1/"
# API paths anyone may call: the schema and its documentation page (no data in them).
PUBLIC_API = {"/api/v1/openapi.json", "/api/v1/docs"}
# (method, path as in the OpenAPI schema) of operations that deliberately need no log-in.
# Residents report, follow and rate a case without an account (DOMAIN.md §1, §4).
PUBLIC_API_OPERATIONS: set[tuple[str, str]] = {
    ("get", "/api/v1/cases/categories"),
    ("post", "/api/v1/cases/public"),
    ("get", "/api/v1/cases/track/{code}"),
    ("post", "/api/v1/cases/track/{code}/rate"),
    # signed by the 12345 platform with its shared secret instead (exchange/api.py)
    ("post", "/api/v1/exchange/hotline/tickets"),
}
METHODS = ["get", "post", "put", "patch", "delete"]

# values tried for each URL parameter until the URL resolves back to the same view
# ("json": Open311's format suffix, /open311/v2/services/json.json)
DUMMY_VALUES = ["1", "x", str(uuid.UUID(int=1)), "2026", "2026-01-01", "320508019044", "json"]
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)")


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(route template from the root, pattern) for every leaf of the URL tree."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def fill(route: str, value: str) -> str:
    route = ROUTE_PARAM.sub(value, route)
    route = REGEX_GROUP.sub(value, route)
    return "/" + route.replace("^", "").replace("$", "").replace(r"\Z", "").replace("\\", "")


def concrete_url(route: str, pattern: URLPattern) -> str:
    """A URL that resolves to this pattern's view, built from dummy values."""
    for value in DUMMY_VALUES:
        url = fill(route, value)
        try:
            match = resolve(url)
        except Resolver404:
            continue
        # the API registers one pattern per operation on the same route: the route is what counts
        if match.func == pattern.callback or match.route == route:
            return url
    raise AssertionError(f"cannot build a URL for {route!r}: add a value to DUMMY_VALUES in {__name__}")


def site_views() -> list[tuple[str, URLPattern]]:
    return [(r, p) for r, p in walk(get_resolver().url_patterns) if not ("/" + r).startswith(API_PREFIX)]


def api_views() -> list[tuple[str, URLPattern]]:
    return [(r, p) for r, p in walk(get_resolver().url_patterns) if ("/" + r).startswith(API_PREFIX)]


def test_the_walk_finds_the_known_views():
    names = {p.name for _r, p in site_views()}
    assert {"home", "login", "healthz"} <= names
    assert len(api_views()) > 2


def test_every_view_declares_its_access():
    undeclared = [route for route, p in site_views() if access_of(p.callback) is None]
    assert undeclared == [], f"views without @public/@login_only/@requires: {undeclared}"


def test_no_view_is_open_to_anonymous_callers(client, db):
    login_url = reverse("login")
    for route, pattern in site_views():
        if access_of(pattern.callback) == PUBLIC:
            continue
        url = concrete_url(route, pattern)
        response = client.get(url)
        assert response.status_code in (302, 404, 405), f"{url} answered {response.status_code} to anonymous"
        if response.status_code == 302:
            assert response["Location"].startswith(login_url), f"{url} redirects elsewhere than the log-in"


def test_public_views_do_not_crash(client, db):
    heartbeat(worker="test")  # a running worker: /healthz answers 503 without one (test_operations)
    for route, pattern in site_views():
        if access_of(pattern.callback) != PUBLIC:
            continue
        url = concrete_url(route, pattern)
        assert client.get(url).status_code < 500, url


def test_capability_views_refuse_an_account_without_roles(client, db):
    client.force_login(make_user(None, None))
    for route, pattern in site_views():
        if access_of(pattern.callback) in (None, PUBLIC, "authenticated"):
            continue
        url = concrete_url(route, pattern)
        status = client.get(url).status_code
        assert status in (403, 404, 405), f"{url} answered {status} to an account without roles"


# --- the JSON API ---


def test_every_api_operation_requires_auth_unless_listed_public():
    schema = api.get_openapi_schema(path_prefix=API_PREFIX.rstrip("/"))
    open_operations = {
        (method, route)
        for route, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    }
    assert open_operations == PUBLIC_API_OPERATIONS, "API operations without auth must be listed as public"


def public_methods(url: str) -> set[str]:
    """The methods of `url` listed in PUBLIC_API_OPERATIONS (schema paths have {param} holes)."""
    return {
        method
        for method, template in PUBLIC_API_OPERATIONS
        if re.fullmatch(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)), url)
    }


def test_api_paths_answer_anonymous_callers_with_401(client, db):
    checked, seen = 0, set()
    for route, pattern in api_views():
        url = concrete_url(route, pattern)
        if url in PUBLIC_API or url in seen:
            continue
        seen.add(url)
        # public operations are not called here: they may write (a resident's report)
        methods = [m for m in METHODS if m not in public_methods(url)]
        statuses = {method: getattr(client, method)(url).status_code for method in methods}
        assert set(statuses.values()) <= {401, 404, 405}, f"{url}: {statuses}"
        if pattern.name != "api-root" and len(methods) == len(METHODS):
            assert 401 in statuses.values(), f"{url} is not an authenticated operation: {statuses}"
            checked += 1
    assert checked > 0


def test_api_401_is_json(client, db):
    response = client.get(API_PREFIX + "regions")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


# --- deny by default, with a URLconf of our own ---


def undeclared_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("should never be seen")


@public
def declared_public_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("open")


@login_only
def declared_login_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("mine")


urlpatterns = [
    path("undeclared/", undeclared_view),
    path("open/", declared_public_view),
    path("mine/", declared_login_view),
    path("login/", declared_public_view, name="login"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_view_without_declaration_is_404_even_when_logged_in(client, db):
    assert client.get("/undeclared/").status_code == 404
    client.force_login(make_user(None, None))
    response = client.get("/undeclared/")
    assert response.status_code == 404
    assert b"should never be seen" not in response.content


@override_settings(ROOT_URLCONF=__name__)
def test_declared_views_are_served(client, db):
    assert client.get("/open/").content == b"open"
    assert client.get("/mine/").status_code == 302
    client.force_login(make_user(None, None))
    assert client.get("/mine/").content == b"mine"


def test_the_middleware_is_installed(settings):
    assert settings.MIDDLEWARE[-1] == "tongxin.core.middleware.DenyByDefaultMiddleware"


@pytest.mark.parametrize("route", ["/accounts/", "/audit/", "/accounts/tokens/"])
def test_pages_of_this_app_are_in_the_walk(route):
    assert any(fill(r, "1") == route for r, _p in site_views())
