"""A year of co-building in the demo district, written through the services.

In the image of the seeds: the city street (seed 000) pairs five county departments, a university
and a hospital with its communities under a 党建联盟 with quarterly joint meetings; the township
(seed 001) runs its communities' 大党委 — the member units' Party organisations the demo already
created — with a monthly needs round claimed at the joint meetings; secretaries claim 书记项目
(seed 002). Needs become projects with milestones; most are delivered, some are under way, and one
unit and one secretary are left behind so the duty check has something to show.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.cases.models import Case
from tongxin.core.actors import SYSTEM, Actor
from tongxin.demo.inbox import history_is_not_news
from tongxin.lists.models import Need, NeedCategory, NeedSource, NeedStatus, ProjectKind
from tongxin.lists.services import (
    evidence_add,
    milestone_accept,
    milestone_report,
    need_claim,
    need_create,
    need_from_case,
    project_close,
    project_create,
    resource_create,
)
from tongxin.meetings.services import (
    decision_create,
    decision_step,
    meeting_attendance,
    meeting_call,
    meeting_record,
    meeting_schedule,
    task_create,
    task_done,
)
from tongxin.organisations.models import PartyOrganisation
from tongxin.partners.models import Alliance, AllianceKind, MemberRole, Pairing, PartnerUnit, UnitKind
from tongxin.partners.selectors import reach_for
from tongxin.partners.services import (
    agreement_add,
    alliance_create,
    alliance_member_add,
    pairing_create,
    unit_create,
    unit_liaisons_set,
    unit_update,
)
from tongxin.people.models import Position, PositionKind
from tongxin.regions.models import Kind, Level, Region
from tongxin.statistics.periods import Period, year
from tongxin.statistics.registry import REGISTRY
from tongxin.statistics.selectors import compute

# seed 000: the five county departments paired with the street's communities
DEPARTMENTS = ["农业农村局", "工业和信息化局", "水务局", "民政局", "卫生健康局"]
UNIVERSITY = "黔源商学院"
HOSPITAL = "{county}林东医院"

# (category, title, description, wanted kind, people helped) — needs as communities write them
NEEDS: list[tuple[str, str, str, str, int]] = [
    ("facilities", "老旧小区路灯损坏", "小区主干道路灯多盏不亮，老人夜间出行摔倒过", "equipment", 260),
    ("facilities", "单元楼道扶手加装", "多层住宅没有扶手，高龄老人上下楼困难", "money", 80),
    ("elderly", "独居老人助餐服务", "辖区独居老人吃饭难，希望开设长者食堂或送餐", "services", 45),
    ("elderly", "高龄老人定期探访", "八十岁以上老人需要每月上门探访和代办", "people", 60),
    ("health", "慢病老人免费体检", "高血压、糖尿病老人多，希望开展义诊和体检", "services", 150),
    ("health", "家庭医生签约宣讲", "居民不了解家庭医生签约政策", "skills", 300),
    ("environment", "背街小巷垃圾清运", "背街小巷垃圾堆积，夏季异味大", "people", 400),
    ("environment", "河道沿岸环境整治", "河道沿岸杂草丛生，需要集中清理", "people", 500),
    ("education", "留守儿童课后托管", "双职工和留守儿童放学后无人照看", "venue", 40),
    ("education", "暑期青少年安全教育", "暑期溺水和交通安全隐患多", "skills", 120),
    ("employment", "家政技能培训", "失业人员希望学习家政服务技能再就业", "skills", 35),
    ("employment", "农村电商直播培训", "村民想通过直播卖茶叶和农产品", "skills", 50),
    ("legal", "邻里纠纷法律咨询", "邻里噪音、漏水纠纷多，需要律师坐班", "skills", 90),
    ("safety", "老旧电动车充电棚", "电动车楼道充电隐患大，需要集中充电点", "money", 200),
    ("culture", "社区文化广场音响", "广场舞队缺少音响设备", "equipment", 70),
    ("economy", "生态停车场建设", "利用闲置地块建停车场增加集体收入", "money", 1000),
    ("economy", "茶叶种植技术指导", "茶农需要病虫害防治技术指导", "skills", 85),
    ("party", "党的二十大精神宣讲", "组织党员群众学习宣讲", "people", 150),
    ("facilities", "应急供水管网维修", "旱季供水不稳，管网老化漏水", "equipment", 600),
]
# (kind, category, title, quantity, unit of quantity)
RESOURCES: dict[str, list[tuple[str, str, str, Decimal | None, str]]] = {
    "农业农村局": [
        ("skills", "economy", "农技专家下乡指导", Decimal(24), "人次"),
        ("money", "economy", "乡村振兴帮扶资金", Decimal(200000), "元"),
    ],
    "工业和信息化局": [
        ("skills", "employment", "电商直播培训讲师", Decimal(6), "人"),
        ("equipment", "facilities", "节能路灯", Decimal(40), "盏"),
    ],
    "水务局": [
        ("equipment", "facilities", "供水管材与抢修队", Decimal(1), "队"),
        ("skills", "safety", "防溺水安全宣讲", Decimal(12), "场"),
    ],
    "民政局": [
        ("services", "elderly", "居家养老服务券", Decimal(300), "张"),
        ("money", "elderly", "长者食堂运营补助", Decimal(80000), "元"),
    ],
    "卫生健康局": [
        ("services", "health", "家庭医生团队义诊", Decimal(12), "场"),
        ("skills", "health", "健康知识讲座", Decimal(10), "场"),
    ],
    UNIVERSITY: [
        ("people", "education", "大学生志愿者", Decimal(60), "人"),
        ("venue", "culture", "学院报告厅", Decimal(1), "间"),
        ("skills", "party", "理论宣讲团", Decimal(8), "场"),
    ],
    "hospital": [
        ("services", "health", "免费体检", Decimal(500), "人次"),
        ("people", "elderly", "医护志愿服务队", Decimal(20), "人"),
    ],
}
GENERAL_RESOURCES = [
    ("people", "", "党员志愿者", Decimal(15), "人"),
    ("venue", "", "单位会议室开放", Decimal(1), "间"),
    ("money", "", "共建经费", Decimal(20000), "元"),
]
MILESTONES = [("制定方案", 1), ("组织实施", 3), ("验收回访", 1)]


@dataclass
class CoBuildingSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def lines(self) -> list[str]:
        return [f"{k}: {v:,}" for k, v in self.counts.items()]


def _months(now: datetime, n: int) -> list[date]:
    """The first days of the last `n` months up to and including `now`'s month, oldest first."""
    first = timezone.localdate(now).replace(day=1)
    months = []
    for back in range(n - 1, -1, -1):
        m = first.month - 1 - back
        months.append(date(first.year + m // 12, m % 12 + 1, 1))
    return months


def _at(day: date, hour: int = 9, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _unit_kind(name: str) -> str:
    if "医院" in name:
        return UnitKind.HOSPITAL
    if "学院" in name or "大学" in name:
        return UnitKind.UNIVERSITY
    if "物业" in name:
        return UnitKind.PROPERTY_FIRM
    if name.endswith("局") or "中心" in name:
        return UnitKind.COUNTY_DEPARTMENT
    if "公司" in name or "银行" in name:
        return UnitKind.COMPANY
    return UnitKind.STATIONED


def _unit_name_of(org_name: str) -> str:
    name = org_name
    if name.startswith("中共") and name.endswith("委员会"):
        name = name[2:-3]
    for suffix in ("机关党支部", "党总支", "党支部"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name


def _secretary(org: PartyOrganisation | None, on: date) -> Any:
    if org is None:
        return None
    post = (
        Position.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on),
            organisation=org,
            kind=PositionKind.SECRETARY,
            starts_on__lte=on,
        )
        .select_related("person")
        .order_by("starts_on")
        .first()
    )
    return post.person if post else None


class _Year:
    def __init__(self, rng: random.Random, now: datetime, county: Region) -> None:

        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.county = county
        self.summary = CoBuildingSummary()
        self.accounts = {u.username: u for u in User.objects.filter(is_active=True).select_related("person")}
        self.months = _months(now, 12)
        self.start = self.months[0]
        self.secretary_projects: set[int] = set()
        self.behind: set[int] = set()  # units left without a 实事 this year
        self.claims: dict[int, int] = {}  # unit -> needs claimed at meetings

    # -- units, pairings, alliances ---------------------------------------------------------------

    def unit(
        self,
        name: str,
        *,
        joined_on: date,
        org: PartyOrganisation | None = None,
        region: Region | None = None,
    ) -> PartnerUnit:

        unit = PartnerUnit.objects.filter(name=name).first()
        if unit is None:
            kind = _unit_kind(name)
            unit = unit_create(
                name=name,
                kind=kind,
                region=region or self.county,
                actor=SYSTEM,
                joined_on=joined_on,
                party_organisation=org,
                red_property=kind == UnitKind.PROPERTY_FIRM,
            )
            self.summary.add("partner units")
            return unit
        changes: dict[str, Any] = {}
        if unit.joined_on is None or unit.joined_on > joined_on:
            changes["joined_on"] = joined_on  # co-building began before another part of the demo met the unit
        if org is not None and unit.party_organisation_id is None:
            changes["party_organisation"] = org
        return unit_update(unit=unit, actor=SYSTEM, **changes) if changes else unit

    def org_named(self, name: str) -> PartyOrganisation | None:
        return PartyOrganisation.objects.filter(name=name).first()

    def resources(self, unit: PartnerUnit, key: str) -> None:

        if unit.resources.exists():
            return
        rows = RESOURCES.get(key, []) + self.rng.sample(GENERAL_RESOURCES, 1)
        for kind, category, title, quantity, quantity_unit in rows:
            resource_create(
                unit=unit,
                actor=SYSTEM,
                kind=kind,
                category=category,
                title=title,
                quantity=quantity,
                quantity_unit=quantity_unit,
                available=self.rng.random() > 0.1,
            )
            self.summary.add("resources")

    def pair(
        self,
        unit: PartnerUnit,
        region: Region,
        started_on: date,
        *,
        term_years: int = 3,
        ends_on: date | None = None,
    ) -> Any:

        pairing = Pairing.objects.filter(unit=unit, region=region, ended_on__isnull=True).first()
        if pairing is not None:
            return pairing
        host = PartyOrganisation.objects.filter(region=region).order_by("depth", "pk").first()
        pairing = pairing_create(
            unit=unit, region=region, actor=SYSTEM, started_on=started_on, host_organisation=host
        )
        end = ends_on or date(started_on.year + term_years, started_on.month, 1) - timedelta(days=1)
        agreement_add(
            pairing=pairing,
            actor=SYSTEM,
            title=f"{unit.name}与{region.name}共建共治共享帮扶协议",
            signed_on=started_on,
            starts_on=started_on,
            ends_on=end,
            commitments=(
                f"{unit.name}：每年至少认领并完成1件民生实事，每季度参加1次党建联席会议，"
                f"开放场地与人才资源；{region.name}：每月梳理需求清单，提供志愿服务平台，协同开展组织生活。"
            ),
        )
        self.summary.add("pairings")
        return pairing

    # -- needs, meetings, projects ----------------------------------------------------------------

    def need(self, community: Region, month: date, source: str, actor: Actor) -> Any:

        category, title, description, wanted, helped = self.rng.choice(NEEDS)
        grids = list(Region.objects.filter(parent=community, level=Level.GRID).order_by("code"))
        region = self.rng.choice(grids) if grids and self.rng.random() < 0.4 else community
        day = month + timedelta(days=self.rng.randint(0, 20))
        when = min(
            _at(day, self.rng.randint(8, 17), self.rng.choice([0, 15, 30, 45])), self.now - timedelta(hours=2)
        )
        need = need_create(
            title=f"{community.name}{title}",
            description=description,
            category=category,
            source=source,
            region=region,
            actor=actor,
            round_month=month if source == NeedSource.MONTHLY_ROUND else None,
            wanted_kind=wanted,
            beneficiaries_estimate=max(1, int(helped * self.rng.uniform(0.5, 1.3))),
            now=when,
        )
        self.summary.add("needs")
        return need

    def manager(self, region: Region) -> Any:
        """The demo account keeping co-building for a region, if one does (else the system)."""

        for username in ("shequ_shuji", "cun_shuji", "jiedao", "zhen"):
            user = self.accounts.get(username)
            if user is not None and reach_for(user).manages(region):
                return user
        return None

    def meeting(self, alliance: Any, day: date, needs: list[Any], units: list[PartnerUnit]) -> Any:

        actor = self.manager(alliance.region)
        held_at = _at(day, 9, 30)
        meeting = meeting_schedule(
            actor=actor,
            alliance=alliance,
            title=f"{alliance.name}{day.year}年第{(day.month - 1) // 3 + 1}季度联席会议",
            scheduled_at=held_at,
            place=f"{alliance.region.name}党群服务中心",
            agenda=["通报上季度需求清单办理情况", "认领本季度需求清单", "研究共建项目推进中的难点问题"],
        )
        meeting_call(meeting=meeting, actor=actor, now=held_at - timedelta(days=7))
        invitations = list(meeting.invitations.all())
        present = [i.pk for i in invitations if self.rng.random() < 0.85]
        meeting_attendance(meeting=meeting, actor=actor, attended=present)
        claimed = 0
        present_units = [
            i.unit
            for i in invitations
            if i.pk in present and i.unit is not None and i.unit_id not in self.behind
        ] or units
        for need in needs:
            # this month's round is sorted first and claimed at the next meeting; a few wait longer
            if timezone.localdate(need.created_at) >= day.replace(day=1) or self.rng.random() < 0.15:
                continue
            # the unit with the fewest claims so far takes it: each should have its 实事
            unit = min(present_units, key=lambda u: (self.claims.get(u.pk, 0), self.rng.random()))
            self.claims[unit.pk] = self.claims.get(unit.pk, 0) + 1
            need_claim(
                need=need,
                unit=unit,
                actor=actor,
                meeting=meeting,
                note="联席会议认领",
                now=held_at + timedelta(hours=1),
            )
            claimed += 1
        self.summary.add("needs claimed at meetings", claimed)
        meeting_record(
            meeting=meeting,
            actor=actor,
            minutes=_minutes(alliance.region, day, claimed),
            held_at=held_at,
        )
        self.summary.add("meetings held")
        # a decision under 两委三会四议, with a task for a unit
        four = self.rng.random() < 0.5
        decision = decision_create(
            meeting=meeting,
            actor=actor,
            title=self.rng.choice(
                [
                    "建立成员单位季度轮值服务制度",
                    "设立共建实事专项经费",
                    "组建应急综合服务队",
                    "开放成员单位活动场地",
                ]
            ),
            four_step=four,
            now=held_at,
        )
        if four:
            decision_step(
                decision=decision,
                action="discuss",
                actor=actor,
                note="成员单位充分商议",
                now=held_at + timedelta(minutes=30),
            )
        decision_step(decision=decision, action="adopt", actor=actor, now=held_at + timedelta(minutes=45))
        owner = self.rng.choice(present_units)
        due = day + timedelta(days=self.rng.randint(20, 60))
        task = task_create(
            decision=decision,
            actor=actor,
            title=f"落实：{decision.title}",
            due_on=due,
            owner_unit=owner,
            now=held_at + timedelta(hours=1),
        )
        self.summary.add("decisions")
        if due < self.today - timedelta(days=5) and self.rng.random() < 0.8:
            task_done(task=task, actor=SYSTEM, note="已按期落实并报送情况", now=_at(due))
            if four:
                decision_step(
                    decision=decision,
                    action="evaluate",
                    actor=actor,
                    note="群众满意，成效明显",
                    now=_at(due, 15),
                )
        return meeting

    def project(self, need: Any, *, deliver: bool, secretary: Any = None) -> Any:

        need.refresh_from_db()
        claimed_at = need.claimed_at or self.now
        start = timezone.localdate(claimed_at)
        kind = ProjectKind.SECRETARY if secretary is not None else ProjectKind.PRACTICAL
        project = project_create(
            actor=SYSTEM,
            need=need,
            title=need.title.replace(need.region.name, "", 1)
            if need.title.startswith(need.region.name)
            else need.title,
            kind=kind,
            lead_name=(
                secretary.name
                if secretary is not None
                else self.rng.choice(["张", "王", "李", "刘", "陈"]) + "科长"
            ),
            secretary=secretary,
            budget=Decimal(self.rng.choice([0, 5000, 12000, 30000, 80000])),
            starts_on=start,
            due_on=start + timedelta(days=self.rng.randint(45, 120)),
            milestones=[(t, w, None) for t, w in MILESTONES],
            now=claimed_at,
        )
        self.summary.add("projects")
        if kind == ProjectKind.SECRETARY:
            self.summary.add("书记项目")
        milestones = list(project.milestones.order_by("id"))
        span = max(1, (self.today - start).days)
        manager = self.manager(project.region)
        for i, milestone in enumerate(milestones):
            at = _at(start + timedelta(days=min(span - 1, (i + 1) * self.rng.randint(10, 25))))
            if at > self.now:
                break
            if deliver or i == 0:
                milestone_accept(milestone=milestone, actor=manager, now=at)
            else:
                milestone_report(
                    milestone=milestone, actor=SYSTEM, progress=self.rng.choice([30, 50, 70]), now=at
                )
                break
        if deliver:
            closed_at = min(
                _at(start + timedelta(days=min(span, self.rng.randint(40, 100))), 16),
                self.now - timedelta(hours=1),
            )
            evidence_add(
                project=project, actor=SYSTEM, note="实施前后对比照片及居民签字回访表已存档", now=closed_at
            )
            project_close(
                project=project,
                actor=manager,
                result=f"已完成：{need.description}。经回访，居民满意。",
                beneficiaries_count=need.beneficiaries_estimate,
                beneficiaries_note="辖区居民",
                now=closed_at,
            )
            self.summary.add("projects delivered")
        return project


def generate_cobuilding(
    *, rng: random.Random, now: datetime, counties: Sequence[Region] | None = None
) -> CoBuildingSummary:
    """A year of co-building up to `now` in the first county of the demo district (or `counties`).

    Needs the regions, Party organisations, posts and demo accounts that `tongxin demo` writes.
    Writes through the services; what they announce is dropped (history is not news). Idempotent enough
    to rerun on a database that has it: units and pairings are reused, needs and meetings added.
    """
    if counties is None:
        first = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
        counties = [first] if first is not None else []
    summary = CoBuildingSummary()
    with history_is_not_news():
        for county in counties:
            year = _Year(rng, now, county)
            _city_street(year)
            _township(year)
            _cases_to_needs(year)
            for k, v in year.summary.counts.items():
                summary.add(k, v)
    return summary


def _city_street(y: _Year) -> None:
    """Seed 000: five departments, a university and a hospital paired with the street's communities."""

    street = (
        Region.objects.filter(parent=y.county, level=Level.STREET, kind=Kind.STREET).order_by("code").first()
    )
    if street is None:
        return
    communities = list(Region.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code"))
    if not communities:
        return
    county = y.county.name
    paired_since = date(y.start.year - 1, 3, 1)
    units: list[PartnerUnit] = []
    for k, department in enumerate(DEPARTMENTS):
        name = f"{county}{department}"
        unit = y.unit(name, joined_on=paired_since, org=y.org_named(f"{name}机关党支部"))
        y.resources(unit, department)
        for community in communities[k % len(communities) :: len(DEPARTMENTS)] or communities[:1]:
            ends = None
            if k == 1:  # one agreement is about to end, to show in the expiring list
                ends = y.today + timedelta(days=40)
            y.pair(unit, community, paired_since, ends_on=ends)
        units.append(unit)
    university = y.unit(UNIVERSITY, joined_on=paired_since, org=y.org_named(f"中共{UNIVERSITY}委员会"))
    y.resources(university, UNIVERSITY)
    y.pair(university, street, paired_since)
    hospital_name = HOSPITAL.format(county=county)
    hospital = y.unit(hospital_name, joined_on=paired_since, org=y.org_named(f"{hospital_name}党支部"))
    y.resources(hospital, "hospital")
    y.pair(hospital, street, paired_since)
    units += [university, hospital]
    y.behind.add(units[2].pk)  # one department has not delivered a 实事 this year
    # a 红色物业 that joined after 1 July: it owes its first 实事 next year (seed 004)
    if y.today >= date(y.today.year, 7, 20):
        joined = date(y.today.year, 7, 2) + timedelta(days=y.rng.randint(0, 14))
        firm = y.unit("红心物业服务有限公司", joined_on=joined, region=communities[0])
        y.resources(firm, "")
        y.pair(firm, communities[0], joined)

    liaison = y.accounts.get("lianluoyuan")
    if liaison is not None and liaison.person is not None:
        own = next((u for u in units if u.name == liaison.person.employer), units[0])
        current = list(own.liaisons.all())
        if liaison not in current:
            unit_liaisons_set(unit=own, liaisons=[*current, liaison], actor=SYSTEM)

    alliance = Alliance.objects.filter(region=street, kind=AllianceKind.ALLIANCE).first()
    if alliance is None:
        alliance = alliance_create(
            name=f"{street.name}党建联盟",
            kind=AllianceKind.ALLIANCE,
            region=street,
            actor=SYSTEM,
            founded_on=paired_since,
            organisation=PartyOrganisation.objects.filter(region=street).order_by("depth", "pk").first(),
            description="街道党工委牵头，县直部门、高校、医院党组织结对共建，每季度召开1次党建联席会议。",
        )
        if alliance.organisation is not None:
            alliance_member_add(
                alliance=alliance,
                actor=SYSTEM,
                role=MemberRole.SECRETARY,
                organisation=alliance.organisation,
                person=_secretary(alliance.organisation, y.today),
                joined_on=paired_since,
            )
        for k, unit in enumerate(units):
            role = MemberRole.DEPUTY if k == 0 else (MemberRole.CONCURRENT if k < 5 else MemberRole.UNIT)
            alliance_member_add(
                alliance=alliance,
                actor=SYSTEM,
                role=role,
                unit=unit,
                person=_secretary(unit.party_organisation, y.today),
                joined_on=unit.joined or paired_since,
            )
        y.summary.add("alliances")
    _rounds(y, alliance, communities, units)


def _township(y: _Year) -> None:
    """Seed 001: each 大党委 of the township's communities, its member units, the monthly round."""

    town = Region.objects.filter(parent=y.county, level=Level.STREET, kind=Kind.TOWN).order_by("code").first()
    if town is None:
        return
    for grand in PartyOrganisation.objects.filter(region=town, name__endswith="大党委").order_by("code"):
        community = next(
            (c for c in Region.objects.filter(parent=town, level=Level.COMMUNITY) if c.name in grand.name),
            None,
        )
        if community is None:
            continue
        founded = date(y.start.year - 2, 5, 1)
        alliance = Alliance.objects.filter(organisation=grand).first()
        units: list[PartnerUnit] = []
        for org in grand.children.order_by("code"):
            unit = y.unit(_unit_name_of(org.name), joined_on=founded, org=org)
            key = next(
                (d for d in DEPARTMENTS if unit.name.endswith(d)), "hospital" if "医院" in unit.name else ""
            )
            y.resources(unit, key)
            units.append(unit)
        if alliance is None:
            alliance = alliance_create(
                name=f"{community.name}大党委",
                kind=AllianceKind.BIG_COMMITTEE,
                region=community,
                actor=SYSTEM,
                founded_on=founded,
                organisation=grand,
                description="社区、报到单位及驻地企业党组织组成，大事共议、实事共办、急事共商、难事共助。",
            )
            host = PartyOrganisation.objects.filter(region=community).order_by("depth", "pk").first()
            if host is not None:
                alliance_member_add(
                    alliance=alliance,
                    actor=SYSTEM,
                    role=MemberRole.SECRETARY,
                    organisation=host,
                    person=_secretary(grand, y.today),
                    joined_on=founded,
                )
            for k, unit in enumerate(units):
                role = MemberRole.DEPUTY if k == 0 else (MemberRole.CONCURRENT if k <= 6 else MemberRole.UNIT)
                alliance_member_add(
                    alliance=alliance,
                    actor=SYSTEM,
                    role=role,
                    unit=unit,
                    person=_secretary(unit.party_organisation, y.today),
                    joined_on=founded,
                )
            y.summary.add("alliances")
        if units:
            _rounds(y, alliance, [community], units, skip_quarter=community.code.endswith("2"))


def _rounds(
    y: _Year,
    alliance: Any,
    communities: list[Region],
    units: list[PartnerUnit],
    *,
    skip_quarter: bool = False,
) -> None:
    """Twelve monthly needs rounds, a joint meeting each quarter where they are claimed, projects
    from the claims (the older ones delivered), and 书记项目 for most of the secretaries."""
    pending: list[Any] = []
    quarters_met = 0
    for month in y.months:
        for community in communities:
            actor = y.manager(community)
            for _ in range(y.rng.choice([1, 2, 2] if len(communities) == 1 else [1, 1, 2])):
                source = y.rng.choice(
                    [
                        NeedSource.MONTHLY_ROUND,
                        NeedSource.MONTHLY_ROUND,
                        NeedSource.RESIDENT,
                        NeedSource.GRID_VISIT,
                    ]
                )
                pending.append(y.need(community, month, source, actor))
        if month.month % 3 == 2:  # the joint meeting in the middle month of each quarter
            day = month + timedelta(days=y.rng.randint(20, 26))
            if _at(day) >= y.now:
                continue
            quarters_met += 1
            if skip_quarter and quarters_met == 3:
                continue  # one 大党委 missed a quarter: behind on its meetings
            claimers = [u for u in units if u.pk not in y.behind] or units
            y.meeting(alliance, day, pending, claimers)

            still_open = set(
                Need.objects.filter(pk__in=[n.pk for n in pending], status=NeedStatus.OPEN).values_list(
                    "pk", flat=True
                )
            )
            pending = [n for n in pending if n.pk in still_open]
            for need in [n for n in _claimed_at(alliance, day)]:
                age = (y.today - day).days
                y.project(need, deliver=age > 60 or (age > 30 and y.rng.random() < 0.6))
    _secretary_projects(y, alliance, communities, units)
    _next_meeting(y, alliance)


def _next_meeting(y: _Year, alliance: Any) -> None:
    """The coming joint meeting, called already: the open needs will be claimed there."""

    day = y.today + timedelta(days=y.rng.randint(6, 20))
    actor = y.manager(alliance.region)
    meeting = meeting_schedule(
        actor=actor,
        alliance=alliance,
        title=f"{alliance.name}联席会议（{day:%Y年%m月}）",
        scheduled_at=_at(day, 9, 30),
        place=f"{alliance.region.name}党群服务中心",
        agenda=["认领本月需求清单", "研究下季度共建项目", "通报年度履责情况"],
    )
    meeting_call(meeting=meeting, actor=actor, now=y.now)
    y.summary.add("meetings called")


def _claimed_at(alliance: Any, day: date) -> list[Any]:

    return list(
        Need.objects.filter(
            claimed_meeting__alliance=alliance,
            claimed_meeting__scheduled_at__date=day,
            status=NeedStatus.CLAIMED,
        ).order_by("pk")
    )


def _secretary_projects(y: _Year, alliance: Any, communities: list[Region], units: list[PartnerUnit]) -> None:
    """书记项目: most secretaries of the member units' organisations claim one (seed 002)."""

    orgs = [u.party_organisation for u in units if u.party_organisation is not None]
    if alliance.organisation is not None:
        orgs.append(alliance.organisation)
    for org in orgs:
        person = _secretary(org, y.today)
        if person is None or person.pk in y.secretary_projects or y.rng.random() < 0.25:
            continue
        y.secretary_projects.add(person.pk)
        community = y.rng.choice(communities)
        category, title, description, wanted, helped = y.rng.choice(NEEDS)
        published = _at(y.today - timedelta(days=y.rng.randint(40, 200)), 10)
        if published < _at(y.start):
            published = _at(y.start, 10)
        need = need_create(
            title=f"书记项目：{community.name}{title}",
            description=description,
            category=category,
            source=NeedSource.MEETING,
            region=community,
            actor=y.manager(community),
            wanted_kind=wanted,
            beneficiaries_estimate=helped,
            now=published,
        )
        y.summary.add("needs")
        unit = next((u for u in units if u.party_organisation_id == org.pk), None) or y.rng.choice(units)
        need_claim(
            need=need,
            unit=unit,
            actor=SYSTEM,
            note=f"{person.name}书记认领",
            now=published + timedelta(days=3),
        )
        y.project(need, deliver=y.rng.random() < 0.6, secretary=person)


def _cases_to_needs(y: _Year) -> None:
    """Cases closed unsolved in the county go on the problem list (if the demo has cases)."""

    cases = Case.objects.filter(
        status="closed_unsolved", need__isnull=True, region_path__startswith=y.county.path
    ).order_by("reported_at")[:10]
    for case in cases:
        need_from_case(case=case, actor=SYSTEM, category=NeedCategory.OTHER, now=case.closed_at or y.now)
        y.summary.add("needs from unsolved cases")


__all__ = ["CoBuildingSummary", "generate_cobuilding"]


def _minutes(region: Region, day: date, claimed_here: int) -> str:
    """Minutes that quote figures read them from the indicator registry, never type them."""

    so_far = Period(year(day.year).since, day)
    codes = ["cobuilding.needs", "cobuilding.needs_claimed", "cobuilding.needs_met"]
    values = compute(region, so_far, [REGISTRY[c] for c in codes])
    return (
        f"会议通报了需求清单办理情况：今年以来梳理需求{values['cobuilding.needs']}项，"
        f"已认领{values['cobuilding.needs_claimed']}项，已办结{values['cobuilding.needs_met']}项；"
        f"本次会议成员单位现场认领{claimed_here}项。"
        "会议要求各成员单位按照“大事共议、实事共办、急事共商、难事共助”的原则，抓好认领事项落实。"
    )
