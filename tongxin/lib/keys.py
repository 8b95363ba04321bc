"""Secrets that live in files beside the data, never in the repository or the database."""

import base64
import contextlib
import os
import secrets
from pathlib import Path


def load_or_create_key(path: Path, *, kind: str) -> str:
    """Return the key stored at `path`, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    if kind == "fernet":
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    else:
        key = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def write_key_file(path: Path, content: str) -> None:
    """Replace the key file at `path` in one step (a rename), readable by its owner only."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def owner_only(path: Path) -> bool:
    """True when nobody but the owner may read or write `path` (mode 0600 or stricter)."""
    return not (path.stat().st_mode & 0o077)


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, unless it exists (SQLite then gives its
    journal and WAL files the same mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
