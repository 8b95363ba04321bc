from django.db import migrations


def load_defaults(apps, schema_editor):
    from tongxin.gridwork.defaults import LOG_KINDS, RULES_VERSION, VISIT_INTERVAL_DAYS

    LogKind = apps.get_model("gridwork", "LogKind")
    VisitInterval = apps.get_model("gridwork", "VisitInterval")
    for code, name, household_usual, has_outcome, order in LOG_KINDS:
        LogKind.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                household_usual=household_usual,
                has_outcome=has_outcome,
                sort_order=order,
                rules_version=RULES_VERSION,
            ),
        )
    if not VisitInterval.objects.filter(region__isnull=True).exists():
        VisitInterval.objects.create(region=None, days=VISIT_INTERVAL_DAYS, rules_version=RULES_VERSION)


class Migration(migrations.Migration):
    dependencies = [("gridwork", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
