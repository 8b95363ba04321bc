"""The database cache's table (rate limits and log-in throttles shared by every process), created
here so `migrate` is all an installation needs. With Redis configured it creates nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_account_security")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
