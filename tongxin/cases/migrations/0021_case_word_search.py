"""Word search in case descriptions through an index of character bigrams (tongxin/cases/search.py).

PostgreSQL: an immutable function giving a description's two-character pieces as a tsvector, and a
GIN index on it: PostgreSQL keeps the index on every write, COPY included. SQLite: a contentless
FTS5 table of the same pieces, filled now and kept by triggers that call `tongxin_case_grams`
(registered on each connection by CasesConfig.ready). Each half runs only on its own database."""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION tongxin_case_grams(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $$
    SELECT array_to_tsvector(
        ARRAY(SELECT substr(t || ' ', i, 2) FROM generate_series(1, char_length(t)) AS i)
    )
$$
"""
# COST: computing a description's pieces is dear (about 20 µs); priced as such, the planner reads
# the GIN index and sorts the matches instead of recomputing every row of a scope in date order
PG_FORWARD = [
    PG_FUNCTION,
    "CREATE INDEX IF NOT EXISTS case_description_grams ON cases_case"
    " USING gin (tongxin_case_grams(description))",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS case_description_grams",
    "DROP FUNCTION IF EXISTS tongxin_case_grams(text)",
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE cases_case_search USING fts5(grams, content='', tokenize='unicode61')",
    """CREATE TRIGGER cases_case_search_insert AFTER INSERT ON cases_case BEGIN
        INSERT INTO cases_case_search(rowid, grams) VALUES (new.id, tongxin_case_grams(new.description));
    END""",
    """CREATE TRIGGER cases_case_search_delete AFTER DELETE ON cases_case BEGIN
        INSERT INTO cases_case_search(cases_case_search, rowid, grams)
        VALUES ('delete', old.id, tongxin_case_grams(old.description));
    END""",
    """CREATE TRIGGER cases_case_search_update AFTER UPDATE OF id, description ON cases_case
    WHEN old.id IS NOT new.id OR old.description IS NOT new.description BEGIN
        INSERT INTO cases_case_search(cases_case_search, rowid, grams)
        VALUES ('delete', old.id, tongxin_case_grams(old.description));
        INSERT INTO cases_case_search(rowid, grams) VALUES (new.id, tongxin_case_grams(new.description));
    END""",
    "INSERT INTO cases_case_search(rowid, grams) SELECT id, tongxin_case_grams(description) FROM cases_case",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_case_search_update",
    "DROP TRIGGER IF EXISTS cases_case_search_delete",
    "DROP TRIGGER IF EXISTS cases_case_search_insert",
    "DROP TABLE IF EXISTS cases_case_search",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_case_archive"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
