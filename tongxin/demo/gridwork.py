"""A year of grid work in every demo street and township: each grid worker's visits, patrols,
policy talks, mediations with their outcomes, start-up advice and errands, the campaigns (seed 001's
special actions) with their rounds, and a few findings that became cases.

Every leaf grid has a grid worker (a Person with the 网格员 position; the demo account wanggeyuan is
one of them). The year is written through the bulk writer (gridwork.services.log_bulk_record, checked
like log_record, all or nothing); the findings of the worker with an account go through log_record
and log_finding_report so that their cases are real intakes.

Per grid worker and year the figures read like the seeds: seed 003's 163 grid workers gave 1,074
policy talks, 334 mediations and 318 start-up advice (6.6, 2.05 and 1.95 each); seed 001's township
counted 排查300余次 — its three special actions give each of its workers three rounds each."""

import math
import random
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.cases.models import CaseCategory
from tongxin.core.actors import SYSTEM, Actor, actor_label
from tongxin.core.roles import Role
from tongxin.demo.tally import Tally
from tongxin.gridwork.models import Campaign, KindCode, Outcome
from tongxin.gridwork.services import (
    LogRow,
    campaign_close,
    campaign_start,
    log_bulk_record,
    log_finding_report,
    log_record,
)
from tongxin.households.models import Household
from tongxin.people.models import Position, PositionKind
from tongxin.regions.models import Kind, Level, Region

# entries a worker records in a year, by kind (no quota: what a believable year looks like)
PER_YEAR = {
    KindCode.VISIT: 90.0,
    KindCode.PATROL: 48.0,
    KindCode.POLICY: 1074 / 163,
    KindCode.MEDIATION: 334 / 163,
    KindCode.STARTUP: 318 / 163,
    KindCode.ERRAND: 6.0,
}
HOUSEHOLD_KINDS = {KindCode.VISIT, KindCode.POLICY, KindCode.MEDIATION, KindCode.STARTUP, KindCode.ERRAND}
# (title, began days ago, lasted days, checklist): a city street's two, a township's three (seed 001)
STREET_CAMPAIGNS = [
    ("消防安全专项排查", 150, 60, ["消防通道", "电动车充电", "安全隐患"]),
    ("燃气安全专项行动", 20, 40, ["燃气管道", "报警器", "矛盾纠纷"]),
]
TOWN_CAMPAIGNS = [
    ("安全生产大排查", 300, 45, ["安全隐患", "消防", "危房"]),
    ("矛盾纠纷大排查大化解", 200, 60, ["邻里纠纷", "土地纠纷", "信访隐患"]),
    ("农村人居环境整治", 90, 60, ["垃圾堆放", "污水", "乱搭乱建"]),
]
ROUNDS_PER_CAMPAIGN = 3  # each grid worker's rounds of a campaign (township: 38 × 3 × 3 ≈ 340)
OUTCOMES = [Outcome.RESOLVED] * 7 + [Outcome.PARTIAL] * 2 + [Outcome.UNRESOLVED]
NOTES: dict[str, list[str]] = {
    KindCode.VISIT: [
        "老人身体状况良好，叮嘱按时服药",
        "了解家庭近况，无特殊困难",
        "询问低保材料准备情况",
        "送去冬季取暖提示",
    ],
    KindCode.PATROL: ["巡查小区道路，一切正常", "检查楼道消防通道，畅通", "巡查沿街商铺门前秩序"],
    KindCode.POLICY: ["宣传医保缴费政策", "讲解养老服务补贴申请", "宣传防范电信诈骗"],
    KindCode.MEDIATION: ["楼上漏水引发邻里纠纷，现场协调", "停车位争议，双方协商"],
    KindCode.STARTUP: ["介绍创业担保贷款政策", "推荐社区公益性岗位"],
    KindCode.ERRAND: ["代办老年优待证", "代缴水电费", "代取慢性病药品"],
}
FINDINGS = ["楼道堆放杂物堵塞消防通道", "单元门禁损坏无法关闭", "路灯不亮存在安全隐患"]


GridworkSummary = Tally


def _at(rng: random.Random, day: datetime) -> datetime:
    return timezone.localtime(day).replace(
        hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0, microsecond=0
    )


def _count(rng: random.Random, mean: float) -> int:
    """A worker's number of entries of a kind in the year: around the mean, never a quota."""
    return max(0, math.floor(mean * rng.uniform(0.7, 1.3) + rng.random()))


def _campaigns(street: Region, grids: list[Region], now: datetime, summary: "GridworkSummary") -> list[Any]:
    official = (
        RoleAssignment.objects.filter(role=Role.STREET_OFFICIAL, region=street).select_related("user").first()
    )
    actor: Actor = official.user if official is not None else SYSTEM
    today = timezone.localdate(now)
    plans = TOWN_CAMPAIGNS if street.kind in (Kind.TOWN, Kind.TOWNSHIP) else STREET_CAMPAIGNS
    found = []
    for title, begins, days, items in plans:
        campaign = campaign_start(
            actor=actor,
            region=street,
            title=title,
            checklist=items,
            grids=grids,
            starts_on=today - timedelta(days=begins),
            ends_on=today - timedelta(days=begins) + timedelta(days=days),
            now=now - timedelta(days=begins + 1),
        )
        found.append((campaign, actor))
        summary.add("campaigns")
    return found


