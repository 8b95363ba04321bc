"""The demo county's annual assessment (年度考核) and one secretaries' contest (擂台比武), written
through the assessment services as the county's organisation department (the system acting for it).

The scheme for the demo year belongs to the county: objective items read the registry's figures (诉求
解决率, 三会一课 compliance, the share of co-building tasks done and, in villages, the collective
income), subjective ones are the assessors' (述职评议, 民主测评). It runs over the county's villages
and communities and their 两委 cadres; the assessors' scores are shaped so that the grades read like
seed 004 — most 良好, some 优秀, a few 一般, one team and its secretary 较差 and 末位 — and the
grades' consequences (一述二考三挂钩) are recorded on the cadres. The township's secretaries then
meet in a 擂台比武 before five judges."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tongxin.assessment.models import Consequence, Contest, Grade, Result, Scheme, SubjectKind
from tongxin.assessment.services import (
    Cell,
    contest_create,
    contest_scores_enter,
    grade_link_add,
    item_add,
    run_finalise,
    run_start,
    scheme_create,
    scheme_publish,
    scores_enter,
)
from tongxin.assessment.sources import reader
from tongxin.core.actors import SYSTEM
from tongxin.people.models import Person
from tongxin.regions.models import Kind, Level, Region

SCHEME_NAME = "村（社区）班子和干部年度考核"
# (name, weight, figure, low, high): the value at `low` scores nothing, at `high` the full 100
OBJECTIVE = [
    ("诉求解决率", 15, "cases.resolution_rate", 60, 100),
    ("三会一课规范率", 10, "partylife.compliance", 50, 100),
    ("共建任务完成率", 10, "cobuilding.tasks_done_share", 40, 100),
    ("村集体经济收入", 10, "economy.collective_income", 5, 100),
]
SUBJECTIVE = [("述职评议", 35), ("民主测评", 20)]
LINKS = [
    (Grade.EXCELLENT, "pay", "年度考核报酬上浮10%"),
    (Grade.EXCELLENT, "promotion", "优先推荐提拔或进入乡镇领导班子"),
    (Grade.GOOD, "pay", "全额发放年度考核报酬"),
    (Grade.FAIR, "pay", "年度考核报酬下浮10%"),
    (Grade.POOR, "pay", "停发年度考核报酬"),
]
JUDGES = ["县委组织部 周明", "县委党校 李红", "乡镇党委 王建国", "村民代表 陈桂英", "驻村第一书记 刘洋"]
TOPICS = "一年来抓党建促发展的做法与成效；集体经济增收的路子；下一年的三件实事"
ZERO = Decimal(0)


@dataclass
class AssessmentSummary:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def lines(self) -> list[str]:
        return [f"{name}: {n}" for name, n in self.counts.items()] + self.notes


def _scheme(county: Region, year: int) -> Scheme:
    scheme = scheme_create(
        actor=SYSTEM,
        owner=county,
        name=SCHEME_NAME,
        year=year,
        grading="shares",
        excellent_share=20,
        good_share=65,
        fair_min=Decimal(60),
        bottom_count=1,
        bottom_action="interview",
    )
    known = {code for code, _name in reader().choices()}
    objective = [o for o in OBJECTIVE if o[2] in known]
    spare = sum(o[1] for o in OBJECTIVE) - sum(o[1] for o in objective)  # a figure not registered
    for name, weight, code, low, high in objective:
        item_add(
            actor=SYSTEM,
            scheme=scheme,
            name=name,
            applies_to="both",
            weight=Decimal(weight),
            max_score=Decimal(100),
            source="objective",
            indicator=code,
            rule="linear",
            low=Decimal(low),
            high=Decimal(high),
        )
    for position, (name, weight) in enumerate(SUBJECTIVE):
        item_add(
            actor=SYSTEM,
            scheme=scheme,
            name=name,
            applies_to="both",
            weight=Decimal(weight + (spare if position == 0 else 0)),
            max_score=Decimal(100),
            source="subjective",
        )
    for grade, kind, note in LINKS:
        grade_link_add(actor=SYSTEM, scheme=scheme, grade=grade, kind=kind, note=note)
    return scheme_publish(actor=SYSTEM, scheme=scheme)


def _subjective(rng: random.Random, scheme: Scheme, results: list[Result]) -> list[Cell]:
    """The assessors' scores: each team a standing (its cadres near it); one weak village lags far
    behind, so that it and its secretary end 较差 and 末位."""
    items = [i for i in scheme.items.all() if not i.is_objective]
    teams = sorted({r.region_id for r in results})
    villages = [r.region_id for r in results if r.kind == SubjectKind.TEAM and r.region.kind == Kind.VILLAGE]
    weak = rng.choice(villages or teams)
    standing = {t: rng.gauss(84, 5) for t in teams}
    standing[weak] = 22
    # the weak team's secretary (its first cadre) shares its standing, the others fare better
    weak_cadres = sorted(r.pk for r in results if r.region_id == weak and r.kind == SubjectKind.CADRE)
    cells = []
    for r in results:
        base = standing[r.region_id] + (rng.gauss(0, 3) if r.kind == SubjectKind.CADRE else 0)
        if r.pk in weak_cadres[1:]:
            base = rng.gauss(88, 2)
        for item in items:
            score = max(ZERO, min(Decimal(100), Decimal(str(round(base + rng.gauss(0, 2), 1)))))
            cells.append(Cell(r.pk, item.pk, str(score)))
    return cells


def _contest(rng: random.Random, township: Region, today: datetime, summary: AssessmentSummary) -> None:
    secretaries = list(
        Person.objects.filter(
            positions__kind="secretary",
            positions__ends_on__isnull=True,
            positions__region__level=Level.COMMUNITY,
            positions__region__path__startswith=township.path,
        )
        .select_related("region")
        .distinct()
        .order_by("region__path", "id")
    )
    secretaries = [p for p in secretaries if p.region is not None and p.region.path.startswith(township.path)]
    if not secretaries:
        return
    contest = contest_create(
        actor=SYSTEM,
        owner=township,
        title=f"{township.name}{today.year}年度村（社区）党组织书记擂台比武",
        held_on=(today - timedelta(days=12)).date(),
        topics=TOPICS,
        drop_extremes=True,
        judges=JUDGES,
        participants=secretaries,
    )
    judges = list(contest.judges.all())
    # the judges see much of what the year's assessment saw
    totals = dict(
        Result.objects.filter(run__scheme__year=today.year, kind=SubjectKind.CADRE).values_list(
            "person_id", "total"
        )
    )
    scores = {}
    for p in contest.participants.all():
        level = 58 + 0.33 * float(totals.get(p.person_id) or 80) + rng.gauss(0, 3)
        for j in judges:
            scores[(p.pk, j.pk)] = str(round(min(99.0, max(65.0, level + rng.gauss(0, 3))), 1))
    contest_scores_enter(actor=SYSTEM, contest=contest, scores=scores)
    summary.add("contest participants", len(secretaries))
    for p in contest.participants.select_related("person", "region").order_by("place")[:3]:
        summary.notes.append(f"contest place {p.place}: {p.region.name} {p.person.name} {p.result}")


def generate_assessment(*, rng: random.Random, now: datetime) -> AssessmentSummary:
    summary = AssessmentSummary()
    if Scheme.objects.exists() or Contest.objects.exists():
        return summary
    county = Region.objects.filter(level=Level.COUNTY).order_by("path").first()
    if county is None:
        return summary
    today = timezone.localtime(now)
    scheme = _scheme(county, today.year)
    run = run_start(actor=SYSTEM, scheme=scheme)
    results = list(run.results.select_related("region").order_by("region_path", "kind", "id"))
    scores_enter(actor=SYSTEM, run=run, cells=_subjective(rng, scheme, results))
    run = run_finalise(actor=SYSTEM, run=run)
    for kind in (SubjectKind.TEAM, SubjectKind.CADRE):
        rows = run.results.filter(kind=kind)
        summary.add(f"{kind}s assessed", rows.count())
        for grade in Grade:
            summary.add(f"{kind}s {grade.value}", rows.filter(grade=grade).count())
        summary.add(f"{kind}s 末位", rows.filter(bottom=True).count())
    summary.add("consequences", Consequence.objects.filter(result__run=run).count())
    township = (
        Region.objects.filter(
            path__startswith=county.path, level=Level.STREET, kind__in=[Kind.TOWN, Kind.TOWNSHIP]
        )
        .order_by("path")
        .first()
    )
    if township is not None:
        _contest(rng, township, today, summary)
    return summary
