"""Secrets that live in files beside the data, never in the repository or the database."""

import base64
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
