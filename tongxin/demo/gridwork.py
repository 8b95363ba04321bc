"""A year of grid work in the demo street: each grid worker's visits, patrols, policy talks,
mediations with their outcomes, start-up advice and errands, two campaigns (seed 001's special
actions) with their rounds, and a few findings that became cases — written through the services
with the clock of each entry.

Per grid worker and year the figures read like the seeds scaled down: seed 003's 163 grid workers
gave 1,074 policy talks, 334 mediations and 318 start-up advice (about 7, 2 and 2 each); seed
001's rounds of inspection (排查300余次) come from the campaigns."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.cases.models import CaseCategory
from tongxin.core.roles import Role
from tongxin.gridwork.models import KindCode, Outcome
from tongxin.gridwork.services import campaign_close, campaign_start, log_finding_report, log_record
from tongxin.households.models import Household
from tongxin.regions.models import Level

# entries a worker records in a year, by kind (no quota: what a believable year looks like)
PER_YEAR = {
    KindCode.VISIT: 90,
    KindCode.PATROL: 48,
    KindCode.POLICY: 7,
    KindCode.MEDIATION: 3,
    KindCode.STARTUP: 2,
    KindCode.ERRAND: 6,
}
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


@dataclass
class GridworkSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def lines(self) -> list[str]:
        return [f"{name}: {n}" for name, n in self.counts.items()]


def _at(rng: random.Random, day: datetime) -> datetime:
    return timezone.localtime(day).replace(
        hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0, microsecond=0
    )


def generate_gridwork(*, rng: random.Random, now: datetime) -> GridworkSummary:
    summary = GridworkSummary()
    grants = list(
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, region__level=Level.GRID)
        .select_related("user", "region")
        .order_by("id")
    )
    if not grants:
        return summary
    street = grants[0].region
    while street.level != Level.STREET and street.parent is not None:
        street = street.parent
    official = (
        RoleAssignment.objects.filter(role=Role.STREET_OFFICIAL, region=street).select_related("user").first()
    )
    grids = [g.region for g in grants if g.region.path.startswith(street.path)]
    categories = list(
        CaseCategory.objects.filter(active=True, parent__isnull=False, code__in=["0102", "0202", "0401"])
    )
    start = now - timedelta(days=365)
    campaigns = []
    if official is not None:
        today = timezone.localdate(now)
        for title, begins, days, items in (
            ("消防安全专项排查", 150, 60, ["消防通道", "电动车充电", "安全隐患"]),
            ("燃气安全专项行动", 20, 40, ["燃气管道", "报警器", "矛盾纠纷"]),
        ):
            campaign = campaign_start(
                actor=official.user,
                region=street,
                title=title,
                checklist=items,
                grids=grids,
                starts_on=today - timedelta(days=begins),
                ends_on=today - timedelta(days=begins) + timedelta(days=days),
                now=now - timedelta(days=begins + 1),
            )
            campaigns.append(campaign)
            summary.add("campaigns")
    for grant in grants:
        worker, grid = grant.user, grant.region
        homes = list(Household.objects.filter(grid=grid, active=True).order_by("id"))
        plan: list[tuple[datetime, str]] = []  # (when, kind code or "round")
        for kind, n in PER_YEAR.items():
            for _i in range(n):
                plan.append((start + timedelta(days=rng.uniform(0, 364)), str(kind)))
        for campaign in campaigns:
            first = datetime.combine(campaign.starts_on, datetime.min.time(), tzinfo=now.tzinfo)
            for _i in range(min(len(homes), 12) or 4):
                plan.append(
                    (
                        first + timedelta(days=rng.uniform(0, (campaign.ends_on - campaign.starts_on).days)),
                        "round",
                    )
                )
        plan.sort()
        findings = 0
        for day, code in plan:
            at = _at(rng, day)
            if at >= now:
                continue
            home = rng.choice(homes) if homes else None
            common: dict[str, Any] = {
                "actor": worker,
                "grid": grid,
                "at": at,
                "now": at + timedelta(minutes=5),
            }
            if code == "round":
                campaign = next(c for c in campaigns if c.starts_on <= timezone.localdate(at) <= c.ends_on)
                answers = {
                    item["key"]: ("issue" if rng.random() < 0.08 else "ok") for item in campaign.checklist
                }
                log_record(
                    kind=KindCode.INSPECTION, campaign=campaign, household=home, answers=answers, **common
                )
                summary.add("inspection")
                continue
            finding = (
                bool(categories)
                and findings < 2
                and code == KindCode.PATROL
                and at > now - timedelta(days=20)
            )
            entry = log_record(
                kind=code,
                household=home if code != KindCode.PATROL else None,
                note=rng.choice(FINDINGS if finding else NOTES[code]),
                outcome=rng.choice(OUTCOMES) if code == KindCode.MEDIATION else "",
                found_something=finding,
                **common,
            )
            summary.add(str(code))
            if finding:
                log_finding_report(actor=worker, entry=entry, category=rng.choice(categories), now=at)
                findings += 1
                summary.add("findings made cases")
    for campaign in campaigns:
        if campaign.ends_on < timezone.localdate(now) and official is not None:
            campaign_close(actor=official.user, campaign=campaign, now=now - timedelta(days=60))
    return summary
