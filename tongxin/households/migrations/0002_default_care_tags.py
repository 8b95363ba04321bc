from django.db import migrations


def load_defaults(apps, schema_editor):
    from tongxin.households.defaults import CARE_TAGS, RULES_VERSION

    CareTag = apps.get_model("households", "CareTag")
    for order, (code, name, description, interval) in enumerate(CARE_TAGS, start=1):
        CareTag.objects.get_or_create(
            code=code,
            region=None,
            defaults=dict(
                name=name,
                description=description,
                visit_interval_days=interval,
                sort_order=order * 10,
                rules_version=RULES_VERSION,
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
