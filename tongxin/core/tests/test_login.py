"""Log-in, log-out, lock-out (django-axes), password hashing and the idle session timeout."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.models import Action, AuditEvent, Outcome
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, make_user

LOGIN = "/login/"


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.fixture
def account(db):
    return make_user(None, None, username="wang.fang")


def test_passwords_are_hashed_with_argon2(db, settings):
    import tongxin.settings

    settings.PASSWORD_HASHERS = tongxin.settings.PASSWORD_HASHERS  # the real ones, not the fast test hasher
    account = make_user(None, None)
    assert account.password.startswith("argon2$argon2id$")
    assert PASSWORD not in account.password
    assert account.check_password(PASSWORD)


def test_login_page_is_public_and_has_no_inline_script(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b"<script>" not in response.content
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_successful_login_is_audited_with_ip(client, account):
    response = log_in(client, "wang.fang", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert (event.actor, event.actor_username, event.ip, event.outcome) == (
        account,
        "wang.fang",
        "10.1.2.3",
        Outcome.SUCCESS,
    )
    assert event.region_path == ""


def test_failed_login_is_audited_and_shows_an_error(client, account):
    response = log_in(client, "wang.fang", "wrong-password", REMOTE_ADDR="10.1.2.4")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert (event.actor, event.actor_username, event.ip, event.outcome) == (
        None,
        "wang.fang",
        "10.1.2.4",
        Outcome.FAILURE,
    )
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def test_logout_is_audited_and_needs_post(client, account):
    log_in(client, "wang.fang")
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert event.actor == account and event.outcome == Outcome.SUCCESS


def test_inactive_account_cannot_log_in(client, account):
    account.is_active = False
    account.save()
    log_in(client, "wang.fang")
    assert "_auth_user_id" not in client.session


# --- lock-out ---


def fail_until_locked(client, username):
    responses = [log_in(client, username, f"wrong-{i}") for i in range(settings.AXES_FAILURE_LIMIT)]
    return responses[-1]


def test_lockout_after_the_configured_number_of_failures(client, account):
    limit = settings.AXES_FAILURE_LIMIT
    assert 3 <= limit <= 10
    for i in range(limit - 1):
        assert log_in(client, "wang.fang", f"wrong-{i}").status_code == 200
    assert not AuditEvent.objects.filter(action=Action.LOCKOUT).exists()
    locked = log_in(client, "wang.fang", "wrong-last")
    assert locked.status_code == 429
    assert "core/locked_out.html" in [t.name for t in locked.templates]
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, actor_username="wang.fang").count() == limit
    lockout = AuditEvent.objects.get(action=Action.LOCKOUT)
    assert (lockout.actor_username, lockout.outcome, lockout.ip) == ("wang.fang", Outcome.DENIED, "127.0.0.1")


def test_correct_password_is_refused_while_locked(client, account):
    fail_until_locked(client, "wang.fang")
    response = log_in(client, "wang.fang")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def test_lockout_is_per_account_not_per_address(client, account):
    other = make_user(None, None, username="li.na")
    fail_until_locked(client, "wang.fang")
    assert log_in(client, "li.na").status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_security_admin_unlocks_and_it_is_audited(client, tree):
    from tongxin.accounts.services import user_create
    from tongxin.testing import make_person

    person = make_person(tree.community_a1)
    locked = user_create(username="zhao.lei", password=PASSWORD, person=person)
    fail_until_locked(client, "zhao.lei")
    assert AccessAttempt.objects.filter(username="zhao.lei").exists()

    admin = make_user(Role.SECURITY_ADMIN, tree.street_a)
    admin_client = type(client)()
    admin_client.force_login(admin)
    detail = admin_client.get(reverse("accounts:detail", args=[locked.pk]))
    assert detail.context["locked"] is True
    assert reverse("accounts:unlock", args=[locked.pk]) in detail.content.decode()
    response = admin_client.post(reverse("accounts:unlock", args=[locked.pk]), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="zhao.lei").exists()
    event = AuditEvent.objects.get(action=Action.ACCOUNT_UNLOCKED)
    assert (event.actor, event.target, event.ip, event.region) == (
        admin,
        f"user:{locked.pk}",
        "10.9.9.9",
        person.region,
    )

    assert log_in(client, "zhao.lei").status_code == 302
    assert client.session["_auth_user_id"] == str(locked.pk)


# --- idle session timeout (等保 2.0) ---


def test_session_settings_expire_idle_sessions():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_each_request_extends_the_session(client, account):
    log_in(client, "wang.fang")
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(seconds=30))
    assert client.get(reverse("accounts:tokens")).status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((renewed - expected).total_seconds()) < 60
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_an_idle_session_ends(client, account):
    log_in(client, "wang.fang")
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
