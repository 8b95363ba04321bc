"""Log-in in two steps (password, then the authenticator code when the account has one), log-out,
and the enrolment of an authenticator. Failures look the same whether or not the account exists."""

import hashlib
import time
from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts import services
from tongxin.accounts.forms import CodeForm, LoginForm
from tongxin.audit.models import Action, Outcome
from tongxin.audit.services import audit_record
from tongxin.core import ratelimit
from tongxin.core.access import login_only, public
from tongxin.core.clients import client_address
from tongxin.lib.qr import qr_svg

PENDING = "tongxin_login_pending"
ENROLLING = "tongxin_enrolling_device"
CODE_STEP_SECONDS = 300
CODE_FAILURES = 5


def _window() -> int:
    return settings.TONGXIN_LOGIN_THROTTLE_MINUTES * 60


def _throttle_keys(request: HttpRequest, username: str) -> tuple[str, str]:
    # the name is hashed: cache keys hold no personal data
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login:addr:{client_address(request) or 'unknown'}", f"login:name:{name}"


def _throttled(request: HttpRequest, username: str) -> bool:
    by_address, by_name = _throttle_keys(request, username)
    return (
        ratelimit.count(by_address) >= settings.TONGXIN_LOGIN_THROTTLE_PER_ADDRESS
        or ratelimit.count(by_name) >= settings.TONGXIN_LOGIN_THROTTLE_PER_USERNAME
    )


def _count_failure(request: HttpRequest, username: str) -> None:
    for key in _throttle_keys(request, username):
        ratelimit.hit(key, _window())


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _finish(request: HttpRequest, user: Any, device: Any, target: str) -> HttpResponse:
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        django_otp.login(request, device)
    return redirect(target)


@public
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next(request))
    form = LoginForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form, "next": _next(request) if "next" in request.GET else ""}
    if request.method == "POST":
        context["next"] = request.POST.get("next", "")
        if not form.is_valid():
            return render(request, "registration/login.html", context)
        username = form.cleaned_data["username"]
        if _throttled(request, username):
            context["throttled"] = settings.TONGXIN_LOGIN_THROTTLE_MINUTES
            return render(request, "registration/login.html", context, status=429)
        # django-axes locks (account, address) inside authenticate(); its middleware answers then
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            _count_failure(request, username)
            context["failed"] = True
            return render(request, "registration/login.html", context)
        if services.mfa_enrolled(user):
            request.session.cycle_key()
            request.session[PENDING] = {"user": user.pk, "at": int(time.time()), "next": _next(request)}
            return redirect("login_code")
        return _finish(request, user, None, _next(request))
    return render(request, "registration/login.html", context)


@public
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the authenticator app, or one recovery code."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > CODE_STEP_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = services.mfa_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            request.session.pop(PENDING, None)
            return _finish(request, user, device, pending["next"])
        failures = pending.get("failures", 0) + 1
        audit_record(
            action=Action.LOGIN_FAILED,
            username=user.get_username(),
            request=request,
            outcome=Outcome.FAILURE,
            detail={"step": "second_factor"},
        )
        _count_failure(request, user.get_username())
        if failures >= CODE_FAILURES:
            request.session.pop(PENDING, None)
            return redirect("login")
        request.session[PENDING] = {**pending, "failures": failures}
        form.add_error("code", _("The code is wrong, expired or already used. Enter the code shown now."))
    return render(request, "registration/login_code.html", {"form": form}, status=400 if form.errors else 200)


logout_view = public(auth_views.LogoutView.as_view())


@login_only
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, confirm with one code, keep the recovery codes.
    Replacing an enrolled authenticator needs a session verified with the current one."""
    user: Any = request.user
    enrolled = services.mfa_enrolled(user)
    if enrolled and not user.is_verified():
        return redirect("logout")  # the gate prevents this; never let a password alone replace it
    device = None
    if request.method == "POST" or request.GET.get("new") or not enrolled:
        device = TOTPDevice.objects.filter(
            pk=request.session.get(ENROLLING), user=user, confirmed=False
        ).first()
        if device is None or (request.method == "GET" and request.GET.get("new")):
            device = services.totp_start(user=user)
            request.session[ENROLLING] = device.pk
    form = CodeForm(request.POST if request.method == "POST" else None)
    codes = None
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            codes = services.totp_confirm(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as exc:
            form.add_error("code", exc.message_dict.get("code", exc.messages))
        else:
            request.session.pop(ENROLLING, None)
            django_otp.login(request, device)
    context: dict[str, Any] = {"form": form, "enrolled": enrolled, "codes": codes, "device": device}
    if device is not None and codes is None:
        context["qr"] = qr_svg(device.config_url, title=_("QR code for your authenticator app"))
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
        context["required"] = services.mfa_required(user)
    response = render(request, "accounts/mfa.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the secret and the recovery codes are never cached
    return response
