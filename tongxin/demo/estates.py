"""Estates of the demo street: one 小区 per group of buildings that share a name (兰庭家园1栋, 2栋…), each
with a property firm (红心物业 and its Party committee leading the service in the estates of 文昌社区:
红色物业; three more firms, one of them with its own Party branch), an owners' committee (业委会) of
residents of its buildings (红色 where the rule says so), a 三驾马车 joint meeting with decisions and
tasks, a year of building heads' verified work with last year's subsidy run approved for payment, a
building group's 自治金 with grants and spending, and lift installations (加装电梯) on the map — written
through the services, as the system. The demo partner liaison (lianluoyuan) also speaks for 红心物业."""

import random
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core.actors import SYSTEM
from tongxin.demo.tally import Tally, demo_street
from tongxin.estates.models import CommitteeRole, DutyKind, EntryKind, Estate, Grade
from tongxin.estates.services import (
    assessment_set,
    committee_create,
    duty_record,
    duty_verify,
    estate_create,
    fund_create,
    fund_entry_add,
    fund_project_create,
    joint_meeting_link,
    project_locate,
    subsidy_approve,
    subsidy_compute,
)
from tongxin.lists.models import ProjectKind
from tongxin.lists.services import project_cancel, project_close, project_create
from tongxin.meetings.services import (
    decision_create,
    decision_step,
    meeting_record,
    meeting_schedule,
    task_create,
    task_done,
)
from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.organisations.services import organisation_create
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.partners.services import unit_create, unit_liaisons_set
from tongxin.people.models import Person, Position, PositionKind
from tongxin.regions.models import Level, Region

NUMBERED = re.compile(r"\d+[栋幢]$")
OTHER_FIRMS = ("金岩安居物业有限公司", "万家和物业服务有限公司", "锦程物业管理有限公司")
DUTY_NOTES = {
    DutyKind.POLICY: "楼道宣讲养老保险政策",
    DutyKind.OPINION: "收集住户对停车管理的意见",
    DutyKind.MEDIATION: "调解楼上楼下漏水纠纷",
    DutyKind.SAFETY: "检查楼道消防通道堆物",
    DutyKind.ERRAND: "帮独居老人代办医保报销",
}


EstatesSummary = Tally


def _branch(name: str, home: Region, code: str) -> PartyOrganisation:
    return organisation_create(
        name=name,
        kind=OrgKind.BRANCH,
        code=code,
        region=home,
        parent=PartyOrganisation.objects.filter(region=home).order_by("path").first(),
    )


def _firm(name: str, home: Region, branch: PartyOrganisation | None) -> PartnerUnit:
    found = PartnerUnit.objects.filter(name=name, region=home).first()
    if found is not None:
        return found
    return unit_create(
        name=name,
        kind=UnitKind.PROPERTY_FIRM,
        region=home,
        actor=SYSTEM,
        party_organisation=branch,
        red_property=branch is not None,
        joined_on=date(2023, 1, 1),
    )


def _firms(
    street: Region, communities: list[Region]
) -> tuple[PartnerUnit, PartyOrganisation, list[PartnerUnit]]:
    """红心物业 (the demo's Party-led firm, its branch leading the service) and three more, one of which
    has a Party branch."""
    in_street = PartnerUnit.objects.filter(
        kind=UnitKind.PROPERTY_FIRM, region__path__gte=street.path, region__path__lt=street.path + "~"
    )
    red = in_street.filter(party_organisation__isnull=False).order_by("id").first()
    red = red or in_street.filter(name__startswith="红心物业").order_by("id").first()
    if red is None:
        red = _firm(
            "红心物业服务有限公司",
            communities[0],
            _branch("红心物业党支部", communities[0], f"{communities[0].code}E00"),
        )
    red_branch = red.party_organisation or _branch(f"{red.name}党支部", red.region, f"{red.region.code}E00")
    others = []
    for i, name in enumerate(OTHER_FIRMS):
        home = communities[(i + 1) % len(communities)]
        branch = (
            _branch(f"{name.removesuffix('有限公司')}党支部", home, f"{home.code}E{i + 1:02d}")
            if i == 0
            else None
        )
        others.append(_firm(name, home, branch))
    liaison = User.objects.filter(username="lianluoyuan").first()
    if liaison is not None:
        unit_liaisons_set(unit=red, liaisons=[*red.liaisons.all(), liaison], actor=SYSTEM)
    return red, red_branch, others


