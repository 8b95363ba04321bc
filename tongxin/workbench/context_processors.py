"""`menu`: the main menu and the phone's tab bar of the signed-in user (navigation.py)."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tongxin.workbench.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": None}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    return {"menu": SimpleLazyObject(lambda: menu_for(user, view_name))}
