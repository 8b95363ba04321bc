from django.db import migrations

from tongxin.villages.defaults import SOURCE, TIERS


def add(apps, schema_editor):
    TierScheme = apps.get_model("villages", "TierScheme")
    Tier = apps.get_model("villages", "Tier")
    if TierScheme.objects.exists():
        return
    scheme = TierScheme.objects.create(version=1, year_from=2000, source=SOURCE)
    Tier.objects.bulk_create(
        Tier(scheme=scheme, rank=rank, name=name, min_income=at_least, weak=weak)
        for rank, name, at_least, weak in TIERS
    )


class Migration(migrations.Migration):
    dependencies = [("villages", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
