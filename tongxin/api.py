"""The JSON API at /api/v1/. Every operation needs a session or a token unless marked otherwise.

Errors are always JSON: {"code": "...", "message": "..."} (plus "errors" for validation).
"""

from importlib import import_module
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tongxin.core.api_auth import API_AUTH

api = NinjaAPI(
    title="Tongxin 同心 API",
    version="1",
    description="党建引领基层治理: regions, grids, Party organisations, people and positions.",
    auth=API_AUTH,
    urls_namespace="api",
)


def error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error(request, 422, "invalid", "The request is not valid.", errors=exc.errors)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "message_dict"):
        errors = [{"field": k, "message": " ".join(v)} for k, v in exc.message_dict.items()]
    else:
        errors = [{"field": None, "message": m} for m in exc.messages]
    return error(request, 400, "invalid", " ".join(e["message"] for e in errors), errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", "Log in or send a valid API token.")


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", "You may not do this.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = getattr(exc, "code", None) or {400: "bad_request", 409: "conflict"}.get(exc.status_code, "error")
    return error(request, exc.status_code, code, str(exc.message))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("tongxin.api").exception("unexpected API error")
    return error(request, 500, "server_error", "Something went wrong on the server; it has been logged.")


for module, prefix, tag in [
    ("tongxin.core.api", "", "system"),
    ("tongxin.regions.api", "/regions", "regions"),
    ("tongxin.organisations.api", "/organisations", "organisations"),
    ("tongxin.people.api", "/people", "people"),
    ("tongxin.accounts.api", "/accounts", "accounts"),
]:
    api.add_router(prefix, import_module(module).router, tags=[tag])
