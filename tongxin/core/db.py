"""Database helpers that differ between PostgreSQL and SQLite."""

import zlib

from django.db import connection


def serialise_writers(name: str) -> None:
    """Hold a transaction-scoped lock named `name` until commit.

    PostgreSQL: an advisory lock. SQLite: transactions start IMMEDIATE (settings), so writers are
    already serialised.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
