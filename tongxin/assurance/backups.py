"""Backups of the database and the restore drill that proves one restores (SECURITY.md row 21).

`backup_create` writes one backup into its own directory under TONGXIN_BACKUP_DIR with a manifest
(time, database, size and SHA-256 of each file, row counts of the main tables and the newest audit
event, all taken from the same snapshot as the copy):

- PostgreSQL: `pg_dump -Fc` of an exported snapshot (REPEATABLE READ), so the counts in the manifest
  are those of the dump. A logical dump needs no replication connection and restores into a scratch
  database on the same server; the base backup (pg_basebackup) and the WAL archive for a
  point-in-time restore are the operator's server configuration (docs/configuration.md).
- SQLite: the online backup API (`sqlite3.Connection.backup`) into a file created 0600.

The keys (field_key, audit_key, secret_key) are files in TONGXIN_DATA_DIR, never in the database, and
are never copied into a backup: they are kept apart, so a stolen backup does not decrypt.

`restore_drill` restores a backup into a scratch copy (a scratch database through pg_restore, or a
scratch file), checks the manifest's checksums, the audit chain against the signed checkpoints taken
up to the backup, the seals of the important tables and the row counts, records a RestoreDrill and
an audit event, and drops the scratch copy.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 — runs pg_dump/pg_restore from fixed argument lists, no shell
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongxin.assurance.models import RestoreDrill
from tongxin.audit import integrity
from tongxin.audit.models import Action, AuditEvent, Outcome
from tongxin.audit.services import archive_anchor, audit_record, walk
from tongxin.audit.trail import checkpoints_read
from tongxin.core.actors import SYSTEM, StandIn

# what the drill checks, in its order (RestoreDrill.checks: name -> "ok" or "failed")
CHECK_LABELS: dict[str, Promise] = {
    "backup": _("a backup to restore"),
    "checksums": _("checksums against the manifest"),
    "restore": _("the restore"),
    "row_counts": _("row counts"),
    "audit_chain": _("the audit chain"),
    "integrity": _("the seals of the important tables"),
}

# the tables whose row counts the manifest keeps and the drill compares
MAIN_TABLES = (
    "accounts.User",
    "regions.Region",
    "people.Person",
    "cases.Case",
    "cases.CaseTransition",
    "audit.AuditEvent",
    "audit.Seal",
)
MANIFEST = "manifest.json"
PG_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"


class BackupError(Exception):
    pass


def backup_dir() -> Path:
    return Path(settings.TONGXIN_BACKUP_DIR)


def _tables() -> dict[str, str]:
    return {label: apps.get_model(label)._meta.db_table for label in MAIN_TABLES}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    """The PostgreSQL client program: the newest /usr/lib/postgresql/<version>/bin, else the PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if versions:
        return str(versions[-1])
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client programs)")
    return found


def _pg_params(name: str | None = None) -> dict[str, Any]:
    s = connection.settings_dict
    return {
        "dbname": name or s["NAME"],
        "user": s.get("USER") or None,
        "password": s.get("PASSWORD") or None,
        "host": s.get("HOST") or None,
        "port": s.get("PORT") or None,
    }


def _pg_args(name: str) -> tuple[list[str], dict[str, str]]:
    p = _pg_params(name)
    args = ["-d", name]
    if p["host"]:
        args += ["-h", str(p["host"])]
    if p["port"]:
        args += ["-p", str(p["port"])]
    if p["user"]:
        args += ["-U", str(p["user"])]
    env = {**os.environ, "PGPASSWORD": str(p["password"] or "")}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    # the PostgreSQL tools' own paths and the arguments built above: never a shell, never user text
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-500:]}")


def _newest_event(cursor: Any, table: str) -> tuple[int, str]:
    # the table is the audit model's own db_table, never input
    cursor.execute(f'SELECT id, hash FROM "{table}" ORDER BY id DESC LIMIT 1')  # nosec B608
    row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, "")


def _counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for label, table in _tables().items():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # nosec B608 — models' own db_table names
        counts[label] = int(cursor.fetchone()[0])
    return counts


