"""The collective economy and the 两新 organisations of the demo county, written through the services
as the system: for every village this year and last year, incomes shaped like seed 003's tiers (a few
≥100万, some 50–100万, most ≥5万, one 薄弱村) split by source, about one 5+N project and one company or
cooperative for every two villages (seed 004: 21 projects, 20 companies); and 两新 organisations with
the Party facts in seed 004's proportions, two demonstration and one 软弱涣散 with an open
rectification list."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tongxin.core.actors import SYSTEM
from tongxin.demo.tally import Tally
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.partners.services import unit_create
from tongxin.people.models import Person
from tongxin.regions.models import Kind, Level, Region
from tongxin.twonew.models import NewOrganisation, PostKind, Standing
from tongxin.twonew.services import (
    new_organisation_create,
    post_create,
    rectification_add,
    rectification_update,
)
from tongxin.villages.models import EconomyProject, EnterpriseKind, ProjectKind, ProjectStatus, VillageEconomy
from tongxin.villages.services import economy_create, enterprise_create, project_create, project_return_record

CENT = Decimal("0.01")
POST_NAMES: dict[str, str] = {
    PostKind.MODEL: "党员示范岗",
    PostKind.VANGUARD: "党员先锋岗",
    PostKind.AREA: "党员责任区",
}
# share of villages per income band (万元): seed 003 has 5 of 15 ≥100万 and 3 at 50–100万
BANDS = [(0.2, 100, 180), (0.2, 50, 99), (0.6, 8, 49)]
NEW_ORGANISATION_NAMES = [
    "同心物流有限公司",
    "青禾农业科技有限公司",
    "惠民家政服务中心",
    "启航社会工作服务社",
    "瑞丰电子商务有限公司",
    "安居物业管理有限公司",
    "绿源食品有限公司",
    "乐龄养老服务中心",
]
PROJECTS = [
    ("标准化厂房租赁", ProjectKind.PROPERTY),
    ("光伏发电", ProjectKind.RESOURCES),
    ("茶叶加工", ProjectKind.INDUSTRY),
    ("劳务服务", ProjectKind.SERVICES),
    ("闲置校舍盘活", ProjectKind.ASSETS),
    ("乡村民宿", ProjectKind.OTHER),
]


EconomySummary = Tally


def _amount(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(rng.uniform(low, high))).quantize(CENT)


def _split(rng: random.Random, total: Decimal) -> dict[str, Decimal]:
    """A year's income by source: operating and contracting income carry most of it."""
    shares = [
        rng.uniform(3, 6),
        rng.uniform(1, 3),
        rng.uniform(0, 1.5),
        rng.uniform(0.5, 2),
        rng.uniform(0, 0.5),
    ]
    whole = sum(shares)
    parts = [(total * Decimal(str(s / whole))).quantize(CENT) for s in shares]
    parts[0] += total - sum(parts)
    names = ["operating_income", "contracting_income", "investment_income", "subsidy_income", "other_income"]
    return dict(zip(names, parts, strict=True))


def _incomes(rng: random.Random, n: int) -> list[Decimal]:
    """This year's income of n villages: the bands' shares, the last one a 薄弱村 under 5万."""
    result: list[Decimal] = []
    for share, low, high in BANDS:
        result += [_amount(rng, low, high) for _ in range(max(1, round(share * n)))]
    result = result[: max(n - 1, 0)]
    while len(result) < n - 1:
        result.append(_amount(rng, 8, 49))
    rng.shuffle(result)
    return [*result, _amount(rng, 1, 4.5)] if n else []


