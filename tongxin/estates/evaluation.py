"""A property firm's yearly evaluation from verified outcomes: computed from the records, never typed.

Which cases belong to an estate: a case whose reported point lies within the configured distance
(EstateRules.case_radius_m, 80 m by default) of one of the estate's buildings, in the estate's
community; a point near buildings of two estates goes to the nearer building. A case without a point
belongs to no estate.

For a firm and a year, over the estates it serves:
  - cases received (reported in the year), and the three rates of the cases dispatched in the year —
    read through cases.selectors.case_rates, the one definition of 解决率 (solved ÷ concluded, a case
    closed unsolved counting against it) and 满意率 (with the configured 基本满意 weight);
  - cases that ran out of time in the year (overdue), and the share of dispatched cases that did not;
  - the follow-up tasks the firm owns from its estates' 三驾马车 joint meetings: due in the year (up
    to today) and of them done;
  - its partner duty: 实事 delivered in the year against the co-building rules' number.
The objective score is the weighted mean (EstateRules weights) of the parts that have something to
count, × 100; the total mixes in the street's own score at the configured share. 金牌红心物业 is a
threshold on the total (with a minimum of cases concluded), not a place in a ranking.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from tongxin.cases.models import OPEN_STATUSES, Case
from tongxin.cases.selectors import Rates, case_rates
from tongxin.estates.models import Estate, EstateRules, FirmEvaluation
from tongxin.estates.services import estate_rules_for
from tongxin.lists.models import Project, ProjectKind, ProjectStatus
from tongxin.meetings.models import FollowUpTask, TaskStatus
from tongxin.partners.models import PartnerUnit
from tongxin.partners.selectors import rules_current

EARTH_M = 6_371_000.0


def _metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Distance on the sphere (equirectangular: exact enough within a few hundred metres)."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return EARTH_M * math.hypot(x, y)


def estate_case_ids(
    estates: Iterable[Estate], *, rules: EstateRules, reported_before: datetime | None = None
) -> dict[int, list[int]]:
    """The cases of each estate, by the distance rule (see the module's docstring)."""
    estates = list(estates)
    points: list[tuple[int, float, float, int]] = []  # estate, lng, lat, community
    community_of = {e.pk: e.community_id for e in estates}
    for estate_id, lng, lat in Estate.buildings.through.objects.filter(
        estate_id__in=list(community_of), region__centre_lng__isnull=False, region__centre_lat__isnull=False
    ).values_list("estate_id", "region__centre_lng", "region__centre_lat"):
        if lng is not None and lat is not None:
            points.append((estate_id, lng, lat, community_of[estate_id]))
    found: dict[int, list[int]] = {e.pk: [] for e in estates}
    if not points:
        return found
    radius = float(rules.case_radius_m)
    d_lat = radius / 111_000
    d_lng = radius / (111_000 * max(0.2, math.cos(math.radians(points[0][2]))))
    candidates = Case.objects.filter(
        community_id__in={p[3] for p in points},
        lng__gte=min(p[1] for p in points) - d_lng,
        lng__lte=max(p[1] for p in points) + d_lng,
        lat__gte=min(p[2] for p in points) - d_lat,
        lat__lte=max(p[2] for p in points) + d_lat,
    )
    if reported_before is not None:
        candidates = candidates.filter(reported_at__lt=reported_before)
    for pk, lng, lat, community_id in candidates.values_list("pk", "lng", "lat", "community_id"):
        if lng is None or lat is None:
            continue
        best: tuple[float, int] | None = None
        for estate_id, b_lng, b_lat, b_community in points:
            if b_community != community_id:
                continue
            d = _metres(lng, lat, b_lng, b_lat)
            if d <= radius and (best is None or d < best[0]):
                best = (d, estate_id)
        if best is not None:
            found.setdefault(best[1], []).append(pk)
    return found


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(Decimal("0.0001")) if whole else None


@dataclass
class Part:
    key: str
    value: Decimal | None  # 0–1, None: nothing to count this year
    weight: int


@dataclass
class Evaluation:
    firm: PartnerUnit
    year: int
    until: date  # the last day counted (the year's end, or today)
    rules: EstateRules
    estates: list[Estate]
    case_ids: list[int]
    received: int
    rates: Rates
    overdue: int
    tasks_due: int
    tasks_done: int
    duty_done: int
    duty_required: int
    red: bool
    subjective: Decimal | None
    subjective_note: str = ""
    parts: list[Part] = field(default_factory=list)

    @property
    def in_time_share(self) -> Decimal | None:
        if not self.rates.dispatched:
            return None
        return _share(max(0, self.rates.dispatched - self.overdue), self.rates.dispatched)

    @property
    def tasks_share(self) -> Decimal | None:
        return _share(self.tasks_done, self.tasks_due)

    @property
    def duty_share(self) -> Decimal | None:
        if not self.duty_required:
            return None
        return min(Decimal(1), _share(self.duty_done, self.duty_required) or Decimal(0))

    @property
    def objective(self) -> Decimal | None:
        counted = [p for p in self.parts if p.value is not None and p.weight]
        weight = sum(p.weight for p in counted)
        if not weight:
            return None
        total = sum((p.value * p.weight for p in counted if p.value is not None), Decimal(0))
        return (total * 100 / weight).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def total(self) -> Decimal | None:
        objective = self.objective
        if objective is None:
            return None
        if self.subjective is None:
            return objective
        share = self.rules.subjective_share
        return (objective * (1 - share) + self.subjective * share).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def gold(self) -> bool:
        """金牌红心物业: a Party-led firm whose total reaches the threshold on enough concluded cases."""
        total = self.total
        return (
            (self.red or not self.rules.gold_requires_red)
            and total is not None
            and total >= self.rules.gold_threshold
            and self.rates.concluded >= self.rules.gold_min_cases
        )

    def cases(self) -> QuerySet[Case]:
        """The cases behind the figures (the estates' cases reported up to the last day counted)."""
        return Case.objects.filter(pk__in=self.case_ids).select_related("category").order_by("-reported_at")


def firm_evaluation(firm: PartnerUnit, year: int, *, today: date | None = None) -> Evaluation:
    today = today or timezone.localdate()
    since, until = date(year, 1, 1), min(date(year, 12, 31), today)
    estates = list(firm.estates.select_related("community").order_by("region_path", "name"))
    rules = estate_rules_for(until, place=estates[0].community if estates else None)
    end = _start(until + timedelta(days=1))
    by_estate = estate_case_ids(estates, rules=rules, reported_before=end)
    case_ids = sorted(pk for ids in by_estate.values() for pk in ids)
    in_estates = Case.objects.filter(pk__in=case_ids)
    rates = case_rates(in_estates, since=since, until=until)
    received = in_estates.filter(reported_at__gte=_start(since), reported_at__lt=end).count()
    overdue = in_estates.filter(overdue_at__gte=_start(since), overdue_at__lt=end).count()
    tasks = FollowUpTask.objects.filter(
        decision__meeting__estate_link__estate__in=estates,
        owner_unit=firm,
        due_on__gte=since,
        due_on__lte=until,
    )
    tasks_due = tasks.count()
    tasks_done = tasks.filter(status=TaskStatus.DONE).count()
    duty_done = Project.objects.filter(
        owner_unit=firm,
        kind=ProjectKind.PRACTICAL,
        status=ProjectStatus.CLOSED,
        closed_at__gte=_start(since),
        closed_at__lt=_start(date(year + 1, 1, 1)),
    ).count()
    duty_required = rules_current().practical_per_unit
    stored = FirmEvaluation.objects.filter(firm=firm, year=year).first()
    evaluation = Evaluation(
        firm=firm,
        year=year,
        until=until,
        rules=rules,
        estates=estates,
        case_ids=case_ids,
        received=received,
        rates=rates,
        overdue=overdue,
        tasks_due=tasks_due,
        tasks_done=tasks_done,
        duty_done=duty_done,
        duty_required=duty_required,
        red=firm.red_property or any(e.is_red_property(until) for e in estates),
        subjective=stored.subjective_score if stored else None,
        subjective_note=stored.subjective_note if stored else "",
    )
    evaluation.parts = [
        Part("resolution", rates.resolution_rate, rules.weight_resolution),
        Part("satisfaction", rates.satisfaction_rate, rules.weight_satisfaction),
        Part("in_time", evaluation.in_time_share, rules.weight_in_time),
        Part("tasks", evaluation.tasks_share, rules.weight_tasks),
        Part("duty", evaluation.duty_share, rules.weight_duty),
    ]
    return evaluation


def estate_open_cases(estates: list[Estate], rules: EstateRules) -> dict[int, int]:
    """Open cases of each estate today (for the estates page), in one candidate query."""
    by_estate = estate_case_ids(estates, rules=rules)
    open_ids = set(
        Case.objects.filter(pk__in=[pk for ids in by_estate.values() for pk in ids])
        .filter(status__in=list(OPEN_STATUSES))
        .values_list("pk", flat=True)
    )
    return {e.pk: sum(1 for pk in by_estate.get(e.pk, []) if pk in open_ids) for e in estates}
