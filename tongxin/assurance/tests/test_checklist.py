"""The security checklist: every SECURITY.md row, each proven by tests that exist, and a state that
follows this installation (an account that breaks a row turns it red)."""

import ast
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.models import RoleAssignment, User
from tongxin.assurance.checklist import ROWS, State, checklist
from tongxin.audit.models import Action, AuditEvent
from tongxin.audit.services import audit_record
from tongxin.audit.trail import checkpoint_file, checkpoint_write
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.testing import make_user

ROOT = Path(__file__).resolve().parents[3]


def _state(number: int) -> State:
    return dict((row.number, finding.state) for row, finding in checklist())[number]


def test_the_rows_are_the_37_of_security_md_in_order():
    assert [row.number for row in ROWS] == list(range(1, 38))


@pytest.mark.parametrize("row", ROWS, ids=lambda row: str(row.number))
def test_every_row_names_tests_that_exist(row):
    assert row.proofs, row.number
    for proof in row.proofs:
        path, _, name = proof.partition("::")
        source = ROOT / path
        assert source.is_file(), proof
        tests = {
            node.name
            for node in ast.walk(ast.parse(source.read_text()))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        }
        assert tests, f"{proof}: no test in it"
        assert not name or name in tests, f"{proof}: no such test"


@pytest.mark.django_db
def test_a_superuser_or_an_administrator_with_a_second_role_fails_row_9(tree):
    admin = make_user(Role.AUDITOR, tree.city)
    assert _state(9) == State.HOLDS
    # granted behind the service's back (the service refuses it): the checklist still sees it
    RoleAssignment.objects.create(user=admin, role=Role.STREET_OFFICIAL, region=tree.street_a)
    assert _state(9) == State.FAILING
    RoleAssignment.objects.filter(user=admin, role=Role.STREET_OFFICIAL).delete()
    assert _state(9) == State.HOLDS
    User.objects.create(username="root", is_superuser=True, password=make_password("x-Long-enough-1"))
    assert _state(9) == State.FAILING


@pytest.mark.django_db
def test_an_active_account_without_a_usable_password_fails_row_1(tree):
    user = make_user(Role.COMMUNITY_STAFF, tree.community_a1)
    assert _state(1) == State.HOLDS
    user.set_unusable_password()
    user.save()
    assert _state(1) == State.FAILING


@pytest.mark.django_db
def test_tls_settings_decide_row_6(settings):
    settings.TONGXIN_TLS = False
    assert _state(6) == State.NOT_CONFIGURED
    settings.TONGXIN_TLS = True
    settings.SESSION_COOKIE_SECURE = False
    assert _state(6) == State.FAILING
    settings.SESSION_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    assert _state(6) == State.HOLDS


@pytest.mark.django_db
def test_a_short_audit_retention_fails_row_17(settings):
    settings.TONGXIN_AUDIT_SYSLOG = "/dev/log"
    settings.TONGXIN_AUDIT_RETENTION_DAYS = 90
    assert _state(17) == State.FAILING
    settings.TONGXIN_AUDIT_RETENTION_DAYS = 180
    assert _state(17) == State.HOLDS
    # kept long enough, but not collected centrally
    settings.TONGXIN_AUDIT_SYSLOG = ""
    assert _state(17) == State.NOT_CONFIGURED


@pytest.mark.django_db
def test_the_demo_profile_fails_row_7(settings):
    # the demo's accounts share a published password: a default password on this installation
    settings.TONGXIN_SECURITY_PROFILE = "demo"
    assert _state(7) == State.FAILING
    settings.TONGXIN_SECURITY_PROFILE = "mlps3"
    assert _state(7) == State.HOLDS


@pytest.mark.django_db
def test_row_8_follows_the_inactivity_setting(settings):
    settings.TONGXIN_ACCOUNT_INACTIVE_DAYS = 0
    assert _state(8) == State.NOT_CONFIGURED
    settings.TONGXIN_ACCOUNT_INACTIVE_DAYS = 90
    assert _state(8) == State.HOLDS


@pytest.mark.django_db
def test_a_trimmed_trail_or_no_checkpoint_fails_row_15(settings):
    if connection.vendor == "postgresql":
        # tamper as the table's owner could (before any event: ALTER waits for no pending trigger)
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER tongxin_audit_append_only")
    assert _state(15) == State.HOLDS  # nothing audited yet
    events = [audit_record(action=Action.LOGIN, username=f"u{i}") for i in range(4)]
    # events, but no signed checkpoint: a trimmed tail could not be seen (the worker writes them)
    assert _state(15) == State.FAILING
    checkpoint_write()
    assert _state(15) == State.HOLDS
    # the newest event deleted: the chain that is left verifies, the checkpoint does not
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    assert _state(15) == State.FAILING
    checkpoint_write()  # the worker signs the shortened tail: it holds again from here on
    assert _state(15) == State.HOLDS
    # a checkpoint line edited by hand is refused
    path = checkpoint_file()
    path.write_text(path.read_text().replace('"events": 3', '"events": 4'))
    assert _state(15) == State.FAILING
    path.unlink()
    checkpoint_write()
    # no checkpoint for two intervals: the worker has stopped
    later = timezone.now() + timedelta(minutes=2 * settings.TONGXIN_AUDIT_CHECKPOINT_MINUTES + 61)
    with mock.patch("tongxin.assurance.checklist.timezone.now", return_value=later):
        assert _state(15) == State.FAILING


@pytest.mark.django_db
def test_the_security_administrator_reads_the_page(tree):
    client = login(make_user(Role.SECURITY_ADMIN, tree.city))
    response = client.get(reverse("assurance:checklist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<tr id="row-') == 37
    assert "accounts/tests/test_separation.py" in page
    only_failing = client.get(reverse("assurance:checklist"), {"state": "failing"}).content.decode()
    assert only_failing.count('<tr id="row-') == sum(1 for _r, f in checklist() if f.state == State.FAILING)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STREET_OFFICIAL, Role.COMMUNITY_SECRETARY, Role.SYSTEM_ADMIN])
def test_other_roles_may_not_read_it(tree, role):
    client = login(make_user(role, tree.street_a))
    assert client.get(reverse("assurance:checklist")).status_code == 403
    response = client.get("/api/v1/security/checklist")
    assert response.status_code == 403
    assert response.json()["code"]


@pytest.mark.django_db
def test_the_api_answers_every_row_with_its_state(tree):
    client = login(make_user(Role.AUDITOR, tree.city))
    rows = client.get("/api/v1/security/checklist").json()
    assert [r["number"] for r in rows] == list(range(1, 38))
    assert {r["state"] for r in rows} <= {s.value for s in State}
    assert all(r["proofs"] for r in rows)


def test_anonymous_callers_are_sent_to_log_in(client):
    response = client.get(reverse("assurance:checklist"))
    assert response.status_code == 302
    assert client.get("/api/v1/security/checklist").status_code == 401
