import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _tamper_like_the_database_owner(request, db):
    """The tamper tests act as someone with the owner's rights on PostgreSQL, who can switch the
    append-only trigger off (inside the test's transaction); test_postgres.py keeps it on."""
    if connection.vendor == "postgresql" and not request.module.__name__.endswith("test_postgres"):
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER tongxin_audit_append_only")
