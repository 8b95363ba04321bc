"""Reads of cases, always through the user's scope."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.accounts.roles import Capability
from tongxin.accounts.scope import scope_for
from tongxin.cases.models import OPEN_STATUSES, Case, CaseStatus, Rating
from tongxin.lib.tree import subtree_range

# 满意率 counts 基本满意 at this weight (configuration; Tongxin's stated default)
BASICALLY_SATISFIED_WEIGHT = Decimal("0.8")
DUPLICATE_RADIUS_METRES = 100
DUPLICATE_DAYS = 7


def cases_visible(user: Any, *, capability: str = Capability.CASES_VIEW) -> QuerySet[Case]:
    return Case.objects.filter(scope_for(user, capability).q("region_path"))


def case_get(user: Any, pk: Any, *, capability: str = Capability.CASES_VIEW) -> Case:
    return get_object_or_404(
        cases_visible(user, capability=capability).select_related(
            "category", "category__parent", "grid", "community", "assignee_user", "assignee_responder"
        ),
        pk=pk,
    )


def cases_in(region: Any) -> QuerySet[Case]:
    low, high = subtree_range(region.path)
    return Case.objects.filter(region_path__gte=low, region_path__lt=high)


def cases_filter(
    qs: QuerySet[Case],
    *,
    status: str | None = None,
    category: Any = None,
    region: Any = None,
    overdue: bool = False,
    supervised: bool = False,
    since: date | None = None,
    until: date | None = None,
    q: str = "",
    now: datetime | None = None,
) -> QuerySet[Case]:
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    if region is not None:
        low, high = subtree_range(region.path)
        qs = qs.filter(region_path__gte=low, region_path__lt=high)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, handling_due__lt=now or timezone.now())
    if supervised:
        qs = qs.filter(supervised=True)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(reported_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(reported_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
    if q:
        qs = qs.filter(
            Q(tracking_code__iexact=q.strip()) | Q(hotline_ticket=q.strip()) | Q(description__contains=q)
        )
    return qs


def possible_duplicates(
    *,
    category: Any,
    lng: float | None,
    lat: float | None,
    community: Any = None,
    now: datetime | None = None,
    exclude_pk: int | None = None,
) -> list[Case]:
    """Open cases of the same category within the radius and period: suggested at intake."""
    import math

    now = now or timezone.now()
    qs = Case.objects.filter(
        category=category, status__in=OPEN_STATUSES, reported_at__gte=now - timedelta(days=DUPLICATE_DAYS)
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if lng is None or lat is None:
        return list(qs.filter(community=community)[:10]) if community is not None else []
    dlat = DUPLICATE_RADIUS_METRES / 111_320
    dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
    near = qs.filter(lng__gte=lng - dlng, lng__lte=lng + dlng, lat__gte=lat - dlat, lat__lte=lat + dlat)
    return [
        c
        for c in near[:50]
        if c.lng is not None
        and c.lat is not None
        and _metres(lng, lat, c.lng, c.lat) <= DUPLICATE_RADIUS_METRES
    ][:10]


def _metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    import math

    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * 6_371_000


@dataclass(frozen=True)
class Rates:
    """三率 with Tongxin's stated definitions (DOMAIN.md §4)."""

    dispatched: int
    responded_in_time: int
    followed_up: int
    solved: int
    rated: int
    satisfied: int
    basically: int

    @property
    def response_rate(self) -> Decimal | None:
        return _ratio(self.responded_in_time, self.dispatched)

    @property
    def resolution_rate(self) -> Decimal | None:
        return _ratio(self.solved, self.followed_up)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        if not self.rated:
            return None
        return ((self.satisfied + BASICALLY_SATISFIED_WEIGHT * self.basically) / self.rated).quantize(
            Decimal("0.0001")
        )


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(Decimal("0.0001")) if whole else None


def case_rates(qs: QuerySet[Case], *, since: date, until: date) -> Rates:
    """Rates of the cases dispatched in [since, until] (local dates) within `qs`.

    响应率 = responded within the response limit ÷ dispatched; 解决率 = confirmed solved at 回访 ÷
    followed up; 满意率 = (满意 + weight × 基本满意) ÷ rated. Only recorded timestamps count.
    """
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    row = qs.filter(dispatched_at__gte=start, dispatched_at__lt=end).aggregate(
        dispatched=Count("pk"),
        responded_in_time=Count(
            "pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("response_due"))
        ),
        followed_up=Count("pk", filter=Q(solved_confirmed__isnull=False)),
        solved=Count("pk", filter=Q(solved_confirmed=True)),
        rated=Count("pk", filter=~Q(rating="")),
        satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)),
        basically=Count("pk", filter=Q(rating=Rating.BASICALLY)),
    )
    return Rates(**row)


def status_counts(qs: QuerySet[Case]) -> dict[str, int]:
    counts = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in CaseStatus.values}