def _estate_groups(community: Region) -> dict[str, list[Region]]:
    groups: dict[str, list[Region]] = defaultdict(list)
    for building in Region.objects.filter(
        level=Level.BUILDING, path__gte=community.path, path__lt=community.path + "~"
    ).order_by("path"):
        groups[NUMBERED.sub("", building.name) or building.name].append(building)
    return groups


def _committee(rng: random.Random, estate: Estate, buildings: list[Region], today: date) -> bool:
    people = list(Person.objects.filter(region__in=buildings).order_by("id")[:60])
    if len(people) < 5:
        return False
    members = rng.sample(people, 5)
    party = [p for p in members if p.is_party_member]
    director = party[0] if party and rng.random() < 0.6 else members[0]
    seats = [(director, CommitteeRole.DIRECTOR)]
    rest = [p for p in members if p is not director]
    seats += [(rest[0], CommitteeRole.DEPUTY)] + [(p, CommitteeRole.MEMBER) for p in rest[1:]]
    start = today - timedelta(days=rng.randint(200, 900))
    committee_create(
        actor=SYSTEM,
        estate=estate,
        term_starts_on=start,
        term_ends_on=start + timedelta(days=5 * 365),
        members=seats,
    )
    return True


def _joint_meeting(estate: Estate, community: Region, firm: PartnerUnit, now: datetime) -> int:
    held = now - timedelta(days=75)
    meeting = meeting_schedule(
        actor=SYSTEM,
        title=f"{estate}“三驾马车”联席会议",
        scheduled_at=held,
        region=community,
        place=f"{community.name}党群服务中心",
        agenda=["小区停车秩序整治", "楼道照明更换"],
        invite_units=[firm],
    )
    meeting_record(
        meeting=meeting,
        actor=SYSTEM,
        minutes="社区党委、业委会、物业三方就停车和照明问题达成一致。",
        held_at=held,
    )
    joint_meeting_link(actor=SYSTEM, estate=estate, meeting=meeting)
    tasks = 0
    for title, jobs in (
        ("整治小区停车秩序", [("施划停车位", 30, True), ("清理僵尸车", 45, True)]),
        ("更换楼道照明", [("采购声控灯", 20, True), ("完成全部楼道安装", 60, False)]),
    ):
        decision = decision_create(meeting=meeting, actor=SYSTEM, title=title, now=held)
        decision = decision_step(decision=decision, action="adopt", actor=SYSTEM, now=held)
        for job, days, done in jobs:
            task = task_create(
                decision=decision,
                actor=SYSTEM,
                title=job,
                due_on=(held + timedelta(days=days)).date(),
                owner_unit=firm,
                now=held,
            )
            tasks += 1
            if done:
                task_done(task=task, actor=SYSTEM, note="已完成", now=held + timedelta(days=days - 3))
    return tasks


def _heads_work(rng: random.Random, street: Region, today: date, summary: EstatesSummary) -> None:
    last_year = today.year - 1
    heads = list(
        Position.objects.filter(
            kind=PositionKind.BUILDING_HEAD, region__path__gte=street.path, region__path__lt=street.path + "~"
        )
        .select_related("region")
        .order_by("id")
    )
    kinds = list(DUTY_NOTES)
    for head in heads:
        ends = head.ends_on or today
        begins = max(head.starts_on, date(last_year, 1, 1))
        span = (min(ends, today) - begins).days
        if span <= 0:
            continue
        n = rng.choice([0, 4, 12, 20, 30, 45])
        for _i in range(n):
            day = begins + timedelta(days=rng.randint(0, span))
            kind = rng.choice(kinds)
            duty = duty_record(
                actor=SYSTEM, position=head, kind=kind, done_on=day, note=DUTY_NOTES[kind], today=today
            )
            summary.add("building heads' work")
            if rng.random() < 0.85:
                duty_verify(actor=SYSTEM, duty=duty)
                summary.add("verified")
        if head.starts_on.year <= last_year:
            grade = rng.choices(list(Grade.values), weights=[2, 6, 1, 0.3])[0]
            assessment_set(actor=SYSTEM, position=head, year=last_year, grade=grade)


