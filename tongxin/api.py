"""The JSON API at /api/v1/. Every operation needs a session or a token unless marked otherwise.

Errors are always JSON: {"code": "...", "message": "..."} (plus "errors" for validation).
"""

import logging
from importlib import import_module
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tongxin.accounts.api_auth import API_AUTH

api = NinjaAPI(
    title="Tongxin 同心 API",
    version="1",
    description="党建引领基层治理: regions, grids, Party organisations, people and positions.",
    auth=API_AUTH,
    urls_namespace="api",
)

# where a validation error's location starts: the request part, then our parameter names
# (no schema field carries one of these names)
_LOCATION_PARTS = {"body", "query", "path", "header", "cookie", "form", "payload", "filters", "point"}


def error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def _field_of(loc: Any) -> str | None:
    parts = [str(p) for p in (loc or ())]
    while parts and parts[0] in _LOCATION_PARTS:
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Wrong types, missing fields: 422 with the same field errors as a 400."""
    errors = [
        {"field": _field_of(e.get("loc")), "message": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    return error(request, 422, "invalid", _("The request is not valid."), errors=errors)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors: list[dict[str, Any]]
    if hasattr(exc, "message_dict"):
        errors = [{"field": k, "message": " ".join(v)} for k, v in exc.message_dict.items()]
    else:
        errors = [{"field": None, "message": m} for m in exc.messages]
    return error(request, 400, "invalid", " ".join(e["message"] for e in errors), errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", _("Log in or send a valid API token."))


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", _("You may not do this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # Ninja could not parse the body (not JSON, not UTF-8): as invalid as a wrong type
        return error(request, 422, "invalid", _("The request body is not valid JSON."), errors=[])
    code = getattr(exc, "code", None) or {400: "bad_request", 403: "forbidden", 409: "conflict"}.get(
        exc.status_code, "error"
    )
    return error(request, exc.status_code, code, str(exc.message))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:

    logging.getLogger("tongxin.api").exception("unexpected API error")
    return error(request, 500, "server_error", _("Something went wrong on the server; it has been logged."))


for module, attribute, prefix, tag in [
    ("tongxin.core.api", "router", "", "system"),
    ("tongxin.regions.api", "router", "/regions", "regions"),
    ("tongxin.organisations.api", "router", "/organisations", "organisations"),
    ("tongxin.people.api", "router", "/people", "people"),
    ("tongxin.people.api", "positions_router", "/positions", "positions"),
    ("tongxin.accounts.api", "router", "/accounts", "accounts"),
    ("tongxin.cases.api", "router", "/cases", "cases"),
    ("tongxin.partners.api", "router", "/partners", "partners"),
    ("tongxin.lists.api", "router", "/lists", "lists"),
    ("tongxin.meetings.api", "router", "/meetings", "meetings"),
    # the alliances with their meeting rhythm and the duty check, under /partners
    ("tongxin.cobuilding.api", "router", "/partners", "partners"),
    ("tongxin.members.api", "router", "/members", "members"),
    ("tongxin.activities.api", "router", "/activities", "activities"),
    ("tongxin.partylife.api", "router", "/partylife", "party life"),
    ("tongxin.statistics.api", "router", "/statistics", "statistics"),
    ("tongxin.statistics.report_api", "router", "/statistics/reports", "statistics"),
    ("tongxin.privacy.api", "router", "/privacy", "privacy"),
    ("tongxin.assurance.api", "router", "/security", "security"),
]:
    api.add_router(prefix, getattr(import_module(module), attribute), tags=[tag])
