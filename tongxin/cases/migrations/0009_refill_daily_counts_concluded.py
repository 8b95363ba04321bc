from django.db import migrations
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

FIELDS = ("dispatched", "responded_in_time", "concluded", "solved", "rated", "satisfied", "basically")


def refill(apps, schema_editor):
    """Recount every community's days from the cases, with 办结 (concluded) as the denominator of
    解决率: closed solved or unsolved (closed_at set), not merged or rejected. The same conditions
    as models.CONCLUDED and daily_counts.computed, written out here as they stand today."""
    Case = apps.get_model("cases", "Case")
    DailyCount = apps.get_model("cases", "CaseDailyCount")
    Region = apps.get_model("regions", "Region")
    concluded = Q(closed_at__isnull=False, duplicate_of__isnull=True) & ~Q(status__in=["rejected", "merged"])
    rows = (
        Case.objects.filter(dispatched_at__isnull=False)
        .annotate(day=TruncDate("dispatched_at", tzinfo=timezone.get_current_timezone()))
        .values("community_id", "day")
        .annotate(
            dispatched=Count("pk"),
            responded_in_time=Count("pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("response_due"))),
            concluded=Count("pk", filter=concluded),
            solved=Count("pk", filter=Q(solved_confirmed=True)),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=Q(rating="satisfied")),
            basically=Count("pk", filter=Q(rating="basically")),
        )
        .order_by()
    )
    paths = dict(Region.objects.filter(level="community").values_list("pk", "path"))
    DailyCount.objects.all().delete()
    DailyCount.objects.bulk_create(
        [
            DailyCount(
                community_id=r["community_id"],
                community_path=paths[r["community_id"]],
                day=r["day"],
                **{name: r[name] for name in FIELDS},
            )
            for r in rows
        ],
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_daily_count_followed_up_to_concluded"), ("regions", "0001_initial")]
    # backwards, the renamed column keeps the concluded counts: recount by hand if going back
    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
