"""The account gate: after log-in, nothing but the one page that clears it is reachable while the
session is too old, the password is one-time or expired, or a required second factor is missing.
Pages are redirected; the JSON API answers 401/403 with a code and a message."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tongxin.accounts import services

LOGIN_AT = "tongxin_login_at"
GATE_PASSED = "tongxin_gate_passed"
OPEN_NAMES = ("logout", "set_language")


def _refuse(request: HttpRequest, code: str, message: str, target: str, status: int = 403) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    return redirect(target)


def _path(name: str) -> str | None:
    """The page's path; None where the URLconf has no such page (a test's own URLconf)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def session_started(request: HttpRequest) -> None:
    """Start the absolute lifetime and the gate of a fresh log-in."""
    request.session[LOGIN_AT] = int(time.time())
    request.session.pop(GATE_PASSED, None)


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            refused = self.gate(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def gate(self, request: HttpRequest, user: Any) -> HttpResponse | None:
        started = request.session.get(LOGIN_AT)
        if started is None:
            request.session[LOGIN_AT] = started = int(time.time())
        if time.time() - started > settings.TONGXIN_SESSION_MAX_HOURS * 3600:
            logout(request)  # deletes the server-side session
            return _refuse(
                request,
                "session_expired",
                _("Your session has ended. Log in again."),
                _path("login") or "/",
                status=401,
            )
        if request.session.get(GATE_PASSED):
            return None
        if request.path in {_path(name) for name in OPEN_NAMES}:
            return None
        if user.must_change_password or services.password_expired(user):
            target = _path("accounts:password")
            if target is None or request.path == target:
                return None
            return _refuse(
                request,
                "password_change_required",
                _("Change your password before you go on."),
                target,
            )
        if services.mfa_required(user) and not user.is_verified():
            if services.mfa_enrolled(user):
                # a session without the code (the policy was tightened): log in again with it
                logout(request)
                return _refuse(
                    request,
                    "second_factor_required",
                    _("Log in again with your authenticator code."),
                    _path("login") or "/",
                    status=401,
                )
            target = _path("accounts:mfa")
            if target is None or request.path == target:
                return None
            return _refuse(
                request,
                "second_factor_required",
                _("Set up your authenticator app before you go on."),
                target,
            )
        request.session[GATE_PASSED] = True
        return None
