from django.db import migrations


class Migration(migrations.Migration):
    """解决率's denominator becomes the cases concluded (closed solved or unsolved), not only the
    cases followed up: the column is renamed here and refilled by the next migration."""

    dependencies = [("cases", "0007_case_list_covering_index")]

    operations = [
        migrations.RenameField(model_name="casedailycount", old_name="followed_up", new_name="concluded"),
    ]