def _economy(rng: random.Random, today: date, summary: EconomySummary) -> None:
    villages = list(Region.objects.filter(level=Level.COMMUNITY, kind=Kind.VILLAGE).order_by("path"))
    if not villages or VillageEconomy.objects.exists():
        return
    incomes = _incomes(rng, len(villages))
    for village, income in zip(villages, incomes, strict=True):
        for year, factor in ((today.year - 1, rng.uniform(0.8, 0.98)), (today.year, 1.0)):
            total = (income * Decimal(str(factor))).quantize(CENT)
            assets = (total * Decimal(str(rng.uniform(3, 8)))).quantize(CENT)
            economy_create(
                actor=SYSTEM,
                region=village,
                year=year,
                values={
                    **_split(rng, total),
                    "assets": assets,
                    "liabilities": (assets * Decimal(str(rng.uniform(0.05, 0.3)))).quantize(CENT),
                    "property_reform": "done" if rng.random() < 0.7 else "in_progress",
                },
            )
            summary.add("village years")
    for i, village in enumerate(villages):
        if i % 2 == 0:
            name, kind = PROJECTS[(i // 2) % len(PROJECTS)]
            project = project_create(
                actor=SYSTEM,
                region=village,
                name=f"{village.name}{name}项目",
                kind=kind,
                investment=_amount(rng, 30, 400),
                year=today.year - rng.randint(0, 2),
                status=ProjectStatus.OPERATING if rng.random() < 0.8 else ProjectStatus.BUILDING,
            )
            if project.status == ProjectStatus.OPERATING:
                for year in range(project.year, today.year + 1):
                    project_return_record(
                        actor=SYSTEM,
                        project=project,
                        year=year,
                        amount=(project.investment * Decimal("0.08")).quantize(CENT),
                    )
            summary.add("projects")
        if i % 2 == 1 or i == 0:
            company = rng.random() < 0.6
            enterprise_create(
                actor=SYSTEM,
                region=village,
                name=f"{village.name}{'集体经济发展有限公司' if company else '农民专业合作社'}",
                kind=EnterpriseKind.COMPANY if company else EnterpriseKind.COOPERATIVE,
                registered_capital=_amount(rng, 50, 500),
                founded_on=today - timedelta(days=rng.randint(200, 2000)),
            )
            summary.add("companies and cooperatives")
    summary.add("investment (万元)", int(sum(p.investment for p in EconomyProject.objects.all())))


def _new_organisations(rng: random.Random, today: date, summary: EconomySummary) -> None:
    streets = list(Region.objects.filter(level=Level.STREET).order_by("path"))
    if not streets or NewOrganisation.objects.exists():
        return
    units = list(PartnerUnit.objects.filter(kind=UnitKind.NEW_ORGANISATION, active=True).order_by("id"))
    for i, name in enumerate(NEW_ORGANISATION_NAMES):
        if len(units) >= len(NEW_ORGANISATION_NAMES):
            break
        street = streets[i % len(streets)]
        if PartnerUnit.objects.filter(name=name, region=street).exists():
            continue
        units.append(
            unit_create(
                name=name, kind=UnitKind.NEW_ORGANISATION, region=street, actor=SYSTEM, joined_on=today
            )
        )
    people = list(Person.objects.order_by("id")[:400])
    for i, unit in enumerate(units):
        # seed 004: of the organisations, most have a Party organisation and 党建入章, about half
        # 交叉任职 and a 党建指导员
        has_party = i % 4 != 3
        organisation = unit.party_organisation
        standing = Standing.DEMONSTRATION if i in (0, 1) else Standing.WEAK if i == 3 else Standing.ORDINARY
        record = new_organisation_create(
            actor=SYSTEM,
            unit=unit,
            has_party_organisation=has_party or organisation is not None,
            party_organisation=organisation,
            party_since=today - timedelta(days=rng.randint(300, 3000)) if has_party else None,
            charter=i % 5 != 4,
            cross_appointment=has_party and i % 2 == 0,
            instructor=people[(i * 37) % len(people)] if people and i % 3 != 2 else None,
            standing=standing,
        )
        summary.add("两新 organisations")
        if people and has_party:
            for kind in PostKind.values[: 1 + i % 3]:
                post_create(
                    actor=SYSTEM,
                    organisation=record,
                    kind=kind,
                    name=f"{unit.name[:6]}{POST_NAMES[kind]}",
                    members=rng.sample(people, 2),
                )
                summary.add("posts")
        if standing == Standing.WEAK:
            for n, text in enumerate(["组织生活不经常", "党员教育管理不到位", "党建工作制度不健全"]):
                item = rectification_add(
                    actor=SYSTEM,
                    organisation=record,
                    text=text,
                    deadline=today + timedelta(days=30 * (n + 1) - 45),
                    owner=people[n] if people else None,
                )
                if n == 0:
                    rectification_update(
                        actor=SYSTEM, item=item, changes={"done_on": today - timedelta(days=10)}
                    )
                summary.add("rectification items")


def generate_economy(*, rng: random.Random, now: datetime) -> EconomySummary:
    summary = EconomySummary()
    today = timezone.localdate(now)
    _economy(rng, today, summary)
    _new_organisations(rng, today, summary)
    return summary
