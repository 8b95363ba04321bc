"""Log-in defences (row 3), sessions (rows 4, 22), the client address behind proxies, the public
intake limits (row 35) and API tokens' expiry, rotation and revocation."""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.utils import timezone

from tongxin.accounts.middleware import LOGIN_AT
from tongxin.accounts.models import ApiToken
from tongxin.accounts.services import account_set_active, token_create, token_rotate
from tongxin.audit.models import Action, AuditEvent
from tongxin.core.clients import client_address
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, make_user

A, B = "10.0.0.1", "10.0.0.2"


def log_in(username, password=PASSWORD, ip=A, client=None):
    client = client or Client(REMOTE_ADDR=ip)
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def normalised(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode())  # the CSRF tokens differ


@pytest.fixture
def wang(db):
    return make_user(None, None, username="wang.fang")


def test_lock_is_per_account_and_address_with_a_cool_off(wang, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        log_in("wang.fang", f"wrong-{i}", ip=A)
    assert log_in("wang.fang", ip=A).status_code == 429  # the right password does not help from A
    assert log_in("wang.fang", ip=B).status_code == 302  # a sprayer at A does not lock the official out
    assert AuditEvent.objects.filter(action=Action.LOCKOUT, actor_username="wang.fang", ip=A).exists()
    # time passes beyond the cool-off
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert log_in("wang.fang", ip=A).status_code == 302


def test_throttle_per_address_across_account_names(db, settings):
    settings.TONGXIN_LOGIN_THROTTLE_PER_ADDRESS = 6
    make_user(None, None, username="li.ming")
    for i in range(6):
        assert log_in(f"nobody{i}", "guess-1", ip=A).status_code == 200
    throttled = log_in("li.ming", ip=A)
    assert throttled.status_code == 429 and "Too many failed log-ins" in throttled.content.decode()
    assert log_in("li.ming", ip=B).status_code == 302


def test_throttle_per_account_name_across_addresses(wang, settings):
    settings.TONGXIN_LOGIN_THROTTLE_PER_USERNAME = 4
    for i in range(4):
        log_in("wang.fang", "wrong", ip=f"10.1.0.{i}")
    assert log_in("wang.fang", ip="10.2.0.1").status_code == 429
    assert not any("wang" in key for key in _cache_keys())  # the name is hashed in the key


def _cache_keys() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM tongxin_cache")
        return [row[0] for row in cursor.fetchall()]


def test_no_enumeration_same_answer_and_similar_time(wang):
    known = log_in("wang.fang", "wrong-password", ip=A)
    unknown = log_in("zhao.nobody", "wrong-password", ip=B)
    assert known.status_code == unknown.status_code == 200
    assert normalised(known).replace("wang.fang", "X") == normalised(unknown).replace("zhao.nobody", "X")
    timings = {}
    for name in ("wang.fang", "zhao.nobody"):
        started = time.perf_counter()
        for n in range(3):
            log_in(name, "wrong-password", ip=f"10.3.{len(name)}.{n}")
        timings[name] = time.perf_counter() - started
    # both run the password hasher once: the same order of time (generous bound against noise)
    assert timings["zhao.nobody"] > timings["wang.fang"] / 3
    locked_known = [log_in("wang.fang", "x", ip="10.9.0.1") for _ in range(6)][-1]
    locked_unknown = [log_in("zhao.nobody", "x", ip="10.9.0.2") for _ in range(6)][-1]
    assert locked_known.status_code == locked_unknown.status_code == 429


def test_the_store_is_the_database_cache_shared_by_processes(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert caches["default"].__class__.__name__ == "DatabaseCache"


def test_client_address_honours_forwarded_for_only_from_trusted_proxies(settings):
    factory = RequestFactory()
    direct = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(direct) == "203.0.113.9"
    settings.TONGXIN_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.6")
    assert client_address(proxied) == "198.51.100.7"  # the spoofed left-most hop is ignored
    assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
    assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="junk")) == "10.0.0.5"
    assert client_address(factory.get("/", REMOTE_ADDR="bogus")) is None


