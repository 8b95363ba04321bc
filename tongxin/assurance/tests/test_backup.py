"""Backups and the recorded restore drill (SECURITY.md row 21), on SQLite and on PostgreSQL."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from tongxin.assurance import jobs as assurance_jobs
from tongxin.assurance.backups import MANIFEST, BackupError, backup_create, restore_drill
from tongxin.assurance.checklist import State, checklist
from tongxin.assurance.models import RestoreDrill
from tongxin.audit.models import Action, AuditEvent
from tongxin.audit.services import audit_record
from tongxin.audit.trail import checkpoint_write
from tongxin.core.actors import SYSTEM
from tongxin.jobs import registry

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


@pytest.fixture
def backups(settings, tmp_path):
    settings.TONGXIN_BACKUP_DIR = tmp_path / "backups"
    return tmp_path / "backups"


def _some_history(tree) -> None:
    for n in range(3):
        audit_record(action=Action.EXPORT, actor=SYSTEM, target=f"test:{n}")
    checkpoint_write()


def _round_trip(backups: Path) -> None:
    manifest = backup_create()
    folder = backups / manifest["id"]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    for entry in manifest["files"]:
        assert oct((folder / entry["name"]).stat().st_mode & 0o777) == "0o600"
        assert entry["size"] > 0 and len(entry["sha256"]) == 64
    assert manifest["counts"]["audit.AuditEvent"] >= 3
    assert manifest["counts"]["regions.Region"] > 0
    call_command("restore_drill")  # the newest backup; raises CommandError on failure
    drill = RestoreDrill.objects.get()
    assert drill.outcome == RestoreDrill.Outcome.PASSED, drill.problems
    assert drill.backup_id == manifest["id"]
    assert drill.checks == {
        "checksums": "ok",
        "restore": "ok",
        "row_counts": "ok",
        "audit_chain": "ok",
        "integrity": "ok",
    }
    assert AuditEvent.objects.filter(action=Action.RESTORE_DRILL, outcome="success").exists()
    assert AuditEvent.objects.filter(action=Action.BACKUP_MADE).exists()


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_and_drill_round_trip_on_sqlite(backups, tree):
    _some_history(tree)
    _round_trip(backups)


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_and_drill_round_trip_on_postgresql(backups, tree):
    _some_history(tree)
    _round_trip(backups)
    manifest = json.loads(next(backups.glob(f"*/{MANIFEST}")).read_text())
    assert manifest["method"] == "pg_dump -Fc"
    with connection.cursor() as cursor:  # the scratch database is dropped after the drill
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'tongxin_drill_%%'")
        assert cursor.fetchall() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_damaged_backup_fails_the_drill_and_is_recorded(backups, tree):
    _some_history(tree)
    manifest = backup_create()
    damaged = backups / manifest["id"] / manifest["files"][0]["name"]
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="failed"):
        call_command("restore_drill", backup=manifest["id"])
    drill = RestoreDrill.objects.get()
    assert drill.outcome == RestoreDrill.Outcome.FAILED
    assert drill.checks["checksums"] == "failed"
    assert "SHA-256 differs from the manifest" in drill.problems[0]
    assert AuditEvent.objects.filter(action=Action.RESTORE_DRILL, outcome="failure").exists()
    # a missing backup is a failed drill too, with a clear reason
    failed = restore_drill(backup_id="no-such-backup")
    assert failed.outcome == RestoreDrill.Outcome.FAILED
    assert "run `tongxin backup` first" in failed.problems[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_keys_are_never_in_the_backup(backups, tree):
    _some_history(tree)
    manifest = backup_create()
    names = {p.name for p in backups.rglob("*")}
    assert not names & {"field_key", "audit_key", "secret_key"}
    keys = [
        (Path(django_settings.DATA_DIR) / name).read_bytes().strip()
        for name in ("field_key", "audit_key", "secret_key")
        if (Path(django_settings.DATA_DIR) / name).exists()
    ]
    keys += [str(k).encode() for k in (django_settings.SECRET_KEY,) if k]
    for path in (backups / manifest["id"]).iterdir():
        content = path.read_bytes()
        for key in keys:
            assert key not in content, path.name


def _row_21() -> State:
    return dict((row.number, finding.state) for row, finding in checklist())[21]


@pytest.mark.django_db
def test_row_21_follows_the_last_drill(settings):
    settings.TONGXIN_RESTORE_DRILL_DAYS = 7
    assert _row_21() == State.NOT_CONFIGURED  # no drill has run
    now = timezone.now()
    vendor = connection.vendor

    def drill(outcome: str, days_ago: int) -> RestoreDrill:
        return RestoreDrill.objects.create(
            started_at=now - timedelta(days=days_ago),
            backup_id="b",
            vendor=vendor,
            outcome=outcome,
            problems=[] if outcome == "passed" else ["database.dump: the SHA-256 differs"],
            ran_by="worker",
            checks={"checksums": "ok" if outcome == "passed" else "failed"},
        )

    drill("failed", 1)
    assert _row_21() == State.FAILING
    detail = str(dict((row.number, finding.detail) for row, finding in checklist())[21])
    assert "failed: checksums against the manifest" in detail
    drill("passed", 10)
    assert _row_21() == State.FAILING  # the newest is still the failed one
    RestoreDrill.objects.all().delete()
    drill("passed", 10)
    assert _row_21() == State.FAILING  # overdue: older than the interval
    drill("passed", 1)
    assert _row_21() == (State.HOLDS if vendor == "postgresql" else State.NOT_CONFIGURED)


@pytest.mark.scheduled_sweeps
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_job_backs_up_and_drills(backups, tree):
    _some_history(tree)
    registry.load_all()
    assert "assurance.restore_drill" in registry.HANDLERS
    # scheduled weekly (the suite's conftest takes it off the schedule of every other test)
    drill_every = timedelta(days=django_settings.TONGXIN_RESTORE_DRILL_DAYS)
    assert registry.PERIODIC["assurance.restore_drill"].every == assurance_jobs.EVERY == drill_every
    registry.HANDLERS["assurance.restore_drill"]({})
    drill = RestoreDrill.objects.get()
    assert drill.ran_by == "worker" and drill.outcome == RestoreDrill.Outcome.PASSED, drill.problems
    assert len(list(backups.iterdir())) == 1


@pytest.mark.django_db
def test_no_backup_inside_a_transaction(backups):
    """A copy made inside a transaction would hold its uncommitted writes; on SQLite the backup API
    would wait forever for that transaction's lock. It is refused at once, and nothing is left."""
    with pytest.raises(BackupError, match="outside any transaction"):
        backup_create()
    assert not backups.exists() or not any(backups.iterdir())
