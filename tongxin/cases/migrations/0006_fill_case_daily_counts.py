from django.db import migrations
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

FIELDS = ("dispatched", "responded_in_time", "followed_up", "solved", "rated", "satisfied", "basically")


def fill(apps, schema_editor):
    """The daily counts of the cases dispatched before the table existed."""
    Case = apps.get_model("cases", "Case")
    Count_ = apps.get_model("cases", "CaseDailyCount")
    Region = apps.get_model("regions", "Region")
    rows = (
        Case.objects.filter(dispatched_at__isnull=False)
        .annotate(day=TruncDate("dispatched_at", tzinfo=timezone.get_current_timezone()))
        .values("community_id", "day")
        .annotate(
            dispatched=Count("pk"),
            responded_in_time=Count("pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("response_due"))),
            followed_up=Count("pk", filter=Q(solved_confirmed__isnull=False)),
            solved=Count("pk", filter=Q(solved_confirmed=True)),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=Q(rating="satisfied")),
            basically=Count("pk", filter=Q(rating="basically")),
        )
        .order_by()
    )
    paths = dict(Region.objects.filter(level="community").values_list("pk", "path"))
    Count_.objects.bulk_create(
        [
            Count_(community_id=r["community_id"], community_path=paths[r["community_id"]], day=r["day"],
                   **{name: r[name] for name in FIELDS})
            for r in rows
        ],
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_daily_counts")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
