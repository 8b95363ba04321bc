"""SQLite: the word search's triggers and index made again. The first form of 0023 remade the cases
table on SQLite (an AlterField), which dropped the triggers of 0021, so a database migrated through
it stopped indexing new descriptions. The triggers are created where missing and the FTS table is
filled anew from the cases. Nothing to do on PostgreSQL (its GIN index is on the table itself)."""

from importlib import import_module

from django.db import migrations

word_search = import_module("tongxin.cases.migrations.0021_case_word_search")

TRIGGERS = [
    statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1)
    for statement in word_search.SQLITE_FORWARD
    if statement.startswith("CREATE TRIGGER")
]
REFILL = [
    "INSERT INTO cases_case_search(cases_case_search) VALUES ('delete-all')",
    "INSERT INTO cases_case_search(rowid, grams) SELECT id, tongxin_case_grams(description) FROM cases_case",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in TRIGGERS + REFILL:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0023_deadline_queues_covering"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