def test_the_audit_trail_and_the_limits_read_the_same_address(wang, settings):
    settings.TONGXIN_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = Client()
    client.post(
        "/login/",
        {"username": "wang.fang", "password": "wrong"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert AuditEvent.objects.get(action=Action.LOGIN_FAILED).ip == "198.51.100.7"
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"


def public_case(client, tree, ip):
    public_case.n = getattr(public_case, "n", 0) + 1
    return client.post(
        "/api/v1/cases/public",
        {
            "kind": "help",
            "category": "0802",
            "description": "独居老人摔倒，需要帮助",
            "community": tree.community_a1.pk,
        },
        content_type="application/json",
        headers={"Idempotency-Key": f"limit-{public_case.n}"},
        REMOTE_ADDR=ip,
    )


def test_public_intake_api_is_limited_per_address_with_a_json_429(client, tree, settings):
    settings.TONGXIN_PUBLIC_INTAKE_PER_HOUR = 3
    from tongxin.cases.testing import load_case_configuration

    load_case_configuration()
    answers = [public_case(client, tree, A).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    body = public_case(client, tree, A).json()
    assert body["code"] == "rate_limited" and body["message"]
    assert public_case(client, tree, B).status_code != 429


def test_the_report_page_shares_the_public_limit(client, tree, settings, monkeypatch):
    from tongxin.cases import public_views

    monkeypatch.setattr(public_views, "REPORT_LIMIT_PER_HOUR", 2)
    settings.TONGXIN_PUBLIC_INTAKE_PER_HOUR = 2
    from tongxin.cases.testing import load_case_configuration

    load_case_configuration()
    public_case(client, tree, A)
    public_case(client, tree, A)
    page = client.post("/report/", {}, REMOTE_ADDR=A)
    assert page.status_code == 429 and "Too many reports" in page.content.decode()


# --- sessions ---


def test_logout_deletes_the_server_side_session_and_the_cookie_is_dead(client, wang):
    log_in("wang.fang", client=client)
    cookie = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=cookie).exists()
    client.post("/logout/")
    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/structure/").status_code == 302


def test_absolute_session_lifetime(client, wang, settings):
    settings.TONGXIN_SESSION_MAX_HOURS = 10
    log_in("wang.fang", client=client)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - 10 * 3600 - 1
    session.save()
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not Session.objects.exists()


def test_absolute_lifetime_on_the_api_is_a_json_401(client, wang):
    log_in("wang.fang", client=client)
    session = client.session
    session[LOGIN_AT] = 0
    session.save()
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"


def test_idle_timeout_is_server_side(client, wang, settings):
    log_in("wang.fang", client=client)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/accounts/tokens/").status_code == 302


def test_deactivating_an_account_kills_its_live_sessions(tree):
    secadmin = make_user(Role.SECURITY_ADMIN, tree.city)
    worker = make_user(Role.GRID_WORKER, tree.grids["1.1"], username="worker")
    other = make_user(Role.GRID_WORKER, tree.grids["1.1"], username="other")
    phone, desk, colleague = Client(), Client(), Client()
    for client, name in ((phone, "worker"), (desk, "worker"), (colleague, "other")):
        log_in(name, client=client, ip=f"10.4.0.{len(name)}")
    assert Session.objects.count() == 3
    account_set_active(account=worker, active=False, actor=secadmin)
    assert Session.objects.count() == 1
    assert phone.get("/structure/").status_code == 302 and colleague.get("/structure/").status_code == 200
    assert other.is_active


# --- API tokens ---


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_expires_with_a_json_401(client, wang, settings):
    token, secret = token_create(user=wang, name="sync")
    assert token.expires_at - timezone.now() > timedelta(days=settings.TONGXIN_TOKEN_DAYS - 1)
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_rotation_keeps_the_old_token_for_the_overlap_only(client, wang, settings):
    old, old_secret = token_create(user=wang, name="sync")
    new, new_secret = token_rotate(token=old, actor=wang)
    old.refresh_from_db()
    assert old.replaced_by == new and new.name == "sync"
    assert old.expires_at <= timezone.now() + timedelta(hours=settings.TONGXIN_TOKEN_OVERLAP_HOURS)
    assert client.get("/api/v1/me", **bearer(old_secret)).status_code == 200
    assert client.get("/api/v1/me", **bearer(new_secret)).status_code == 200
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    assert client.get("/api/v1/me", **bearer(old_secret)).status_code == 401
    assert client.get("/api/v1/me", **bearer(new_secret)).status_code == 200


def test_token_pages_rotate_and_revoke_only_ones_own(client, wang):
    mine, secret = token_create(user=wang, name="mine")
    theirs, _ = token_create(user=make_user(None, None), name="theirs")
    client.force_login(wang)
    page = client.post(f"/accounts/tokens/{mine.pk}/rotate/")
    assert page.status_code == 200 and page.context["secret"] in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert client.post(f"/accounts/tokens/{theirs.pk}/rotate/").status_code == 404
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    client.post(f"/accounts/tokens/{mine.pk}/revoke/")
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