def _backup_postgresql(target: Path) -> dict[str, Any]:
    name = connection.settings_dict["NAME"]
    args, env = _pg_args(name)
    params = {k: v for k, v in _pg_params().items() if v is not None}
    with psycopg.connect(**params) as snap:
        snap.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snap.read_only = True
        cursor = snap.cursor()
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]  # type: ignore[index]
        counts = _counts(cursor)
        last_id, last_hash = _newest_event(cursor, AuditEvent._meta.db_table)
        # the dump sees the snapshot while this transaction stays open
        dump = target / PG_FILE
        fd = os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        _run([_pg_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(dump), *args], env)
    return {
        "method": "pg_dump -Fc",
        "database": name,
        "files": [dump],
        "counts": counts,
        "audit_last_id": last_id,
        "audit_last_hash": last_hash,
    }


def _backup_sqlite(target: Path) -> dict[str, Any]:
    copy = target / SQLITE_FILE
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    connection.ensure_connection()
    source = connection.connection
    destination = sqlite3.connect(copy)
    try:
        source.backup(destination)  # the online backup API: a consistent copy while others write
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm
        cursor = destination.cursor()
        counts = _counts(cursor)
        last_id, last_hash = _newest_event(cursor, AuditEvent._meta.db_table)
    finally:
        destination.close()
    return {
        "method": "sqlite3 backup API",
        "database": str(connection.settings_dict["NAME"]),
        "files": [copy],
        "counts": counts,
        "audit_last_id": last_id,
        "audit_last_hash": last_hash,
    }


def backup_create(*, actor: StandIn = SYSTEM) -> dict[str, Any]:
    """Write a backup of the database and its manifest; return the manifest."""
    if connection.in_atomic_block:
        # a copy made inside a transaction would hold its uncommitted writes (and SQLite's backup
        # API waits forever for the lock that transaction holds)
        raise BackupError("a backup is made outside any transaction")
    now = timezone.now()
    backup_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    root = backup_dir()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(root, 0o700)
    target = root / backup_id
    target.mkdir(mode=0o700)
    try:
        made = _backup_postgresql(target) if connection.vendor == "postgresql" else _backup_sqlite(target)
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        raise
    files: list[Path] = made.pop("files")
    manifest = {
        "id": backup_id,
        "created_at": now.isoformat(),
        "vendor": connection.vendor,
        **made,
        "files": [{"name": f.name, "size": f.stat().st_size, "sha256": _sha256(f)} for f in files],
    }
    path = target / MANIFEST
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(manifest, f, indent=2)
    audit_record(
        action=Action.BACKUP_MADE,
        actor=actor,
        target=f"backup:{backup_id}",
        detail={"vendor": connection.vendor, "size": sum(f["size"] for f in manifest["files"])},
    )
    return manifest


def backups() -> list[str]:
    """The backups in TONGXIN_BACKUP_DIR that have a manifest, oldest first."""
    root = backup_dir()
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if (p / MANIFEST).exists())


