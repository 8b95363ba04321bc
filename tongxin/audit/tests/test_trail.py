"""Issue 12, item 4 (SECURITY.md rows 15–18): a keyed chain with its key outside the database,
signed checkpoints outside the database that reveal a trimmed tail, retention with archives, and
an audit write that cannot fail without failing the operation it records."""

import hashlib
import importlib
import json
import logging
import socket
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tongxin.audit import chain
from tongxin.audit import jobs as audit_jobs  # registers the audit jobs
from tongxin.audit.models import Action, AuditCheckpoint, AuditEvent
from tongxin.audit.services import audit_check, audit_record, audit_verify
from tongxin.audit.trail import audit_archive, checkpoint_file, checkpoint_write, trail_verify
from tongxin.jobs.registry import PERIODIC
from tongxin.jobs.services import job_enqueue, job_run

assert audit_jobs.checkpoint.module_path == "tongxin.audit.jobs.checkpoint"  # a django-tasks Task
rechain_migration = importlib.import_module("tongxin.audit.migrations.0007_rechain_with_key")

pytestmark = pytest.mark.django_db


def _events(n, **kw):
    return [audit_record(action=Action.LOGIN, username=f"u{i}", **kw) for i in range(n)]


def _problems():
    return trail_verify().problems


# ---- the keyed chain -----------------------------------------------------------------------------


def test_the_chain_is_keyed_with_a_key_outside_the_database(settings):
    first, _second = _events(2)
    assert first.scheme == chain.SHA256
    plain = hashlib.sha256(f"{chain.GENESIS}|{chain.body(chain.chained_fields(first))}".encode()).hexdigest()
    assert first.hash != plain  # not the old unkeyed hash
    assert audit_verify() == (True, None)
    settings.AUDIT_CHAIN_KEY = "another key"  # the database alone does not verify
    assert audit_verify() == (False, first.pk)


def test_a_chain_rebuilt_without_the_key_is_detected():
    events = _events(3)
    AuditEvent.objects.filter(pk=events[1].pk).update(target="rewritten")
    # the attacker re-hashes every event from the changed one on, without the key
    prev = events[0].hash
    for event in AuditEvent.objects.filter(pk__gte=events[1].pk).order_by("id"):
        new = chain.digest(chain.LEGACY, prev, chain.chained_fields(event))
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=new)
        prev = new
    assert audit_verify() == (False, events[1].pk)
    # nor by calling the unkeyed scheme by its name
    AuditEvent.objects.filter(pk=events[1].pk).update(scheme=chain.LEGACY)
    assert audit_verify() == (False, events[1].pk)
    assert f"event {events[1].pk} was changed" in _problems()[0]


def test_a_changed_row_and_a_deleted_middle_row_are_detected():
    events = _events(4)
    AuditEvent.objects.filter(pk=events[1].pk).update(outcome="denied")
    assert f"event {events[1].pk} was changed" in _problems()[0]
    AuditEvent.objects.filter(pk=events[1].pk).update(outcome="success")
    assert _problems() == []
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    assert f"event {events[3].pk} was changed, or an event before it removed" in _problems()[0]


def test_the_national_profile_chains_with_hmac_sm3(settings):
    if not chain.sm3_available():
        pytest.skip("this OpenSSL has no SM3")
    older = _events(1)[0]
    settings.TONGXIN_CRYPTO_PROFILE = "national"
    newer = _events(1)[0]
    assert (older.scheme, newer.scheme) == (chain.SHA256, chain.SM3)
    assert newer.hash == chain.digest(chain.SM3, older.hash, chain.chained_fields(newer))
    assert audit_verify() == (True, None)  # one chain across the change of profile
    checkpoint_write()
    assert _problems() == []


# ---- checkpoints outside the database ------------------------------------------------------------


def test_a_truncated_tail_is_detected_by_the_signed_checkpoint():
    events = _events(5)
    entry = checkpoint_write()
    assert (entry["last_id"], entry["last_hash"]) == (events[-1].pk, events[-1].hash)
    assert oct(checkpoint_file().stat().st_mode & 0o777) == "0o600"
    call_command("verify_audit_chain")
    # the newest two events are deleted: the chain that is left verifies on its own …
    AuditEvent.objects.filter(pk__gte=events[3].pk).delete()
    assert audit_verify() == (True, None)
    # … but the checkpoint outside the database saw them
    with pytest.raises(CommandError, match="truncated") as failure:
        call_command("verify_audit_chain")
    assert failure.value.returncode == 1


def test_a_forged_or_edited_checkpoint_line_is_refused():
    _events(2)
    checkpoint_write()
    path = checkpoint_file()
    lines = path.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["last_id"] = 1
    path.write_text(json.dumps(entry) + "\n")
    assert any("wrong signature" in p for p in _problems())


