"""A year of member life in the demo district, written through the services.

`generate_member_life` runs after the demo district's regions, organisations, people and accounts exist
(tongxin.demo.generator). It reads them, never their plan, so it works on any demo database.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.activities.models import Audience, TeamKind
from tongxin.activities.services import (
    activity_create,
    attendance_confirm,
    callout_create,
    callout_respond,
    signup_enter,
    team_create,
    team_member_add,
)
from tongxin.cases.models import OPEN_STATUSES, Case
from tongxin.core.actors import SYSTEM
from tongxin.lib.tree import subtree_range
from tongxin.members.models import ReportChannel, ServiceEntry, ServicePostKind
from tongxin.members.selectors import home_community
from tongxin.members.services import (
    member_report_create,
    member_report_renew,
    service_post_create,
    service_record_refresh,
    unit_report_create,
)
from tongxin.organisations.models import BRANCH_KINDS, OrgKind, PartyOrganisation
from tongxin.organisations.services import organisation_create
from tongxin.partners.models import PartnerUnit
from tongxin.partners.services import unit_create, unit_liaisons_set, unit_update
from tongxin.partylife.models import PartyMeetingKind
from tongxin.partylife.models import StepKind as S
from tongxin.partylife.services import (
    development_file_open,
    development_step_record,
    mobile_member_register,
    party_meeting_record,
    training_attendance_set,
    training_class_create,
    training_session_add,
    window_create,
)
from tongxin.people.models import Person
from tongxin.regions.models import Level, Region

POSTS = [
    (ServicePostKind.POLICY, "政策宣传岗", "入户宣讲惠民政策，解答群众疑问"),
    (ServicePostKind.MEDIATION, "矛盾调解岗", "参与邻里纠纷调解，协助人民调解委员会"),
    (ServicePostKind.ELDERLY_CARE, "助老扶幼岗", "结对独居老人、留守儿童，定期走访"),
    (ServicePostKind.ENVIRONMENT, "环境整治岗", "参与楼道清理、垃圾分类督导"),
    (ServicePostKind.SAFETY, "平安巡防岗", "参加夜间巡逻和安全隐患排查"),
    (ServicePostKind.CIVILITY, "文明引导岗", "劝导不文明行为，参与文明城市创建"),
    (ServicePostKind.HEALTH, "健康服务岗", "协助义诊、健康讲座和疫苗接种服务"),
    (ServicePostKind.SKILLS, "技能帮扶岗", "开展就业创业指导和技能培训"),
]
PARTY_DAY_TOPICS = [  # January to December
    "总结全年工作，开展民主评议党员",
    "重温入党誓词，牢记初心使命",
    "学习贯彻全国两会精神",
    "学习《中国共产党纪律处分条例》",
    "弘扬红色传统，走访革命老党员",
    "安全生产和防汛救灾知识学习",
    "“七一”主题党日：党员过政治生日",
    "党史学习：遵义会议的历史意义",
    "学习《中国共产党支部工作条例（试行）》",
    "学习党的二十届三中全会精神",
    "学习习近平总书记关于基层治理的重要论述",
    "开展“我为群众办实事”志愿服务",
]
OTHER_ACTIVITIES = [
    ("free_clinic", "健康义诊进社区", "社区广场"),
    ("clean_up", "背街小巷环境整治", "老旧小区楼道"),
    ("policy_talk", "惠民政策宣讲", "党群服务中心二楼会议室"),
    ("volunteer", "关爱独居老人上门服务", "辖区独居老人家中"),
    ("clean_up", "河道垃圾清理", "沿河步道"),
    ("policy_talk", "反诈宣传进小区", "小区门口"),
]
COMMITTEE_TOPICS = ["研究本月支部工作", "讨论发展党员工作", "研究困难党员帮扶", "部署网格服务任务"]
ASSEMBLY_TOPICS = ["传达上级会议精神", "讨论接收预备党员", "开展批评与自我批评", "民主评议党员"]
LECTURE_TOPICS = [
    "书记讲党课：牢记宗旨为民服务",
    "党课：全面从严治党永远在路上",
    "党课：基层治理中的党员先锋作用",
]
GROUP_TOPICS = ["学习党章", "交流服务群众体会", "收集楼栋居民诉求"]
SKILLS = ["急救", "电工", "驾驶", "水电维修", "心理疏导", "法律咨询", "厨艺", "摄影", "无人机", "护理"]
PLACES_AWAY = [
    ("广东省深圳市南山区", "电子厂技术员"),
    ("浙江省杭州市余杭区", "电商运营"),
    ("上海市浦东新区", "建筑工地施工员"),
    ("贵州省贵阳市观山湖区", "餐饮店店长"),
    ("福建省厦门市湖里区", "物流司机"),
    ("江苏省苏州市工业园区", "机械厂操作工"),
    ("四川省成都市高新区", "软件测试"),
]
UNIT_EXCLUDED_WORDS = ("委员会", "办事处", "人民政府", "中共")


@dataclass
class MemberLifeSummary:
    """What was written, for the demo command's summary."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def lines(self) -> list[str]:
        return [", ".join(f"{k} {v:,}" for k, v in self.counts.items())]


