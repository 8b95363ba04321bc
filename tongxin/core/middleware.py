from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

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
    img = ["'self'", "data:", "blob:"]
    origin = tile_origin(tile_url) if tile_url else ""
    if origin:
        img.append(origin)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
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
    """No inline scripts, nothing from other hosts but an optional intranet tile server."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    @property
    def policy(self) -> str:
        # read on each response (cached by value), so a test's settings override is honoured
        return csp_policy(settings.TONGXIN_TILE_URL)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Referrer-Policy", "same-origin")
        return response
