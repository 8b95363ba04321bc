"""The second factor (row 5): TOTP with recovery codes (django-otp), mandatory for the three
administrators and, in the level-3 profile, for every official; never bypassed by a reset."""

import re

import pytest
from django.contrib.sessions.models import Session
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts.services import account_password_reset, mfa_reset, role_grant, totp_confirm, totp_start
from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, make_person, make_user


def code_for(device: TOTPDevice, offset: int = 1) -> str:
    """The code of the next time step by default: enrolment used the current one, which the device
    never accepts twice."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, offset):06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = totp_start(user=user)
    codes = totp_confirm(user=user, device=device, code=code_for(device, offset=0))
    device.refresh_from_db()
    return device, codes


def log_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def admins_need_it(settings):
    settings.TONGXIN_MFA_REQUIRED = "admins"


@pytest.fixture
def sysadmin(tree):
    return make_user(Role.SYSTEM_ADMIN, tree.city, username="sysadmin")


def test_an_administrator_reaches_nothing_but_enrolment_until_enrolled(client, admins_need_it, sysadmin):
    assert log_in(client, "sysadmin").url == "/"
    for path in ["/", "/people/", "/structure/", "/accounts/tokens/"]:
        assert client.get(path).url == "/accounts/second-factor/", path
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    page = client.get("/accounts/second-factor/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "<svg" in html and "http" not in re.sub(
        r'xmlns="[^"]*"', "", html.split("<svg", 1)[1].split("</svg>")[0]
    )
    device = TOTPDevice.objects.get(user=sysadmin, confirmed=False)
    assert client.post("/accounts/second-factor/", {"code": "000000"}).status_code == 400
    done = client.post("/accounts/second-factor/", {"code": code_for(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(c in done.content.decode() for c in codes)
    assert client.get("/people/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.RECORD_CHANGED, detail__second_factor="enrolled").exists()


def test_a_business_role_needs_no_code_unless_the_level3_profile(client, settings, tree):
    settings.TONGXIN_MFA_REQUIRED = "admins"
    make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="shuji")
    log_in(client, "shuji")
    assert client.get("/structure/").status_code == 200
    client.logout()
    settings.TONGXIN_MFA_REQUIRED = "officials"
    log_in(client, "shuji")
    assert client.get("/structure/").url == "/accounts/second-factor/"


def test_login_asks_for_the_code_after_the_password(client, admins_need_it, sysadmin):
    device, _codes = enrol(sysadmin)
    response = log_in(client, "sysadmin")
    assert response.url == "/login/code/"
    # the password alone reaches nothing
    assert client.get("/people/").status_code == 302 and client.get("/people/").url.startswith("/login/")
    assert client.get("/api/v1/me").status_code == 401
    bad = client.post("/login/code/", {"code": "123456"})
    assert bad.status_code == 400
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, detail__step="second_factor").exists()
    # django-otp makes the next try wait (1 s, doubling per failure): as if the user waited
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )
    code = code_for(device)
    assert client.post("/login/code/", {"code": code}).url == "/"
    assert client.get("/people/").status_code == 200
    # the same code again, in a new log-in, is refused
    client.logout()
    log_in(client, "sysadmin")
    assert client.post("/login/code/", {"code": code}).status_code == 400


def test_a_recovery_code_works_once(client, admins_need_it, sysadmin):
    _device, codes = enrol(sysadmin)
    log_in(client, "sysadmin")
    assert client.post("/login/code/", {"code": codes[0]}).url == "/"
    assert StaticToken.objects.filter(device__user=sysadmin).count() == 9
    client.logout()
    log_in(client, "sysadmin")
    assert client.post("/login/code/", {"code": codes[0]}).status_code == 400


def test_too_many_wrong_codes_start_the_log_in_again(client, admins_need_it, sysadmin):
    enrol(sysadmin)
    log_in(client, "sysadmin")
    for _ in range(4):
        assert client.post("/login/code/", {"code": "000000"}).status_code == 400
    assert client.post("/login/code/", {"code": "000000"}).url == "/login/"
    assert client.get("/login/code/").url == "/login/"


def test_a_password_reset_never_bypasses_the_second_factor(client, admins_need_it, tree, sysadmin):
    secadmin = make_user(Role.SECURITY_ADMIN, tree.city)
    sysadmin.person = make_person(tree.street_a)
    sysadmin.save()
    device, _codes = enrol(sysadmin)
    password = account_password_reset(account=sysadmin, actor=secadmin)
    assert log_in(client, "sysadmin", password).url == "/login/code/"
    assert client.get("/accounts/password/").url.startswith("/login/")
    client.post("/login/code/", {"code": code_for(device)})
    assert client.get("/").url == "/accounts/password/"  # then the one-time password is changed


def test_an_administrator_resets_a_lost_authenticator_audited(client, admins_need_it, tree, sysadmin):
    secadmin = make_user(Role.SECURITY_ADMIN, tree.city)
    enrol(secadmin)
    device, _codes = enrol(sysadmin)
    log_in(client, "sysadmin")
    client.post("/login/code/", {"code": code_for(device)})
    assert Session.objects.count() == 1
    mfa_reset(account=sysadmin, actor=secadmin)
    assert not TOTPDevice.objects.filter(user=sysadmin).exists() and Session.objects.count() == 0
    event = AuditEvent.objects.get(action=Action.RECORD_CHANGED, detail__second_factor="reset")
    assert event.actor == secadmin and event.target == f"user:{sysadmin.pk}"
    log_in(client, "sysadmin")
    assert client.get("/").url == "/accounts/second-factor/"  # enrols again after the password


def test_the_reset_page_is_the_security_administrators_and_scoped(client, tree):
    secadmin = make_user(Role.SECURITY_ADMIN, tree.street_a)
    inside = make_user(Role.GRID_WORKER, tree.grids["1.1"])
    outside = make_user(Role.COMMUNITY_STAFF, tree.community_b1)
    enrol(inside)
    client.force_login(make_user(Role.AUDITOR, tree.city))
    assert client.post(f"/accounts/{inside.pk}/second-factor-reset/").status_code == 403
    client.force_login(secadmin)
    assert client.post(f"/accounts/{inside.pk}/second-factor-reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=inside).exists()
    enrol(outside)
    assert client.post(f"/accounts/{outside.pk}/second-factor-reset/").status_code == 404
    assert TOTPDevice.objects.filter(user=outside).exists()


def test_granting_an_administrator_role_ends_the_accounts_sessions(client, tree):
    secadmin = make_user(Role.SECURITY_ADMIN, tree.city)
    fresh = make_user(None, None)
    client.force_login(fresh)
    role_grant(user=fresh, role=Role.AUDITOR, region=tree.city, granted_by=secadmin)
    assert Session.objects.count() == 0