@contextmanager
def _default_database(name: str) -> Iterator[None]:
    """The ORM's default database is `name` (the scratch copy) inside the block, in this thread."""
    original = connections[DEFAULT_DB_ALIAS]
    scratch = original.__class__({**original.settings_dict, "NAME": name}, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = scratch
    try:
        yield
    finally:
        scratch.close()
        connections[DEFAULT_DB_ALIAS] = original


@contextmanager
def _restored(folder: Path, manifest: dict[str, Any]) -> Iterator[None]:
    """Restore the backup into a scratch copy and make it the default database inside the block."""
    if manifest["vendor"] == "postgresql":
        scratch = f"tongxin_drill_{uuid.uuid4().hex[:12]}"
        params = {k: v for k, v in _pg_params().items() if v is not None}
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}" TEMPLATE template0')
        try:
            args, env = _pg_args(scratch)
            _run(
                [
                    _pg_tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    *args,
                    str(folder / PG_FILE),
                ],
                env,
            )
            with _default_database(scratch):
                yield
        finally:
            with psycopg.connect(**params, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        return
    with tempfile.TemporaryDirectory(prefix="tongxin-drill-") as place:
        copy = Path(place) / SQLITE_FILE
        source = sqlite3.connect(f"file:{folder / SQLITE_FILE}?mode=ro", uri=True)
        destination = sqlite3.connect(copy)
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
        with _default_database(str(copy)):
            yield


def _check_counts(manifest: dict[str, Any]) -> list[str]:
    problems = []
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        counts = _counts(cursor)
    for label, expected in manifest["counts"].items():
        if counts.get(label) != expected:
            problems.append(f"{label}: {counts.get(label)} rows restored, the manifest says {expected}")
    return problems


def _check_trail(manifest: dict[str, Any]) -> list[str]:
    """The keyed chain of the restored events, their newest against the manifest, and every signed
    checkpoint written up to the backup against the restored events."""
    problems = []
    anchor_id, anchor_hash = archive_anchor()
    intact, bad, last_id, last_hash = walk(anchor_id, anchor_hash)
    if not intact:
        problems.append(f"audit event {bad} was changed, or an event before it removed")
    elif (last_id, last_hash) != (manifest["audit_last_id"], manifest["audit_last_hash"] or anchor_hash):
        problems.append(
            f"the restored trail ends at event {last_id}, the manifest says {manifest['audit_last_id']}"
        )
    entries, signature_problems = checkpoints_read()
    problems += signature_problems
    for entry in entries:
        if entry["kind"] != "checkpoint" or not anchor_id < entry["last_id"] <= manifest["audit_last_id"]:
            continue
        seen = AuditEvent.objects.filter(pk=entry["last_id"]).values_list("hash", flat=True).first()
        if seen != entry["last_hash"]:
            problems.append(f"audit event {entry['last_id']} differs from its checkpoint of {entry['at']}")
            break
    return problems


def restore_drill(*, backup_id: str | None = None, ran_by: str = "command") -> RestoreDrill:
    """Restore a backup (the newest by default) into a scratch copy, verify it, record the drill."""
    started = timezone.now()
    clock = time.monotonic()
    checks: dict[str, str] = {}
    problems: list[str] = []
    chosen = backup_id or (backups()[-1:] or [""])[0]
    folder = backup_dir() / chosen
    manifest: dict[str, Any] = {}
    if not chosen or not (folder / MANIFEST).exists():
        problems.append(f"no backup {chosen!r} in {backup_dir()}: run `tongxin backup` first")
        checks["backup"] = "failed"
    else:
        manifest = json.loads((folder / MANIFEST).read_text())
        for entry in manifest["files"]:
            path = folder / entry["name"]
            if not path.exists():
                problems.append(f"{entry['name']} is missing from the backup")
            elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
                problems.append(
                    f"{entry['name']}: the SHA-256 differs from the manifest: "
                    "the backup file was changed or damaged"
                )
        checks["checksums"] = "ok" if not problems else "failed"
    if manifest and not problems:
        try:
            with _restored(folder, manifest):
                checks["restore"] = "ok"
                for name, check in (
                    ("row_counts", _check_counts),
                    ("audit_chain", _check_trail),
                    ("integrity", lambda m: integrity.verify().problems),
                ):
                    found = check(manifest)
                    checks[name] = "ok" if not found else "failed"
                    problems += found
        except (BackupError, psycopg.Error, sqlite3.Error, OSError) as error:
            checks.setdefault("restore", "failed")
            problems.append(f"the restore failed: {error}")
        except Exception as error:  # a damaged copy fails the ORM's queries in many ways
            checks["restore"] = "failed"
            problems.append(f"the restored copy could not be read: {error}")
    drill = RestoreDrill.objects.create(
        started_at=started,
        duration_ms=int((time.monotonic() - clock) * 1000),
        backup_id=chosen,
        vendor=manifest.get("vendor", connection.vendor),
        outcome=RestoreDrill.Outcome.FAILED if problems else RestoreDrill.Outcome.PASSED,
        checks=checks,
        problems=problems[:50],
        ran_by=ran_by,
    )
    audit_record(
        action=Action.RESTORE_DRILL,
        actor=SYSTEM,
        target=f"backup:{chosen}",
        outcome=Outcome.FAILURE if problems else Outcome.SUCCESS,
        detail={"drill": drill.pk, "checks": checks, "problems": len(problems)},
    )
    return drill


def failed_checks(drill: RestoreDrill) -> list[Promise]:
    return [label for name, label in CHECK_LABELS.items() if drill.checks.get(name) == "failed"]


def last_drill() -> RestoreDrill | None:
    return RestoreDrill.objects.order_by("-started_at").first()


def drill_interval() -> timedelta:
    """How old the last passed drill may be: TONGXIN_RESTORE_DRILL_DAYS, or a week when the
    scheduled drill is off (0)."""
    return timedelta(days=settings.TONGXIN_RESTORE_DRILL_DAYS or 7)


def drill_overdue(drill: RestoreDrill, now: datetime | None = None) -> bool:
    return (now or timezone.now()) - drill.started_at > drill_interval()
