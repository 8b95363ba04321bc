from collections.abc import Callable
from typing import Any

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


class ContentSecurityPolicyMiddleware:
    """No inline scripts, nothing from other hosts but an optional intranet tile server."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        img = ["'self'", "data:", "blob:"]
        tile = settings.TONGXIN_TILE_URL
        if tile:
            from urllib.parse import urlsplit

            parts = urlsplit(
                tile.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")
            )
            if parts.scheme and parts.netloc:
                img.append(f"{parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}")
        self.policy = "; ".join(
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

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Referrer-Policy", "same-origin")
        return response
