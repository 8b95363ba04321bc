"""On PostgreSQL, the database itself keeps the audit trail append-only: a trigger refuses any
UPDATE (except the SET NULL of a deleted account or region, which the hash does not cover) and any
DELETE of an event younger than 180 days (the shortest retention; archiving removes older ones).
When the application connects as its own role (TONGXIN_DB_APP_ROLE, migrations running as the
owner), that role also loses UPDATE, DELETE and TRUNCATE on the table. Nothing on SQLite."""

from django.conf import settings
from django.db import migrations

TABLE = "audit_auditevent"
FUNCTION = """
CREATE OR REPLACE FUNCTION tongxin_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.at > now() - interval '180 days' THEN
            RAISE EXCEPTION 'audit events are append-only (event % is younger than 180 days)', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF (NEW.id, NEW.at, NEW.actor_username, NEW.action, NEW.region_path, NEW.target, NEW.ip,
        NEW.outcome, NEW.detail::text, NEW.prev_hash, NEW.hash, NEW.scheme)
       IS DISTINCT FROM
       (OLD.id, OLD.at, OLD.actor_username, OLD.action, OLD.region_path, OLD.target, OLD.ip,
        OLD.outcome, OLD.detail::text, OLD.prev_hash, OLD.hash, OLD.scheme)
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
       OR (NEW.region_id IS NOT NULL AND NEW.region_id IS DISTINCT FROM OLD.region_id) THEN
        RAISE EXCEPTION 'audit events are append-only (event %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def restrict_role_sql(role: str) -> list[str]:
    """The grants of an application role on the audit table: read and append; of the columns only
    the two foreign keys that Django sets to NULL when an account or region is deleted."""
    quoted = '"' + role.replace('"', '""') + '"'
    return [
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM {quoted}",
        f"GRANT SELECT, INSERT ON {TABLE} TO {quoted}",
        f"GRANT UPDATE (actor_id, region_id) ON {TABLE} TO {quoted}",
    ]


def protect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # its RAISE messages hold a literal %
    schema_editor.execute(f"DROP TRIGGER IF EXISTS tongxin_audit_append_only ON {TABLE}")
    schema_editor.execute(
        f"CREATE TRIGGER tongxin_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION tongxin_audit_append_only()"
    )
    role = getattr(settings, "TONGXIN_DB_APP_ROLE", "")
    if role:
        for statement in restrict_role_sql(role):
            schema_editor.execute(statement)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS tongxin_audit_append_only ON {TABLE}")
    schema_editor.execute("DROP FUNCTION IF EXISTS tongxin_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_rechain_with_key")]

    operations = [migrations.RunPython(protect, unprotect)]
