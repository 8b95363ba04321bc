"""The activities' part of the service record: an activity's attendance, once its organiser has
confirmed it, registered with the members' sources when the app loads (apps.py)."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from tongxin.activities.models import Activity, ActivityStatus, SignUp
from tongxin.members.models import ServiceSource as SourceKey
from tongxin.members.sources import ServiceFact


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


class ActivitySource:
    """An activity's attendance, once its organiser has confirmed it."""

    key = SourceKey.ACTIVITY.value

    def changed(self, since: datetime | None, until: datetime) -> list[str] | None:
        if since is None:
            return None
        ids = Activity.objects.filter(updated_at__gte=since, updated_at__lt=until).values_list(
            "pk", flat=True
        )
        return [str(pk) for pk in ids]

    def facts(self, ids: list[str] | None) -> Iterable[ServiceFact]:
        rows = SignUp.objects.filter(
            attended=True, activity__status=ActivityStatus.CONFIRMED, cancelled_at__isnull=True
        ).select_related("activity")
        if ids is not None:
            rows = rows.filter(activity_id__in=[int(i) for i in ids])
        for signup in rows.iterator(chunk_size=2000):
            activity = signup.activity
            yield ServiceFact(
                person_id=signup.person_id,
                source_id=str(activity.pk),
                on=_local_date(activity.starts_at),
                hours=Decimal(activity.hours),
                title=activity.title,
                region_id=activity.region_id,
                url=activity.get_absolute_url(),
            )
