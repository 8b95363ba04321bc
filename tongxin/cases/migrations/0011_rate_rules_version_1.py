from django.db import migrations
from django.utils import timezone


def version_1(apps, schema_editor):
    """The national default: 基本满意 counts at 0.8, in force for every period."""
    from tongxin.cases.defaults import BASICALLY_SATISFIED_WEIGHT, RATE_RULES_VALID_FROM, RATE_RULES_VERSION

    RateRuleSet = apps.get_model("cases", "RateRuleSet")
    RateRuleSet.objects.get_or_create(
        version=RATE_RULES_VERSION,
        defaults={
            "valid_from": RATE_RULES_VALID_FROM,
            "basically_weight": BASICALLY_SATISFIED_WEIGHT,
            "created_at": timezone.now(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_rate_rule_set")]
    operations = [migrations.RunPython(version_1, migrations.RunPython.noop)]
