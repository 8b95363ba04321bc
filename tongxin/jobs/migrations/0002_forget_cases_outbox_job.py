from django.db import migrations


def forget(apps, schema_editor):
    """The case notifier became the one outbox of all workflows (job `notifications.outbox`)."""
    apps.get_model("jobs", "Job").objects.filter(
        kind="cases.outbox", status__in=["queued", "running"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