def _fund(rng: random.Random, community: Region, buildings: list[Region], today: date) -> None:
    fund = fund_create(
        actor=SYSTEM,
        community=community,
        name=f"{NUMBERED.sub('', buildings[0].name)}睦邻楼组",
        buildings=buildings[:3],
        keeper_name="楼组长",
    )
    greening = fund_project_create(actor=SYSTEM, fund=fund, title="楼道微更新", budget=Decimal("1800"))
    corner = fund_project_create(actor=SYSTEM, fund=fund, title="楼组议事角", budget=Decimal("800"))
    fund_entry_add(
        actor=SYSTEM,
        fund=fund,
        kind=EntryKind.GRANT,
        amount=Decimal("3000"),
        on=today - timedelta(days=300),
        purpose="街道年度楼组自治金",
    )
    for days, amount, purpose, project, receipt in (
        (240, "620.00", "楼道绿植和花架", greening, "FP2026-0031"),
        (180, "980.50", "楼道墙面粉刷", greening, "FP2026-0057"),
        (90, "468.00", "议事角桌椅", corner, "FP2026-0102"),
    ):
        fund_entry_add(
            actor=SYSTEM,
            fund=fund,
            kind=EntryKind.SPENDING,
            amount=Decimal(amount),
            on=today - timedelta(days=days),
            purpose=purpose,
            project=project,
            receipt_number=receipt,
        )


def _lifts(
    rng: random.Random, community: Region, firm: PartnerUnit, buildings: list[Region], now: datetime
) -> int:
    made = 0
    for i, building in enumerate(buildings[:4]):
        if building.centre_lng is None or building.centre_lat is None:
            continue
        project = project_create(
            actor=SYSTEM,
            title=f"{building.name}加装电梯",
            kind=ProjectKind.COBUILDING,
            lead_name="业委会主任",
            region=community,
            owner_unit=firm,
            budget=Decimal("450000"),
            starts_on=(now - timedelta(days=300 - 40 * i)).date(),
            now=now - timedelta(days=300 - 40 * i),
        )
        project_locate(
            actor=SYSTEM,
            project=project,
            lng=building.centre_lng,
            lat=building.centre_lat,
            label=building.name,
        )
        if i == 0:
            project_close(
                project=project,
                actor=SYSTEM,
                result="电梯已通过验收并投入使用",
                beneficiaries_count=36,
                now=now - timedelta(days=30),
            )
        elif i == 3:
            project_cancel(project=project, actor=SYSTEM, reason="一楼住户未达成一致，暂缓")
        made += 1
    return made


def generate_estates(*, rng: random.Random, now: datetime) -> EstatesSummary:
    summary = EstatesSummary()
    street = demo_street()
    if street is None:
        return summary
    today = timezone.localdate(now)
    communities = list(Region.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code"))
    if not communities:
        return summary
    red, red_branch, others = _firms(street, communities)
    for c_index, community in enumerate(communities):
        groups = _estate_groups(community)
        for e_index, (name, buildings) in enumerate(sorted(groups.items())):
            firm = red if c_index == 0 else others[(c_index + e_index) % len(others)]
            branch = red_branch if firm is red else firm.party_organisation
            estate = estate_create(
                actor=SYSTEM,
                community=community,
                name=name,
                buildings=buildings,
                address=NUMBERED.sub("", buildings[0].address) if buildings[0].address else "",
                property_firm=firm,
                firm_branch=branch if isinstance(branch, PartyOrganisation) else None,
                red_since=date(today.year - 2, 7, 1) if branch is not None else None,
            )
            summary.add("estates")
            if _committee(rng, estate, buildings, today):
                summary.add("owners' committees")
            if c_index == 0 and e_index < 2:
                summary.add("joint-meeting tasks", _joint_meeting(estate, community, firm, now))
            if c_index == 0 and e_index == 0:
                _fund(rng, community, buildings, today)
                summary.add("自治金")
                summary.add("lift projects", _lifts(rng, community, firm, buildings, now))
    _heads_work(rng, street, today, summary)
    for community in communities:
        run = subsidy_compute(actor=SYSTEM, community=community, year=today.year - 1, today=today)
        subsidy_approve(actor=SYSTEM, run=run, now=now - timedelta(days=rng.randint(20, 60)))
        summary.add("subsidy runs approved")
    return summary
