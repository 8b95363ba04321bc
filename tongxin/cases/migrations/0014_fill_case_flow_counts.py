"""Fill the flow counts from the cases already there (flow_counts.rebuild, written out here as it
stands today so that later model changes cannot break this migration)."""

from collections import Counter, defaultdict

from django.db import migrations
from django.utils import timezone

CLOSED_OUT = {"rejected", "merged"}


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Category = apps.get_model("cases", "CaseCategory")
    Region = apps.get_model("regions", "Region")
    Flow = apps.get_model("cases", "CaseFlowCount")
    ByCategory = apps.get_model("cases", "CaseCategoryCount")
    Close = apps.get_model("cases", "CaseCloseTime")
    parent = dict(Category.objects.values_list("pk", "parent_id"))
    paths = dict(Region.objects.filter(level="community").values_list("pk", "path"))
    totals = defaultdict(Counter)
    local = timezone.localdate
    rows = Case.objects.values_list(
        "community_id", "reported_at", "closed_at", "overdue_at", "source", "status",
        "duplicate_of_id", "solved_confirmed", "category_id",
    )
    for community, reported, closed, overdue, source, status, dup, solved, category in rows.iterator(
        chunk_size=5000
    ):
        group = parent.get(category) or 0
        totals[("flow", community, local(reported), source)]["received"] += 1
        totals[("category", community, local(reported), group)]["received"] += 1
        if closed is not None and dup is None and status not in CLOSED_OUT:
            key = ("flow", community, local(closed), source)
            totals[key]["closed"] += 1
            totals[key]["closed_unsolved"] += int(solved is not True)
            tenths = int((closed - reported).total_seconds() / 8640 + 0.5)
            totals[("close", community, local(closed), tenths)]["cases"] += 1
        if overdue is not None:
            totals[("flow", community, local(overdue), source)]["overdue"] += 1
    flows, categories, closes = [], [], []
    for (kind, community, day, rest), values in totals.items():
        common = {"community_id": community, "community_path": paths[community], "day": day}
        if kind == "flow":
            flows.append(Flow(source=rest, **common, **values))
        elif kind == "category":
            categories.append(ByCategory(category_group=rest, **common, **values))
        else:
            closes.append(Close(tenths=rest, cases=values["cases"], **common))
    Flow.objects.bulk_create(flows, batch_size=2000)
    ByCategory.objects.bulk_create(categories, batch_size=2000)
    Close.objects.bulk_create(closes, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_case_flow_counts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
