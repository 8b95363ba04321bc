"""Every view declares who may call it. Undeclared views are refused (deny by default)."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from tongxin.core.scope import has_capability

ACCESS_ATTR = "tongxin_access"
PUBLIC = "public"
AUTHENTICATED = "authenticated"

F = TypeVar("F", bound=Callable[..., HttpResponseBase])


def public(view: F) -> F:
    """Open to anyone, logged in or not (log-in page, health check, public forms)."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def login_only(view: F) -> F:
    """Any logged-in account; the view itself shows only what is the user's own."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, AUTHENTICATED)
    return wrapper  # type: ignore[return-value]


def requires(capability: str) -> Callable[[F], F]:
    """Logged in and holding `capability` somewhere; the view scopes its objects to that subtree."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, capability)
        return wrapper  # type: ignore[return-value]

    return decorate


def access_of(view: Any) -> str | None:
    return getattr(view, ACCESS_ATTR, None)
