"""Password policy as configuration (row 2), one-time initial passwords changed at first log-in
and the fresh install's first administrator (row 7), inactive accounts disabled (row 8)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.accounts.passwords import one_time_password
from tongxin.accounts.services import (
    account_create,
    account_password_reset,
    accounts_disable_inactive,
    password_change,
)
from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.testing import PASSWORD, make_person, make_user


@pytest.fixture
def level3(settings):
    settings.TONGXIN_PASSWORD_CLASSES = 3
    settings.TONGXIN_PASSWORD_HISTORY = 3
    settings.TONGXIN_PASSWORD_MAX_AGE_DAYS = 90


@pytest.mark.parametrize(
    "password", ["abcdefghijk", "tongxin2026", "Tongxin2026", "qwertyuiop12", "passw0rd!!"]
)
def test_guessable_passwords_are_refused_in_every_profile(db, password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_length_bounds(db, settings):
    with pytest.raises(ValidationError):
        validate_password("Sh0rt-pw")  # 8 < the default 10
    validate_password("Lagoon-" + "x7Q" * 19)  # 64 characters are allowed
    with pytest.raises(ValidationError, match="at most"):
        validate_password("Lagoon-" + "x7Q" * 50)
    settings.TONGXIN_PASSWORD_MIN_LENGTH = 8  # configurable; Django's validator reads its options
    settings.AUTH_PASSWORD_VALIDATORS = [
        {**v, "OPTIONS": {"min_length": 8}} if v["NAME"].endswith("MinimumLengthValidator") else v
        for v in settings.AUTH_PASSWORD_VALIDATORS
    ]
    validate_password("Sh0rt-pw")


def test_composition_three_of_four_classes_in_the_level3_profile(db, level3):
    with pytest.raises(ValidationError, match="at least 3"):
        validate_password("riverlanternmoon")
    with pytest.raises(ValidationError, match="at least 3"):
        validate_password("riverlantern42")
    validate_password("Riverlantern42")
    validate_password("riverlantern-42")


def test_composition_is_off_outside_the_level3_profile(db):
    validate_password("riverlanternmoon")


def test_history_refuses_the_last_passwords(db, level3):
    user = make_user(None, None)
    for new in ["Harbour-lamp-71", "Orchard-gate-52"]:
        password_change(user=user, new_password=new)
    for old in [PASSWORD, "Harbour-lamp-71", "Orchard-gate-52"]:
        with pytest.raises(ValidationError, match="not used recently"):
            password_change(user=user, new_password=old)
    password_change(user=user, new_password="Meadow-bridge-33")


def test_a_one_time_password_passes_the_level3_policy(db, level3):
    for _ in range(20):
        validate_password(one_time_password())


def test_an_expired_password_forces_a_change_at_next_login(client, db, level3):
    user = make_user(None, None, username="old.timer")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = client.post("/login/", {"username": "old.timer", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").url == "/accounts/password/"
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "expired" in page.content.decode()
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Meadow-bridge-33", "new_password2": "Meadow-bridge-33"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code in (200, 302) and client.get("/api/v1/me").status_code == 200


def test_a_new_account_gets_a_one_time_password_it_must_change_first(client, tree):
    secadmin = make_user(Role.SECURITY_ADMIN, tree.city)
    account, password = account_create(
        username="new.one", person=make_person(tree.community_a1), created_by=secadmin
    )
    assert account.must_change_password and account.check_password(password)
    assert client.post("/login/", {"username": "new.one", "password": password}).status_code == 302
    for path in ["/", "/structure/", "/accounts/tokens/"]:
        assert client.get(path).url == "/accounts/password/", path
    assert client.get("/api/v1/me").json()["code"] == "password_change_required"
    client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "Meadow-bridge-33", "new_password2": "Meadow-bridge-33"},
    )
    account.refresh_from_db()
    assert not account.must_change_password
    assert client.get("/accounts/tokens/").status_code == 200


def test_an_administrators_reset_gives_a_one_time_password_and_ends_sessions(client, tree):
    secadmin = make_user(Role.SECURITY_ADMIN, tree.city)
    user = make_user(Role.GRID_WORKER, tree.grids["1.1"])
    user.person = make_person(tree.grids["1.1"])
    user.save()
    client.force_login(user)
    assert Session.objects.count() == 1
    password = account_password_reset(account=user, actor=secadmin)
    assert Session.objects.count() == 0 and client.get("/").status_code == 302
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(password) and not user.check_password(PASSWORD)
    event = AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED).latest("id")
    assert event.actor == secadmin and event.detail["reset_by_administrator"] is True
    with pytest.raises(ValidationError):
        account_password_reset(account=secadmin, actor=secadmin)


def test_reset_page_shows_the_password_once_and_is_scoped(client, tree):
    secadmin = make_user(Role.SECURITY_ADMIN, tree.street_a)
    inside = make_user(Role.GRID_WORKER, tree.grids["1.1"])
    outside = make_user(Role.COMMUNITY_STAFF, tree.community_b1)
    client.force_login(secadmin)
    response = client.post(f"/accounts/{inside.pk}/password-reset/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    inside.refresh_from_db()
    assert inside.check_password(response.context["password"])
    assert client.post(f"/accounts/{outside.pk}/password-reset/").status_code == 404
    outside.refresh_from_db()
    assert outside.check_password(PASSWORD)


def test_a_fresh_install_has_no_account_until_createadmin(client, tree):
    assert User.objects.count() == 0
    out = StringIO()
    call_command("createadmin", "--username", "anquan", "--region", tree.city.code, stdout=out)
    password = out.getvalue().strip().rsplit(" ", 1)[-1]
    admin = User.objects.get()
    assert admin.username == "anquan" and admin.must_change_password and admin.check_password(password)
    assert list(admin.role_assignments.values_list("role", flat=True)) == [Role.SECURITY_ADMIN]
    client.post("/login/", {"username": "anquan", "password": password})
    assert client.get("/accounts/").url == "/accounts/password/"


def test_inactive_accounts_are_disabled_by_the_job(db, settings):
    settings.TONGXIN_ACCOUNT_INACTIVE_DAYS = 90
    idle = make_user(None, None, username="idle")
    busy = make_user(None, None, username="busy")
    now = timezone.now()
    User.objects.filter(pk=idle.pk).update(
        date_joined=now - timedelta(days=200), last_login=now - timedelta(days=91)
    )
    User.objects.filter(pk=busy.pk).update(
        date_joined=now - timedelta(days=200), last_login=now - timedelta(days=5)
    )
    assert accounts_disable_inactive(now=now - timedelta(days=10)) == []  # ten days ago, 81 days idle
    assert accounts_disable_inactive() == ["idle"]
    assert not User.objects.get(pk=idle.pk).is_active and User.objects.get(pk=busy.pk).is_active
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_DEACTIVATED, target=f"user:{idle.pk}").exists()


def test_account_names_are_unique(db):
    from django.db import IntegrityError, transaction

    make_user(None, None, username="zhang.san")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="zhang.san", password="x")
