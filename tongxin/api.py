"""The JSON API at /api/v1/. Every operation needs a session or a token unless marked otherwise.

Errors are always JSON: {"code": "...", "message": "..."} (plus "errors" for validation).
"""

import logging
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tongxin.accounts.api_auth import API_AUTH
from tongxin.core.parser import CheckingParser
from tongxin.core.schemas import ErrorOut

# The answers any operation may give besides its own (see TongxinAPI.get_openapi_schema)
_ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    413: "Content Too Large",
    422: "Unprocessable Content",
}
_ERROR_REF = "#/components/schemas/ErrorOut"


class TongxinAPI(NinjaAPI):
    """Ninja's API whose OpenAPI document declares the errors the error handlers below give
    (`_errors_of`); an operation's own declaration of a status is kept."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                for status in _errors_of(operation):
                    if status not in responses and str(status) not in responses:
                        responses[status] = {
                            "description": _ERROR_DESCRIPTIONS[status],
                            "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
                        }
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        return schema


def _errors_of(operation: dict[str, Any]) -> list[int]:
    parameters = operation.get("parameters") or []
    body = "requestBody" in operation
    errors = []
    if operation.get("security"):
        errors += [401, 403]
    if parameters or body:
        errors += [400, 422]  # a service's own validation (400) or the schema's (422)
    # an id in the path, the query (?within=, ?node=) or the body names something that may not be
    # there, or not in the caller's area
    if body or any(p.get("in") == "path" or _is_integer(p.get("schema", {})) for p in parameters):
        errors.append(404)
    if body:
        errors.append(413)
    return errors


def _is_integer(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "integer" or any(s.get("type") == "integer" for s in schema.get("anyOf", []))


api = TongxinAPI(
    title="Tongxin 同心 API",
    version="1",
    description="党建引领基层治理: regions, grids, Party organisations, people and positions.",
    auth=API_AUTH,
    urls_namespace="api",
    parser=CheckingParser(),
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


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_big(request)


def too_big(request: HttpRequest) -> HttpResponse:
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return error(request, 413, "too_large", _("The request is larger than %(limit)s.") % {"limit": limit})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # the body could not be read: too large, or text with control characters (CheckingParser)
    if isinstance(exc.__cause__, RequestDataTooBig):
        return too_big(request)
    if isinstance(exc.__cause__, ValidationError):
        return on_validation_error(request, exc.__cause__)
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
    ("tongxin.households.api", "router", "/households", "households"),
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
    ("tongxin.assessment.api", "router", "/assessment", "assessment"),
    ("tongxin.assurance.api", "router", "/security", "security"),
    ("tongxin.privacy.api", "router", "/privacy", "privacy"),
    ("tongxin.gridwork.api", "router", "/gridwork", "grid work"),
    ("tongxin.villages.api", "router", "/villages", "villages"),
    ("tongxin.twonew.api", "router", "/twonew", "two new"),
    ("tongxin.venues.api", "router", "/venues", "venues"),
    ("tongxin.cadres.api", "router", "/cadres", "cadres"),
    ("tongxin.estates.api", "router", "/estates", "estates"),
    ("tongxin.transfer.api", "router", "/exports", "exports"),
    ("tongxin.exchange.api", "router", "/exchange", "exchange"),
]:
    api.add_router(prefix, getattr(import_module(module), attribute), tags=[tag])

# the bare endpoint `tongxin bench_intake` measures beside the real intake: never in production
if settings.TONGXIN_BENCH_ENDPOINTS:
    api.add_router("/bench", import_module("tongxin.demo.bench.api").router, tags=["benchmark"])
