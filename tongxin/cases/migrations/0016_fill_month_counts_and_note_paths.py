"""Fill the month counts from the day counts, and the community path of supervisions and whistles
(flow_counts.rebuild_months, written out here as it stands today so that later model changes cannot
break this migration)."""

from collections import Counter, defaultdict

from django.db import migrations
from django.db.models import OuterRef, Subquery

KINDS = (
    ("CaseFlowCount", "CaseFlowMonth", "source", ("received", "closed", "closed_unsolved", "overdue")),
    ("CaseCategoryCount", "CaseCategoryMonth", "category_group", ("received",)),
    ("CaseCloseTime", "CaseCloseMonth", "tenths", ("cases",)),
)


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    path = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("community__path")[:1])
    apps.get_model("cases", "Supervision").objects.update(community_path=path)
    apps.get_model("cases", "Whistle").objects.update(community_path=path)
    for day_name, month_name, key_field, fields in KINDS:
        Day, Month = apps.get_model("cases", day_name), apps.get_model("cases", month_name)
        totals = defaultdict(Counter)
        rows = Day.objects.values_list("community_path", "day", key_field, *fields)
        for community_path, day, key, *values in rows.iterator(chunk_size=10000):
            month = day.replace(day=1)
            for node_id in (int(p) for p in community_path.strip("/").split("/") if p):
                totals[(node_id, month, key)].update(dict(zip(fields, values)))
        Month.objects.bulk_create(
            (
                Month(node_id=node, month=month, **{key_field: key}, **{f: v[f] for f in fields})
                for (node, month, key), v in totals.items()
            ),
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_case_month_counts_scoped_notes")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