def generate_gridwork(*, rng: random.Random, now: datetime) -> GridworkSummary:
    summary = GridworkSummary()
    workers = list(
        Position.objects.filter(kind=PositionKind.GRID_WORKER, ends_on__isnull=True, region__level=Level.GRID)
        .select_related("person", "region")
        .order_by("region__path", "id")
    )
    if not workers:
        return summary
    accounts = {
        g.region_id: g.user
        for g in RoleAssignment.objects.filter(
            role=Role.GRID_WORKER, region__level=Level.GRID
        ).select_related("user")
    }
    homes: dict[int, list[Household]] = {}
    for household in Household.objects.filter(active=True).order_by("id"):
        homes.setdefault(household.grid_id, []).append(household)
    categories = list(
        CaseCategory.objects.filter(active=True, parent__isnull=False, code__in=["0102", "0202", "0401"])
    )
    start = now - timedelta(days=365)
    rows: list[LogRow] = []
    live: list[tuple[datetime, Any, Region]] = []  # findings of workers with an account
    streets = Region.objects.filter(level=Level.STREET).order_by("code")
    for street in streets:
        mine = [w for w in workers if w.region.path.startswith(street.path)]
        if not mine:
            continue
        grids = sorted({w.region.pk: w.region for w in mine}.values(), key=lambda g: g.code)
        campaigns = _campaigns(street, grids, now, summary)
        for worker in mine:
            grid = worker.region
            user = accounts.get(grid.pk)
            author: dict[str, Any] = (
                {"author": user, "author_label": actor_label(user)}
                if user is not None
                else {"author_label": worker.person.name}
            )
            here = homes.get(grid.pk, [])
            for kind, mean in PER_YEAR.items():
                for _i in range(_count(rng, mean)):
                    at = _at(rng, start + timedelta(days=rng.uniform(0, 365)))
                    if at >= now:
                        continue
                    rows.append(
                        LogRow(
                            code=str(kind),
                            grid=grid,
                            at=at,
                            household=rng.choice(here) if here and kind in HOUSEHOLD_KINDS else None,
                            note=rng.choice(NOTES[kind]),
                            outcome=str(rng.choice(OUTCOMES)) if kind == KindCode.MEDIATION else "",
                            **author,
                        )
                    )
                    summary.add(str(kind))
            for campaign, _actor in campaigns:
                rows.extend(_rounds(rng, campaign, grid, here, author, now))
                summary.add("inspection", ROUNDS_PER_CAMPAIGN)
            if user is not None and categories:
                for days_ago in (12, 3):
                    live.append((_at(rng, now - timedelta(days=days_ago)), user, grid))
    rows.sort(key=lambda r: r.at)
    summary.add("log entries", log_bulk_record(actor=SYSTEM, rows=rows, now=now))
    for at, user, grid in live:
        entry = log_record(
            actor=user,
            kind=KindCode.PATROL,
            grid=grid,
            at=at,
            now=at + timedelta(minutes=5),
            note=rng.choice(FINDINGS),
            found_something=True,
        )
        log_finding_report(actor=user, entry=entry, category=rng.choice(categories), now=at)
        summary.add("findings made cases")
    today = timezone.localdate(now)
    for campaign in Campaign.objects.filter(closed_at__isnull=True, ends_on__lt=today):
        official = (
            RoleAssignment.objects.filter(role=Role.STREET_OFFICIAL, region=campaign.region)
            .select_related("user")
            .first()
        )
        closing = datetime.combine(
            campaign.ends_on + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo
        )
        campaign_close(actor=official.user if official else SYSTEM, campaign=campaign, now=closing)
    return summary


def _rounds(
    rng: random.Random,
    campaign: Any,
    grid: Region,
    homes: list[Household],
    author: dict[str, Any],
    now: datetime,
) -> list[LogRow]:
    first: date = campaign.starts_on
    days = (campaign.ends_on - campaign.starts_on).days
    rows = []
    for _i in range(ROUNDS_PER_CAMPAIGN):
        at = _at(
            rng,
            datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
            + timedelta(days=rng.uniform(0, days)),
        )
        if at >= now or timezone.localdate(at) > campaign.ends_on:
            continue
        answers = {item["key"]: ("issue" if rng.random() < 0.08 else "ok") for item in campaign.checklist}
        rows.append(
            LogRow(
                code=str(KindCode.INSPECTION),
                grid=grid,
                at=at,
                campaign=campaign,
                household=rng.choice(homes) if homes else None,
                answers=answers,
                **author,
            )
        )
    return rows
