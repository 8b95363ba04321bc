from decimal import Decimal

from django.db import migrations


def load_defaults(apps, schema_editor):
    from tongxin.cases.defaults import CATEGORIES, RULES_VERSION, WHISTLE_TYPES

    Category = apps.get_model("cases", "CaseCategory")
    WhistleType = apps.get_model("cases", "WhistleType")
    Step = apps.get_model("cases", "WhistleRouteStep")
    for code, name, children in CATEGORIES:
        parent, _ = Category.objects.get_or_create(
            code=code,
            defaults=dict(name=name, response_hours=2, handling_hours=24, closure_hours=40, rules_version=RULES_VERSION),
        )
        for ccode, cname, response, handling, closure, auto in children:
            Category.objects.get_or_create(
                code=ccode,
                defaults=dict(
                    name=cname,
                    parent=parent,
                    response_hours=Decimal(str(response)),
                    handling_hours=Decimal(str(handling)),
                    closure_hours=Decimal(str(closure)),
                    auto_whistle=auto,
                    rules_version=RULES_VERSION,
                ),
            )
    for code, name, description, steps in WHISTLE_TYPES:
        wt, _ = WhistleType.objects.get_or_create(code=code, defaults=dict(name=name, description=description))
        for step, target, kind, hours in steps:
            Step.objects.get_or_create(
                whistle_type=wt,
                step=step,
                defaults=dict(target=target, responder_kind=kind, report_hours=Decimal(str(hours))),
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
