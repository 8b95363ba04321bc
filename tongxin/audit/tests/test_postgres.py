"""On PostgreSQL the database keeps audit events append-only (migration 0008): the trigger refuses
UPDATE and early DELETE for every role, and the application's role loses UPDATE, DELETE and
TRUNCATE. Run with scripts/with-postgres.sh; skipped on SQLite."""

import importlib
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tongxin.audit.models import Action, AuditEvent
from tongxin.audit.services import audit_record, audit_verify
from tongxin.testing import make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]
protection = importlib.import_module("tongxin.audit.migrations.0008_postgresql_append_only")


def _refused(sql, params=()):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_trigger_refuses_update_and_early_delete_even_to_the_owner():
    event = audit_record(action=Action.LOGIN, username="a")
    _refused("UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s", [event.pk])
    _refused("UPDATE audit_auditevent SET detail = '{}'::jsonb, target = 'x' WHERE id = %s", [event.pk])
    _refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, outcome="success").exists()
    assert audit_verify() == (True, None)


def test_deleting_an_account_still_sets_its_events_actor_to_null(db):
    user = make_user(None, None)
    event = audit_record(action=Action.LOGIN, actor=user)
    user.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id is None
    assert audit_verify() == (True, None)


def test_events_past_the_shortest_retention_may_be_archived(monkeypatch):
    from tongxin.audit.trail import audit_archive

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now - timedelta(days=400))
    audit_record(action=Action.LOGIN, username="old")
    monkeypatch.setattr(timezone, "now", lambda: now)
    audit_record(action=Action.LOGIN, username="new")
    assert audit_archive(now=now) == 1
    assert AuditEvent.objects.order_by("id").values_list("actor_username", flat=True).first() == "new"


def test_the_application_role_cannot_update_delete_or_truncate():
    event = audit_record(action=Action.LOGIN, username="a")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE tongxin_app_test NOLOGIN")
        cursor.execute("GRANT USAGE ON SCHEMA public TO tongxin_app_test")
        for statement in protection.restrict_role_sql("tongxin_app_test"):
            cursor.execute(statement)
        cursor.execute("SET LOCAL ROLE tongxin_app_test")
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        for sql in (
            f"UPDATE audit_auditevent SET target = 'x' WHERE id = {event.pk}",
            f"DELETE FROM audit_auditevent WHERE id = {event.pk}",
            "TRUNCATE audit_auditevent",
        ):
            cursor.execute("SAVEPOINT attempt")
            with pytest.raises(DatabaseError, match="permission denied"):
                cursor.execute(sql)
            cursor.execute("ROLLBACK TO SAVEPOINT attempt")
        cursor.execute(
            "SELECT has_table_privilege('tongxin_app_test', 'audit_auditevent', 'INSERT'),"
            " has_table_privilege('tongxin_app_test', 'audit_auditevent', 'UPDATE')"
        )
        assert cursor.fetchone() == (True, False)
        cursor.execute("RESET ROLE")
        transaction.set_rollback(True)