def _subtree(queryset: Any, region: Region, field: str = "region__path") -> Any:
    low, high = subtree_range(region.path)
    return queryset.filter(**{f"{field}__gte": low, f"{field}__lt": high})


def _age(birth: date | None, day: date) -> int:
    if birth is None:
        return 0
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _unit_kind(name: str) -> str:
    if "医院" in name:
        return "hospital"
    if "学院" in name or "大学" in name:
        return "university"
    if "物业" in name:
        return "property_firm"
    if name.endswith("局") or "中心" in name:
        return "county_department"
    if any(w in name for w in ("公司", "集团", "银行")):
        return "company"
    return "other"


class _Life:
    def __init__(self, rng: random.Random, now: datetime, streets: list[Region]) -> None:
        self.rng = rng
        self.now = now
        self.today = timezone.localtime(now).date()
        self.streets = streets
        self.summary = MemberLifeSummary()
        self.communities = [
            c
            for s in streets
            for c in Region.objects.filter(parent=s, level=Level.COMMUNITY).order_by("code")
        ]
        county = streets[0].parent
        if county is None:
            raise ValueError("a street has a county above it")
        self.county = county
        self.accounts = {u.username: u for u in _accounts()}
        self._org_counter = 0

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def people_in(self, region: Region) -> Any:
        return _subtree(Person.objects.select_related("region"), region).order_by("pk")

    # -- posts, units, reports ---------------------------------------------------------------

    def posts(self) -> dict[int, list[Any]]:

        by_community: dict[int, list[Any]] = {}
        for community in self.communities:
            made = []
            for kind, name, description in POSTS:
                places = self.rng.choice([None, None, 10, 20])
                made.append(
                    service_post_create(
                        community=community, kind=kind, name=name, description=description, places=places
                    )
                )
            by_community[community.pk] = made
            self.summary.add("service posts", len(made))
        return by_community

    def units(self, members: list[Person]) -> dict[str, Any]:
        """A partner unit (with its Party committee) for each employer of the area's members."""

        county_committee = (
            PartyOrganisation.objects.filter(region=self.county).order_by("depth", "pk").first()
        )
        names = sorted(
            {
                p.employer
                for p in members
                if p.employer and not any(w in p.employer for w in UNIT_EXCLUDED_WORDS)
            }
        )
        units: dict[str, Any] = {}
        for name in names:
            unit = (
                PartnerUnit.objects.filter(name=name).select_related("region", "party_organisation").first()
            )
            if unit is None:
                street = self.rng.choice(self.streets)
                unit = unit_create(
                    name=name, kind=_unit_kind(name), region=street, actor=SYSTEM, joined_on=self.today
                )
                self.summary.add("partner units")
            if unit.party_organisation_id is None:
                self._org_counter += 1
                org = organisation_create(
                    name=f"中共{name}委员会" if self.rng.random() < 0.5 else f"中共{name}支部委员会",
                    kind=OrgKind.COMMITTEE,
                    code=f"{unit.region.code[:9]}U{self._org_counter:03d}",
                    region=unit.region,
                    parent=county_committee,
                )
                unit = unit_update(unit=unit, actor=SYSTEM, party_organisation=org)
            units[name] = unit
        return units

    def reports(self, members: list[Person], posts: dict[int, list[Any]], units: dict[str, Any]) -> list[Any]:

        reports = []
        dangyuan = self.accounts.get("dangyuan")
        for person in members:
            own = dangyuan is not None and dangyuan.person_id == person.pk
            if person.employer not in units or not (own or 22 <= _age(person.birth_date, self.today) < 60):
                continue
            if not own and self.rng.random() > 0.85:
                continue  # not reported yet
            community = home_community(person)
            if community is None or community.pk not in posts:
                continue
            # the demo member re-reports in ten days; the others at any point of the year
            reported_on = self.today - timedelta(days=170 if own else self.rng.randint(20, 420))
            report = member_report_create(
                person=person,
                service_post=self.rng.choice(
                    [p for p in posts[community.pk] if p.places is None or p.places > 5]
                ),
                employer_unit=units[person.employer],
                channel=ReportChannel.ONLINE if self.rng.random() < 0.6 else ReportChannel.COMMUNITY,
                reported_on=reported_on,
            )
            renewed = report.reported_on + timedelta(days=self.rng.randint(170, 185))
            if not own and renewed <= self.today and self.rng.random() < 0.7:
                report = member_report_renew(report=report, channel=ReportChannel.ONLINE, on=renewed)
            reports.append(report)
        self.summary.add("member reports", len(reports))
        return reports

    def unit_reports(self, units: dict[str, Any]) -> None:

        for unit in units.values():
            if self.rng.random() < 0.2:
                continue  # some units have not reported: the annual check lists them
            communities = [c for c in self.communities if c.path.startswith(unit.region.path)]
            if not communities:
                continue
            unit_report_create(
                unit=unit,
                community=self.rng.choice(communities),
                reported_on=self.today - timedelta(days=self.rng.randint(15, 300)),
                commitments="每年至少办成1件实事；在职党员每年到社区服务不少于2次",
            )
            self.summary.add("unit reports")

    def liaison(self, units: dict[str, Any]) -> None:
        """The demo liaison speaks for their own employer, so its members' cards show in Tongxin."""

        liaison = self.accounts.get("lianluoyuan")
        if liaison is None or liaison.person is None:
            return
        unit = units.get(liaison.person.employer)
        if unit is None:
            return
        current = list(unit.liaisons.all())
        if liaison not in current:
            unit_liaisons_set(unit=unit, liaisons=[*current, liaison], actor=SYSTEM)

    # -- activities --------------------------------------------------------------------------

    def activities(self, units: dict[str, Any]) -> None:

        committees = {
            o.region_id: o
            for o in PartyOrganisation.objects.filter(region__in=self.communities).order_by("depth")
        }
        hospitals = [u for n, u in units.items() if "医院" in n]
        for community in self.communities:
            eligible = [p for p in self.people_in(community) if p.party_status]
            reported = list(
                Person.objects.filter(
                    member_reports__community=community, member_reports__ended_on__isnull=True
                ).order_by("pk")
            )
            eligible = sorted({p.pk: p for p in eligible + reported}.values(), key=lambda p: p.pk)
            if not eligible:
                continue
            planned: list[tuple[date, str, str, str, Any]] = []
            for months_ago in range(12, 0, -1):
                day = (self.today.replace(day=1) - timedelta(days=30 * months_ago - 14)).replace(
                    day=self.rng.randint(8, 25)
                )
                planned.append(
                    (
                        day,
                        "themed_party_day",
                        PARTY_DAY_TOPICS[(day.month - 1) % 12],
                        "社区党群服务中心",
                        None,
                    )
                )
            for kind, title, place in self.rng.sample(OTHER_ACTIVITIES, 2):
                unit = self.rng.choice(hospitals) if kind == "free_clinic" and hospitals else None
                planned.append(
                    (self.today - timedelta(days=self.rng.randint(10, 300)), kind, title, place, unit)
                )
            for index, (day, kind, title, place, unit) in enumerate(sorted(planned, key=lambda p: p[0])):
                starts = self.at(day, self.rng.choice([9, 14, 15]), 0)
                activity = activity_create(
                    organiser=None,
                    region=community,
                    organisation=committees.get(community.pk),
                    unit=unit,
                    title=title,
                    kind=kind,
                    place=place,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=self.rng.choice([2, 2, 3])),
                    places=self.rng.choice([None, 30, 50]),
                    audience=Audience.MEMBERS,
                )
                self.summary.add("activities")
                share = self.rng.uniform(0.25, 0.55)
                signups: list[Any] = []
                for person in eligible:
                    if self.rng.random() >= share:
                        continue
                    if activity.places is not None and len(signups) >= activity.places:
                        break
                    signups.append(
                        signup_enter(
                            activity=activity,
                            person=person,
                            actor=SYSTEM,
                            now=starts - timedelta(days=2),
                            quiet=True,
                        )
                    )
                if index == len(planned) - 1 and self.rng.random() < 0.5:
                    continue  # the latest one still waits for its attendance to be confirmed
                attended = [s.pk for s in signups if self.rng.random() < 0.85]
                attendance_confirm(
                    activity=activity,
                    actor=SYSTEM,
                    attended=attended,
                    now=starts + timedelta(hours=4),
                    quiet=True,
                )
                self.summary.add("attendances confirmed", len(attended))
            # two coming up, open for sign-up on a phone
            for k in range(2):
                day = self.today + timedelta(days=3 + 7 * k)
                kind, title, place = OTHER_ACTIVITIES[(community.pk + k) % len(OTHER_ACTIVITIES)]
                starts = self.at(day, 9)
                activity = activity_create(
                    organiser=None,
                    region=community,
                    organisation=committees.get(community.pk),
                    title=title,
                    kind=kind,
                    place=place,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    places=20,
                    audience=Audience.MEMBERS,
                )
                for person in self.rng.sample(eligible, min(len(eligible), self.rng.randint(2, 8))):
                    signup_enter(activity=activity, person=person, actor=SYSTEM, now=self.now, quiet=True)
                self.summary.add("activities")

    # -- teams -------------------------------------------------------------------------------

    def teams(self) -> None:

        street_a = self.streets[0]
        plans: list[tuple[Region, str, str, int]] = []
        for i, community in enumerate(c for c in self.communities if c.parent_id == street_a.pk):
            if i < 4:  # seed 000: 4 emergency teams of 86 people
                plans.append(
                    (community, TeamKind.EMERGENCY, f"{community.name}应急综合服务队", [22, 22, 21, 21][i])
                )
        for street in self.streets[1:]:
            for community in [c for c in self.communities if c.parent_id == street.pk][:3]:
                plans.append((community, TeamKind.VOLUNTEER, f"{community.name}志愿服务队", 10))
            plans.append((street, TeamKind.SQUAD, f"{street.name}党员服务小分队", 6))
        for region, kind, name, size in plans:
            team = team_create(
                name=name, kind=kind, region=region, description="由在职党员、网格员和热心居民组成"
            )
            people = [p for p in self.people_in(region) if 20 <= _age(p.birth_date, self.today) < 62]
            members = [p for p in people if p.party_status]
            others = [p for p in people if not p.party_status]
            chosen = members[: size // 2] + self.rng.sample(
                others, min(len(others), size - min(len(members), size // 2))
            )
            for k, person in enumerate(chosen[:size]):
                team_member_add(
                    team=team,
                    person=person,
                    role="leader" if k == 0 else ("deputy" if k == 1 else "member"),
                    skills="、".join(self.rng.sample(SKILLS, self.rng.randint(0, 2))),
                    joined_on=self.today - timedelta(days=self.rng.randint(30, 700)),
                )
            self.summary.add("teams")
            self.summary.add("team members", len(chosen[:size]))
            self._callout(team, callout_create, callout_respond)

    def _callout(self, team: Any, callout_create: Any, callout_respond: Any) -> None:

        low, high = subtree_range(team.region.path)
        case = (
            Case.objects.filter(status__in=OPEN_STATUSES, region_path__gte=low, region_path__lt=high)
            .order_by("pk")
            .first()
        )
        if case is None:
            return
        callout = callout_create(team=team, case=case, actor=SYSTEM, note="请队员就近到场协助处置")
        for user in User.objects.filter(person__team_memberships__team=team, is_active=True).order_by("pk"):
            callout_respond(
                callout=callout, user=user, answer=self.rng.choice(["coming", "arrived", "unavailable"])
            )
        self.summary.add("call-outs")

    # -- 三会一课 ----------------------------------------------------------------------------

    def meetings(self) -> None:

        branches = []
        for street in self.streets:
            branches += list(
                _subtree(PartyOrganisation.objects.filter(kind__in=list(BRANCH_KINDS)), street).order_by(
                    "path"
                )
            )
        first_month = (self.today.replace(day=1) - timedelta(days=330)).replace(day=1)
        months = []
        day = first_month
        while day <= self.today:
            months.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        for branch in branches:
            behind = self.rng.random() < 0.2  # about one branch in five falls behind
            skipped = set(self.rng.sample(range(len(months)), 3)) if behind else set()
            members = list(Person.objects.filter(branch=branch).exclude(party_status="").order_by("pk"))
            groups = list(PartyOrganisation.objects.filter(parent=branch, kind=OrgKind.GROUP).order_by("pk"))
            for m, month in enumerate(months):
                held = month.replace(day=self.rng.randint(3, 20))
                if held > self.today:
                    continue
                present = [p for p in members if self.rng.random() < 0.85]
                if m not in skipped:
                    party_meeting_record(
                        organisation=branch,
                        kind=PartyMeetingKind.BRANCH_COMMITTEE,
                        held_on=held,
                        topic=self.rng.choice(COMMITTEE_TOPICS),
                        attendees=present[:5],
                        minutes="会议研究了本月支部工作，明确了分工。",
                    )
                    self.summary.add("三会一课 meetings")
                for group in groups:
                    if m in skipped and self.rng.random() < 0.5:
                        continue
                    party_meeting_record(
                        organisation=group,
                        kind=PartyMeetingKind.GROUP,
                        held_on=min(self.today, held + timedelta(days=3)),
                        topic=self.rng.choice(GROUP_TOPICS),
                        attendee_count=self.rng.randint(3, 8),
                    )
                    self.summary.add("三会一课 meetings")
                if month.month % 3 == 0 and not (behind and m == max(skipped, default=-1)):
                    party_meeting_record(
                        organisation=branch,
                        kind=PartyMeetingKind.GENERAL_ASSEMBLY,
                        held_on=min(self.today, held + timedelta(days=5)),
                        topic=self.rng.choice(ASSEMBLY_TOPICS),
                        attendees=present,
                    )
                    party_meeting_record(
                        organisation=branch,
                        kind=PartyMeetingKind.LECTURE,
                        held_on=min(self.today, held + timedelta(days=5)),
                        topic=self.rng.choice(LECTURE_TOPICS),
                        attendees=present,
                        lecturer="支部书记",
                    )
                    self.summary.add("三会一课 meetings", 2)

    # -- 发展党员, training -------------------------------------------------------------------

    def development(self) -> None:

        t = self.today
        d = timedelta
        # (stage plan, what goes wrong) – dates counted back from today
        plans: list[list[tuple[str, int, dict[str, Any]]]] = [
            [("application", 20, {})],
            [("application", 45, {})],  # the talk is overdue
            [("application", 70, {}), ("talk", 30, {})],  # talked too late
            [
                ("application", 200, {}),
                ("talk", 185, {}),
                ("activist", 170, {"mentors": ["王建国", "李秀英"]}),
            ],
            [
                ("application", 360, {}),
                ("talk", 350, {}),
                ("activist", 330, {"mentors": ["张伟"]}),
                ("assessment", 150, {}),
            ],
            [
                ("application", 600, {}),
                ("talk", 590, {}),
                ("activist", 560, {"mentors": ["陈红"]}),
                ("assessment", 380, {}),
                ("assessment", 200, {}),
            ],  # an assessment overdue
            [
                ("application", 520, {}),
                ("talk", 505, {}),
                ("activist", 420, {"mentors": ["刘洋", "赵敏"]}),
                ("assessment", 240, {}),
                ("assessment", 70, {}),
                ("target", 60, {}),
            ],  # made a target before a full year
        ]
        Plan = list[tuple[str, int, dict[str, Any]]]
        targets: list[Plan] = [
            [
                ("application", 760, {}),
                ("talk", 750, {}),
                ("activist", 700, {"mentors": ["周强"]}),
                ("assessment", 520, {}),
                ("assessment", 340, {}),
                ("assessment", 170, {}),
                ("target", 60, {}),
                ("political_review", 45, {}),
            ]
            for _ in range(3)
        ]
        late: Plan = [
            ("application", 900, {}),
            ("talk", 890, {}),
            ("activist", 850, {"mentors": ["孙丽"]}),
            ("assessment", 670, {}),
            ("assessment", 490, {}),
            ("target", 480, {}),
            ("political_review", 470, {}),
            ("training", 460, {"days": 3, "hours": 24}),
            ("pre_review", 450, {}),
            ("public_notice", 448, {"until_days": 445}),  # four working days at most
            ("branch_meeting", 430, {"votes_for": 7, "entitled": 11}),
            ("approval", 300, {}),  # more than three months, no special circumstances
        ]
        probation: Plan = [
            ("application", 800, {}),
            ("talk", 790, {}),
            ("activist", 760, {"mentors": ["吴刚"]}),
            ("assessment", 580, {}),
            ("assessment", 400, {}),
            ("target", 390, {}),
            ("political_review", 380, {}),
            ("training", 375, {"days": 3, "hours": 24}),
            ("pre_review", 360, {}),
            ("public_notice", 355, {"until_days": 340}),
            ("branch_meeting", 335, {"votes_for": 9, "entitled": 12}),
            ("approval", 300, {}),
        ]
        full: Plan = [
            ("application", 1200, {}),
            ("talk", 1190, {}),
            ("activist", 1150, {"mentors": ["郑华"]}),
            ("assessment", 970, {}),
            ("assessment", 790, {}),
            ("target", 780, {}),
            ("political_review", 770, {}),
            ("training", 765, {"days": 3, "hours": 24}),
            ("pre_review", 750, {}),
            ("public_notice", 745, {"until_days": 730}),
            ("branch_meeting", 725, {"votes_for": 8, "entitled": 10}),
            ("approval", 680, {}),
            ("full_membership", 355, {}),
        ]
        plans += [*targets, late, probation, probation, full]
        branches = []
        for street in self.streets:
            branches += list(
                _subtree(PartyOrganisation.objects.filter(kind__in=list(BRANCH_KINDS)), street).order_by(
                    "path"
                )
            )
        taken: set[int] = set()
        target_people: list[tuple[Any, Any]] = []
        for n, plan in enumerate(plans):
            branch = branches[(n * 7) % len(branches)]
            candidates = [
                p
                for p in _subtree(Person.objects.filter(party_status=""), branch.region).order_by("pk")
                if 18 <= _age(p.birth_date, t - d(days=plan[0][1])) <= 35 and p.pk not in taken
            ]
            if not candidates:
                candidates = [
                    p
                    for p in _subtree(
                        Person.objects.filter(party_status=""), branch.region.parent or branch.region
                    ).order_by("pk")
                    if 18 <= _age(p.birth_date, t - d(days=plan[0][1])) <= 35 and p.pk not in taken
                ]
            if not candidates:
                continue
            person = self.rng.choice(candidates)
            taken.add(person.pk)
            file = development_file_open(person=person, branch=branch, application_on=t - d(days=plan[0][1]))
            for kind, days_ago, detail in plan[1:]:
                detail = dict(detail)
                if "until_days" in detail:
                    detail["until"] = t - d(days=detail.pop("until_days"))
                development_step_record(file=file, kind=kind, on=t - d(days=days_ago), detail=detail)
            if plan[-1][0] == S.POLITICAL_REVIEW:
                target_people.append((file, person))
            self.summary.add("development files")
        # a training class for the development targets: three days of eight class hours
        if target_people:
            first_day = t - d(days=40)
            term = (first_day.month - 1) // 6 + 1
            training = training_class_create(
                name=f"{self.county.name}{first_day.year}年第{term}期发展对象培训班",
                purpose="targets",
                organisation=PartyOrganisation.objects.filter(region=self.county).order_by("depth").first()
                or target_people[0][0].branch,
                starts_on=first_day,
                ends_on=first_day + d(days=2),
                place=f"{self.county.name}委党校",
                participants=[p for _f, p in target_people],
            )
            for k, topic in enumerate(["党的基本理论和党章", "党的优良传统和作风", "入党动机与党员义务"]):
                session = training_session_add(
                    training=training, on=first_day + d(days=k), topic=topic, hours=Decimal(8)
                )
                present = [
                    p for i, (_f, p) in enumerate(target_people) if not (i == 0 and k == 2)
                ]  # one misses a day
                training_attendance_set(session=session, people=present, now=self.now)
            self.summary.add("training classes")

    # -- 流动党员 ----------------------------------------------------------------------------

    def mobile(self) -> None:

        windows = [
            window_create(
                name=f"{street.name}流动党员服务窗口",
                region=street,
                address=f"{street.name}党群服务中心一楼",
                phone=f"0857-{self.rng.randint(2000000, 8999999)}",
            )
            for street in self.streets
        ]
        self.summary.add("service windows", len(windows))
        candidates = [
            p
            for street in self.streets
            for p in self.people_in(street).exclude(party_status="").filter(branch__isnull=False, employer="")
            if 20 <= _age(p.birth_date, self.today) < 50
        ]
        for person in self.rng.sample(candidates, min(12, len(candidates))):
            place, work = self.rng.choice(PLACES_AWAY)
            mobile_member_register(
                person=person,
                current_place=place,
                work=work,
                left_on=self.today - timedelta(days=self.rng.randint(60, 900)),
                contact=f"1{self.rng.choice(['38', '39', '58', '87'])}{self.rng.randint(10000000, 99999999)}",
                window=self.rng.choice([None, *windows]),
                certificate=f"LD{self.rng.randint(100000, 999999)}",
            )
            self.summary.add("mobile members")


def _accounts() -> list[Any]:

    return list(User.objects.select_related("person").order_by("pk"))


def generate_member_life(
    *, rng: random.Random, now: datetime, streets: Sequence[Region] | None = None
) -> MemberLifeSummary:
    """A year of member life up to `now` (not in the future) in `streets` (default: the first
    county's first three streets), through the services: service posts, partner units with their
    Party committees, 双报到 with re-reports (some overdue), unit reports (some missing), a year of
    activities with confirmed attendance and two coming up per community, teams with rosters (and a
    call-out where a case is open), 三会一课 with about one branch in five behind, development files
    at every step (some breaking a time rule), a training class for the development targets,
    mobile members and service windows; then the service records are synced."""

    if streets is None:
        county = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
        if county is None:
            return MemberLifeSummary()
        streets = list(Region.objects.filter(parent=county, level=Level.STREET).order_by("code")[:3])
    life = _Life(rng, now, list(streets))
    members = [p for street in life.streets for p in life.people_in(street).exclude(party_status="")]
    posts = life.posts()
    units = life.units(members)
    life.liaison(units)
    life.reports(members, posts, units)
    life.unit_reports(units)
    life.activities(units)
    life.teams()
    life.meetings()
    life.development()
    life.mobile()

    service_record_refresh(now=now)
    life.summary.add("services on record", ServiceEntry.objects.count())
    return life.summary
