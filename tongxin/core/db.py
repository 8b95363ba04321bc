"""Database helpers that differ between PostgreSQL and SQLite."""

import zlib

from django.db import connection, models


def serialise_writers(name: str) -> None:
    """Hold a transaction-scoped lock named `name` until commit.

    PostgreSQL: an advisory lock. SQLite: transactions start IMMEDIATE (settings), so writers are
    already serialised.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])


def outbox_index(table: str) -> models.Index:
    """The partial index a transition table carries for the outbox worker (notifications/outbox.py):
    only the rows not yet processed, so the worker's scan stays small however long history grows."""
    return models.Index(fields=["id"], condition=models.Q(processed_at__isnull=True), name=f"{table}_outbox")
