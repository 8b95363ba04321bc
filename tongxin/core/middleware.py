import secrets
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tongxin.core.access import access_of

# Views that are not ours but are safe: static files (whitenoise answers before URL routing),
# the JSON API (Ninja applies its own deny-by-default auth to every operation), i18n switch.
EXEMPT_PREFIXES = ("/api/v1/",)


class DenyByDefaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        if request.path.startswith(EXEMPT_PREFIXES):
            return None
        if access_of(view_func) is None:
            raise Http404("no access rule declared for this view")
        return None


def tile_origin(url: str) -> str:
    """The origin ('http://tiles.intranet', or 'http://*.tiles.intranet' for a '{s}.' subdomain) of
    a tile URL template; empty when the template names no host."""
    parts = urlsplit(url.replace("{s}.", "SUBDOMAIN."))
    if parts.scheme not in ("http", "https") or not parts.netloc or "{" in parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('SUBDOMAIN.', '*.', 1)}"


@lru_cache(maxsize=4)
def csp_policy(tile_url: str) -> str:
    """The policy with a `{nonce}` placeholder for each response's own nonce."""
    img = ["'self'", "data:", "blob:"]
    origin = tile_origin(tile_url) if tile_url else ""
    if origin:
        img.append(origin)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(img)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """No inline scripts but one carrying this response's nonce, nothing from other hosts but an
    optional intranet tile server; the API's documentation page included (its Swagger UI is served
    from Ninja's own static files). Pages for a signed-in user and every API answer carry personal
    data: browsers must not keep them (SECURITY.md row 28)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    @property
    def policy(self) -> str:
        # read on each response (cached by value), so a test's settings override is honoured
        return csp_policy(settings.TONGXIN_TILE_URL)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy.replace("{nonce}", nonce))
        response.setdefault("Referrer-Policy", "same-origin")
        if not response.has_header("Cache-Control") and _carries_personal_data(request):
            response["Cache-Control"] = "no-store"
        return response


def _carries_personal_data(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return request.path.startswith("/api/") or bool(user is not None and user.is_authenticated)


class RequestSizeLimitMiddleware:
    """A request larger than the limit is answered 413 before anything reads it: a JSON body over
    DATA_UPLOAD_MAX_MEMORY_SIZE on the API, any request over TONGXIN_REQUEST_MAX_BYTES (a form with
    its photos) elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        api = request.path.startswith("/api/")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if api else settings.TONGXIN_REQUEST_MAX_BYTES
        if length <= limit:
            return self.get_response(request)
        if api:
            message = _("The request is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            return JsonResponse({"code": "too_large", "message": message}, status=413)
        return render(request, "core/413.html", {"limit": filesizeformat(limit)}, status=413)
