"""The audit trail outside the database: signed checkpoints in an append-only file (and syslog when
configured), archives of events past their retention, and the verification that reads both.

A checkpoint line records the newest event's id and hash, signed with the chain's key. Deleting
the newest events from the table (a trimmed tail) then shows: the event the last checkpoint saw
is gone, or has another hash. The file is opened for appending only and never rewritten.
"""

import hashlib
import json
import logging
import logging.handlers
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongxin.audit import chain
from tongxin.audit.models import Action, AuditCheckpoint, AuditEvent
from tongxin.audit.services import archive_anchor, audit_record, walk
from tongxin.core.actors import SYSTEM
from tongxin.core.db import serialise_writers

log = logging.getLogger(__name__)
MIN_RETENTION_DAYS = 180  # Cybersecurity Law art. 21(3); the system check refuses less


def audit_dir() -> Path:
    path = Path(settings.TONGXIN_AUDIT_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def checkpoint_file() -> Path:
    return audit_dir() / "checkpoints.jsonl"


def retention_days() -> int:
    return max(int(settings.TONGXIN_AUDIT_RETENTION_DAYS), MIN_RETENTION_DAYS)


def _append(line: str) -> None:
    fd = os.open(checkpoint_file(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if settings.TONGXIN_AUDIT_SYSLOG:
        _syslog().info("tongxin-audit %s", line)


def _syslog() -> logging.Logger:
    logger = logging.getLogger("tongxin.audit.syslog")
    if not logger.handlers:
        address: Any = settings.TONGXIN_AUDIT_SYSLOG
        if ":" in address and not address.startswith("/"):
            host, port = address.rsplit(":", 1)
            address = (host, int(port))
        logger.addHandler(logging.handlers.SysLogHandler(address=address))
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def _write(kind: str, **payload: Any) -> dict[str, Any]:
    entry = {"kind": kind, "at": timezone.now().isoformat(), **payload}
    entry["sig"] = chain.sign(entry)
    _append(json.dumps(entry, sort_keys=True, ensure_ascii=False))
    return entry


def checkpoint_write() -> dict[str, Any]:
    """Sign and ship the newest event's id and hash (the periodic job calls this)."""
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    last_id, last_hash = last or archive_anchor()
    return _write("checkpoint", last_id=last_id, last_hash=last_hash, events=AuditEvent.objects.count())


def checkpoints_read() -> tuple[list[dict[str, Any]], list[str]]:
    """The file's entries whose signature holds, and a problem for each line that does not."""
    path = checkpoint_file()
    entries: list[dict[str, Any]] = []
    problems: list[str] = []
    if not path.exists():
        return entries, problems
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            signature = entry.pop("sig")
        except (ValueError, KeyError, AttributeError):
            problems.append(f"checkpoint line {number} cannot be read")
            continue
        if not chain.signature_valid(entry, signature):
            problems.append(f"checkpoint line {number} has a wrong signature (forged or edited)")
            continue
        entries.append(entry)
    return entries, problems


# ---- archive -------------------------------------------------------------------------------------


def _as_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "actor_id": event.actor_id,
        "region_id": event.region_id,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        **chain.chained_fields(event),
    }


def audit_archive(*, now: datetime | None = None, batch: int = 10_000) -> int:
    """Move the oldest events past the retention period to a file, then out of the table. Never an
    event younger than the retention (at least 180 days), and only from the start of the chain."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    with transaction.atomic():
        serialise_writers("tongxin_audit_chain")
        old: list[AuditEvent] = []
        for event in AuditEvent.objects.order_by("id")[:batch]:
            if event.at >= cutoff:
                break  # a prefix of the chain only, so what stays still starts from the anchor
            old.append(event)
        if not old:
            return 0
        first, last = old[0], old[-1]
        path = audit_dir() / f"archive-{first.pk:012d}-{last.pk:012d}.jsonl"
        content = "".join(json.dumps(_as_row(e), sort_keys=True, ensure_ascii=False) + "\n" for e in old)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(fd, "w") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        _write(
            "archive",
            first_id=first.pk,
            last_id=last.pk,
            last_hash=last.hash,
            file=path.name,
            sha256=hashlib.sha256(content.encode()).hexdigest(),
        )
        checkpoint, _ = AuditCheckpoint.objects.select_for_update().get_or_create(pk=1)
        checkpoint.archived_up_to, checkpoint.archived_hash = last.pk, last.hash
        checkpoint.save()
        AuditEvent.objects.filter(id__lte=last.pk, at__lt=cutoff).delete()
    audit_record(
        action=Action.AUDIT_ARCHIVED,
        actor=SYSTEM,
        target=path.name,
        detail={"first": first.pk, "last": last.pk, "events": len(old), "retention_days": retention_days()},
    )
    return len(old)


# ---- the whole verification ----------------------------------------------------------------------


@dataclass
class TrailReport:
    events: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def trail_verify() -> TrailReport:
    """Every check at once: the keyed chain from the last archived event, each signed checkpoint
    against the table (a trimmed tail, a rewritten event), the archives against their digests."""
    report = TrailReport(events=AuditEvent.objects.count())
    entries, report.problems = checkpoints_read()
    report.checkpoints = len(entries)
    archives = [e for e in entries if e["kind"] == "archive"]
    anchor_id, anchor_hash = (0, chain.GENESIS)
    if archives:
        anchor_id, anchor_hash = archives[-1]["last_id"], archives[-1]["last_hash"]
    if (anchor_id, anchor_hash) != archive_anchor():
        report.problems.append("the archive anchor in the database differs from the signed file")
    for entry in archives:
        path = audit_dir() / entry["file"]
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            report.problems.append(f"archive {entry['file']} is missing or changed")
    intact, bad, _last_id, _last_hash = walk(anchor_id, anchor_hash)
    if not intact:
        report.problems.append(f"event {bad} was changed, or an event before it removed")
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or anchor_id
    for entry in entries:
        if entry["kind"] != "checkpoint" or entry["last_id"] <= anchor_id:
            continue
        seen = AuditEvent.objects.filter(pk=entry["last_id"]).values_list("hash", flat=True).first()
        if seen is None:
            report.problems.append(
                f"events up to {entry['last_id']} (checkpoint of {entry['at']}) are missing: "
                f"the trail ends at {newest}, it was truncated"
            )
            break
        if seen != entry["last_hash"]:
            report.problems.append(f"event {entry['last_id']} differs from its checkpoint of {entry['at']}")
            break
    return report
