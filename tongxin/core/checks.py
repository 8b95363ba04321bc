"""System checks on how this installation is configured (`tongxin check`, and before every start).

The level-3 profile (TONGXIN_SECURITY_PROFILE=mlps3) needs PostgreSQL: SQLite has no point-in-time
recovery, streaming replica or database role that cannot alter the audit trail (SECURITY.md rows
15 and 21), and HTTPS (row 6): behind a TLS proxy with TONGXIN_TLS on. The accounts' own checks
(三权分立, no superuser) are tongxin.accounts.checks.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def level3_database(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return sqlite_errors(settings.DATABASES, mlps3=getattr(settings, "MLPS3", False))


def sqlite_errors(databases: dict[str, Any], *, mlps3: bool) -> list[Error]:
    if not mlps3:
        return []
    return [
        Error(
            f"The database {alias} is SQLite; the level-3 profile needs PostgreSQL.",
            hint="Set DATABASE_URL=postgres://… (docs/configuration.md), or leave the mlps3 profile.",
            id="tongxin.C001",
        )
        for alias, database in databases.items()
        if database["ENGINE"] == "django.db.backends.sqlite3"
    ]


@register(deploy=True)
def level3_transport(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    tls = getattr(settings, "TONGXIN_TLS", False)
    return transport_errors(tls=tls, mlps3=getattr(settings, "MLPS3", False))


def transport_errors(*, tls: bool, mlps3: bool) -> list[Error]:
    if not mlps3 or tls:
        return []
    return [
        Error(
            "TLS is off; the level-3 profile serves only over HTTPS.",
            hint="Serve Tongxin behind an HTTPS proxy and set TONGXIN_TLS=1 (docs/configuration.md).",
            id="tongxin.C002",
        )
    ]