def test_the_worker_writes_checkpoints_and_syslog_gets_them(settings, tmp_path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "log.sock")
    listener.bind(address)
    listener.settimeout(5)
    settings.TONGXIN_AUDIT_SYSLOG = address
    _events(2)
    try:
        assert PERIODIC["audit.checkpoint"].every == timedelta(minutes=15)
        job = job_enqueue(kind="audit.checkpoint")
        assert job is not None and job_run(job)
        line = json.loads(checkpoint_file().read_text().splitlines()[-1])
        assert line["kind"] == "checkpoint" and line["last_id"] == AuditEvent.objects.latest("id").pk
        assert b"tongxin-audit" in listener.recv(4096)
    finally:
        listener.close()
        logging.getLogger("tongxin.audit.syslog").handlers.clear()


# ---- retention and archives ----------------------------------------------------------------------


def test_archiving_never_touches_events_younger_than_the_retention(settings, monkeypatch):
    settings.TONGXIN_AUDIT_RETENTION_DAYS = 30  # asked for less: 180 days still hold
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now - timedelta(days=400))
    old = _events(3)
    monkeypatch.setattr(timezone, "now", lambda: now - timedelta(days=179))
    young = _events(2)
    monkeypatch.setattr(timezone, "now", lambda: now)
    checkpoint_write()
    assert audit_archive(now=now - timedelta(days=300)) == 0  # then nothing was 180 days old
    assert audit_archive(now=now) == 3
    left = set(AuditEvent.objects.values_list("pk", flat=True))
    assert {e.pk for e in young} <= left and not {e.pk for e in old} & left
    archived = sorted((checkpoint_file().parent).glob("archive-*.jsonl"))
    rows = [json.loads(line) for line in archived[0].read_text().splitlines()]
    assert [r["id"] for r in rows] == [e.pk for e in old] and rows[-1]["hash"] == old[-1].hash
    # the chain still verifies from the archive's anchor, new events continue it
    assert audit_verify() == (True, None) and audit_check(full=True) == (True, None)
    _events(1)
    checkpoint_write()
    assert _problems() == []
    # time travel: a year on, the young ones go too, never the newest
    assert audit_archive(now=now + timedelta(days=365)) >= 2
    assert AuditEvent.objects.exists() and _problems() == []
    # an archive changed after the fact shows
    archived[0].chmod(0o600)
    archived[0].write_text("{}\n")
    assert any("changed" in p for p in _problems())


def test_retention_below_180_days_fails_the_system_check(settings):
    settings.TONGXIN_AUDIT_RETENTION_DAYS = 90
    assert "audit.E001" in {m.id for m in run_checks()}
    settings.TONGXIN_AUDIT_RETENTION_DAYS = 180
    assert "audit.E001" not in {m.id for m in run_checks()}


# ---- fail closed ---------------------------------------------------------------------------------


def test_an_audit_write_failure_fails_the_operation(tree, monkeypatch):
    from tongxin.people.services import person_create, person_update
    from tongxin.testing import make_user

    person = person_create(name="张三", region=tree.community_a1)
    official = make_user("community_staff", tree.community_a1)

    def broken(*args, **kwargs):
        raise OSError("audit store unavailable")

    monkeypatch.setattr(chain, "digest", broken)
    with pytest.raises(OSError):
        person_update(person=person, actor=official, name="李四")
    person.refresh_from_db()
    assert person.name == "张三"  # rolled back with the failed audit row


# ---- the honest re-chain -------------------------------------------------------------------------


def _legacy_chain(n, tamper_at=None):
    prev = chain.GENESIS
    rows = []
    for i in range(n):
        event = AuditEvent(
            at=timezone.now(),
            actor_username=f"old{i}",
            action="login",
            outcome="success",
            scheme=chain.LEGACY,
        )
        if i == tamper_at:
            event.target = "changed later"
            event.hash = chain.digest(chain.LEGACY, prev, {**chain.chained_fields(event), "target": ""})
        else:
            event.hash = chain.digest(chain.LEGACY, prev, chain.chained_fields(event))
        event.prev_hash = prev
        event.save()
        rows.append(event)
        prev = event.hash
    return rows


@pytest.mark.parametrize("tamper_at", [None, 1])
def test_the_migration_rechains_with_the_key_and_says_what_it_found(tamper_at):
    rows = _legacy_chain(3, tamper_at=tamper_at)
    assert audit_verify() == (False, rows[0].pk)  # unkeyed events are never accepted
    rechain_migration.rechain(apps, None)
    assert audit_verify() == (True, None)
    note = AuditEvent.objects.latest("id")
    assert note.action == Action.CHAIN_REKEYED and note.detail["events"] == 3
    assert note.detail["unkeyed_chain_intact"] is (tamper_at is None)
    assert note.detail["broken_at"] == (None if tamper_at is None else rows[tamper_at].pk)
    assert not AuditCheckpoint.objects.exists()
