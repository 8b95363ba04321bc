"""System checks of the audit trail and the secrets beside the data (`tongxin check`)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from tongxin.audit.trail import MIN_RETENTION_DAYS
from tongxin.lib.keys import owner_only


@register("security")
def audit_retention(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if int(settings.TONGXIN_AUDIT_RETENTION_DAYS) < MIN_RETENTION_DAYS:
        return [
            Error(
                f"TONGXIN_AUDIT_RETENTION_DAYS is {settings.TONGXIN_AUDIT_RETENTION_DAYS}; audit events "
                f"must be kept at least {MIN_RETENTION_DAYS} days (Cybersecurity Law art. 21).",
                id="audit.E001",
            )
        ]
    return []


def private_files() -> list[Path]:
    """The database file and the keys in the data directory, where they exist."""
    data = Path(settings.DATA_DIR)
    files = [data / name for name in ("secret_key", "field_key", "audit_key")]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and database["NAME"] not in ("", ":memory:"):
        files.append(Path(database["NAME"]))
    return [f for f in files if f.exists()]


@register("security")
def data_file_modes(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    return [
        Warning(
            f"{path} can be read by other accounts on this machine.",
            hint=f"chmod 600 {path}",
            id="audit.W002",
        )
        for path in private_files()
        if not owner_only(path)
    ]
