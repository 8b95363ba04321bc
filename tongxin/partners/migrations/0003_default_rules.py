from django.db import migrations

DEFAULT = {
    "version": "tongxin-2026.1",
    "agreement_warn_days": 60,
    "task_warn_days": 3,
    "practical_per_unit": 1,
    "secretary_projects": 1,
    "due_if_joined_by_month": 7,
    "due_if_joined_by_day": 1,
    "source": "每个共建单位每年至少完成1件实事；各级党组织书记每年至少认领1个书记项目",
}


def add_default(apps, schema_editor):
    rules = apps.get_model("partners", "CoBuildingRules")
    rules.objects.get_or_create(version=DEFAULT["version"], defaults=DEFAULT)


def remove_default(apps, schema_editor):
    apps.get_model("partners", "CoBuildingRules").objects.filter(version=DEFAULT["version"]).delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_alliances_pairings_agreements_rules")]

    operations = [migrations.RunPython(add_default, remove_default)]
