"""What happens to each demo case, and who acts: decided from the seed alone (never from the
database), so the two writers (writers.py) given the same plans write the same history."""

import random
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment, User
from tongxin.accounts.services import role_grant, user_create
from tongxin.cases import clock, services
from tongxin.cases.models import (
    CaseCategory,
    CaseKind,
    CaseSource,
    CaseStatus,
    RejectReason,
    Responder,
    WhistleType,
)
from tongxin.core.actors import Actor
from tongxin.core.roles import ROLE_CAPABILITIES, Capability, Role
from tongxin.lib.tree import subtree_range
from tongxin.regions.models import Level, Region

Log = Callable[[str], None]

DESCRIPTIONS = {
    "01": [
        "楼下垃圾桶已满两天无人清运",
        "小区门口建筑垃圾堆放多日",
        "绿化带里堆了很多杂物",
        "楼道里有人焚烧树叶",
    ],
    "02": ["3栋电梯经常停在半路", "小区健身器材损坏", "单元门禁坏了一周", "物业不及时处理报修"],
    "03": ["楼上漏水与邻居协商不成", "邻居长期占用公共楼道堆物", "家庭矛盾需要调解", "工地拖欠工资"],
    "04": ["路面塌陷一个坑，电动车容易摔倒", "路口井盖缺失，很危险", "巷子里路灯不亮", "人行道砖松动"],
    "05": ["整栋楼突然停水", "小区停电三个小时了", "楼道水管漏水", "自来水发黄"],
    "06": [
        "楼道堆放电动车电池有消防隐患",
        "夜间广场舞音响太大",
        "装修噪音早上七点就开始",
        "小区围墙破损有安全隐患",
    ],
    "07": ["咨询医保异地备案怎么办理", "咨询公租房申请条件", "咨询灵活就业人员社保缴费", "咨询高龄补贴办理"],
    "08": ["独居老人需要助餐服务", "困难家庭申请临时救助", "残疾人需要办理辅具", "想申请居家养老上门服务"],
}
LEAF_DESCRIPTIONS = {  # by the category itself, where the demo says more than its group
    "0101": ["楼下垃圾桶已满两天无人清运", "小区门口建筑垃圾堆放多日"],
    "0103": ["楼道里有人焚烧树叶", "小区空地上有人焚烧垃圾，烟很大"],
    "0102": ["单元楼后面有卫生死角，蚊虫很多", "绿化带里堆了很多杂物"],
    "0201": ["3栋电梯经常停在半路", "电梯按钮失灵，老人上下楼困难"],
    "0202": ["小区健身器材损坏", "单元门禁坏了一周"],
    "0203": ["物业不及时处理报修", "物业费公示不清楚"],
    "0301": ["楼上漏水与邻居协商不成", "邻居长期占用公共楼道堆物"],
    "0401": ["路面塌陷一个坑，电动车容易摔倒", "人行道砖松动"],
    "0402": ["路口井盖缺失，很危险", "井盖破损下陷"],
    "0403": ["巷子里路灯不亮", "路灯白天一直亮着"],
    "0501": ["整栋楼突然停水", "自来水发黄"],
    "0503": ["楼道水管漏水", "地下管道漏水路面积水"],
    "0603": ["夜间广场舞音响太大", "装修噪音早上七点就开始"],
    "0701": ["咨询医保异地备案怎么办理", "咨询灵活就业人员社保缴费"],
    "0802": ["独居老人需要助餐服务", "想申请居家养老上门服务"],
}
RESULTS = [
    "已安排人员现场处理完毕",
    "已联系相关单位完成维修",
    "已上门协调，双方达成一致",
    "已答复政策并协助办理",
]
CATEGORY_WEIGHTS = {"01": 24, "02": 18, "03": 10, "04": 14, "05": 8, "06": 12, "07": 7, "08": 7}
# the open stages recent cases are left at, in turn (the last SHOWCASE_PERIOD)
SHOWCASE = [
    CaseStatus.REPORTED,
    CaseStatus.ACCEPTED,
    CaseStatus.POOLED,
    CaseStatus.DISPATCHED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WHISTLED,
    CaseStatus.RESOLVED,
    CaseStatus.VERIFIED,
    OVERDUE := "overdue",  # past its handling limit, supervised (督办) and not yet handled
]
SHOWCASE_PERIOD = timedelta(days=10)
EARLY = (CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED)  # a day's work away
# the last step of a case left at a stage of the showcase
LEFT_AT: dict[str, set[str]] = {
    CaseStatus.ACCEPTED: {"accept"},
    CaseStatus.POOLED: {"pool"},
    CaseStatus.DISPATCHED: {"dispatch"},
    CaseStatus.IN_PROGRESS: {"respond", "take"},
    CaseStatus.WHISTLED: {"whistle"},
    CaseStatus.RESOLVED: {"resolve"},
    CaseStatus.VERIFIED: {"verify_pass"},
}
REACHES = {
    "accept": CaseStatus.ACCEPTED,
    "pool": CaseStatus.POOLED,
    "dispatch": CaseStatus.DISPATCHED,
    "take": CaseStatus.IN_PROGRESS,
    "respond": CaseStatus.IN_PROGRESS,
    "whistle": CaseStatus.WHISTLED,
    "verify_pass": CaseStatus.VERIFIED,
}
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MANAGE_ROLES = {r for r, caps in ROLE_CAPABILITIES.items() if Capability.CASES_MANAGE in caps}
VERIFY_ROLES = {r for r, caps in ROLE_CAPABILITIES.items() if Capability.CASES_VERIFY in caps}
SUPERVISE_ROLES = {r for r, caps in ROLE_CAPABILITIES.items() if Capability.CASES_SUPERVISE in caps}


# --- who acts where ---------------------------------------------------------------------------


@dataclass
class Place:
    """A community with its leaf grids (each with points inside it) and the accounts acting there."""

    community: Region
    grids: list[tuple[Region, list[tuple[float, float]]]]
    manager: User  # accepts, dispatches, follows up, archives (and handles, without a handler)
    verifiers: dict[int, User]  # grid id → who verifies there
    handler: User | None = None  # the community's staff member cases are dispatched to
    supervisor: User | None = None
    member: User | None = None  # takes pooled orders in the grids of their branch
    member_path: str = ""
    team: Responder | None = None
    team_member: User | None = None


# who acts first where several may: the secretary manages, the staff member handles, the grid
# worker (not the grid leader) verifies
PREFERRED: list[str] = [
    Role.COMMUNITY_SECRETARY,
    Role.STREET_OFFICIAL,
    Role.COMMUNITY_STAFF,
    Role.GRID_WORKER,
]


def _holders(roles: set[str], region_ids: Iterable[int]) -> dict[int, User]:
    """One account per node holding one of `roles` there, the preferred role first."""
    found: dict[int, tuple[int, User]] = {}
    rows = (
        RoleAssignment.objects.filter(role__in=roles, region_id__in=list(region_ids), user__is_active=True)
        .select_related("user", "user__person")
        .order_by("region_id", "role", "user_id")
    )
    for row in rows:
        rank = PREFERRED.index(row.role) if row.role in PREFERRED else len(PREFERRED)
        if row.region_id not in found or rank < found[row.region_id][0]:
            found[row.region_id] = (rank, row.user)
    return {pk: user for pk, (_rank, user) in found.items()}


def ensure_duty_accounts(communities: Iterable[Region]) -> int:
    """Give each community an account that manages its cases and one that verifies them, where it
    has none (at the community or above). Nobody knows their random password: an administrator
    hands one out by resetting it, and it must be changed at the first log-in (SECURITY.md row 1:
    no active account without a usable password)."""

    created = 0
    for community in communities:
        ancestors = [*community.ancestor_ids(), community.pk]
        for roles, role, suffix in (
            (MANAGE_ROLES, Role.COMMUNITY_STAFF, "s"),
            (VERIFY_ROLES, Role.GRID_WORKER, "v"),
        ):
            if _holders(roles, ancestors):
                continue
            user = user_create(
                username=f"duty-{community.code}-{suffix}",
                password=secrets.token_urlsafe(24),
                first_name="值班",
                must_change_password=True,
            )
            role_grant(user=user, role=role, region=community, granted_by=None)
            created += 1
    return created


def _points(grid: Region, rng: random.Random, n: int) -> list[tuple[float, float]]:
    from shapely.geometry import Point, shape
    from shapely.prepared import prep

    if not grid.geometry or grid.min_lng is None:
        return []
    polygon = prep(shape(grid.geometry))
    points: list[tuple[float, float]] = []
    for _ in range(n * 20):
        lng = round(rng.uniform(grid.min_lng, grid.max_lng), 6)  # type: ignore[arg-type]
        lat = round(rng.uniform(grid.min_lat, grid.max_lat), 6)  # type: ignore[arg-type]
        if polygon.contains(Point(lng, lat)):
            points.append((lng, lat))
            if len(points) == n:
                break
    return points


def places(
    communities: Iterable[Region] | None, rng: random.Random, *, points_per_grid: int = 6
) -> list[Place]:
    """The communities (default: all) that have leaf grids with outlines and accounts to act."""

    if communities is None:
        communities = Region.objects.filter(level=Level.COMMUNITY).order_by("path")
    communities = list(communities)
    ancestor_ids = {pk for c in communities for pk in [*c.ancestor_ids(), c.pk]}
    managers = _holders(MANAGE_ROLES, ancestor_ids)
    supervisors = _holders(SUPERVISE_ROLES, ancestor_ids)
    members = list(
        User.objects.filter(
            is_active=True, person__party_status__in=["full", "probationary"], person__branch__isnull=False
        )
        .select_related("person__branch__region")
        .order_by("pk")
    )
    teams = {
        r.region_id: r
        for r in Responder.objects.filter(active=True, kind=Responder.Kind.TEAM).prefetch_related("members")
    }
    result = []
    for community in communities:
        chain = [community.pk, *reversed(community.ancestor_ids())]  # nearest first
        manager = next((managers[pk] for pk in chain if pk in managers), None)
        low, high = subtree_range(community.path)
        grids = list(
            Region.objects.filter(path__gte=low, path__lt=high, level=Level.GRID, geometry__isnull=False)
            .exclude(children__level=Level.GRID)
            .order_by("path")
        )
        if manager is None or not grids:
            continue
        grid_ancestors = {g.pk: [g.pk, *reversed(g.ancestor_ids())] for g in grids}
        verifier_at = _holders(VERIFY_ROLES, {pk for ids in grid_ancestors.values() for pk in ids})
        verifiers = {
            g.pk: next(verifier_at[pk] for pk in grid_ancestors[g.pk] if pk in verifier_at)
            for g in grids
            if any(pk in verifier_at for pk in grid_ancestors[g.pk])
        }
        staff = RoleAssignment.objects.filter(
            region=community, role=Role.COMMUNITY_STAFF, user__is_active=True
        ).exclude(user=manager)
        place = Place(
            community=community,
            grids=[(g, pts) for g in grids if (pts := _points(g, rng, points_per_grid))],
            manager=manager,
            handler=next((a.user for a in staff.select_related("user").order_by("user_id")), None),
            verifiers=verifiers,
            supervisor=next(
                (supervisors[pk] for pk in chain if pk in supervisors and pk != community.pk), None
            ),
        )
        member = next((m for m in members if m.person.branch.region.path.startswith(community.path)), None)  # type: ignore[union-attr]
        if member is not None:
            place.member, place.member_path = member, member.person.branch.region.path  # type: ignore[union-attr]
        team = teams.get(community.pk)
        if team is not None and team.members.exists():
            place.team, place.team_member = team, min(team.members.all(), key=lambda u: u.pk)
        if place.grids:
            result.append(place)
    return result


# --- the planner ----------------------------------------------------------------------------------


@dataclass
class Step:
    action: str
    actor: Actor  # a User, services.RESIDENT or services.SYSTEM
    at: datetime
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class CasePlan:
    place: Place
    grid: Region
    lng: float
    lat: float
    category: CaseCategory
    source: str
    kind: str
    description: str
    reporter_name: str
    reporter_phone: str
    hotline_ticket: str
    reported_by: User | None
    reported_at: datetime
    steps: list[Step] = field(default_factory=list)
    duplicate_of: int | None = None  # index of an earlier plan (generate_cases only)
    verifier: User | None = None  # who may verify in its grid


def _categories() -> list[tuple[CaseCategory, int]]:
    found = (
        CaseCategory.objects.filter(active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("code")
    )
    return [(c, CATEGORY_WEIGHTS.get(c.parent.code, 5)) for c in found]  # type: ignore[union-attr]


def _descriptions(category: CaseCategory) -> list[str]:
    group = category.parent.code if category.parent is not None else ""
    return LEAF_DESCRIPTIONS.get(category.code) or DESCRIPTIONS.get(group) or DESCRIPTIONS["01"]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


class Planner:
    """What happens to each case, decided by the seeded generator alone (never by the database),
    so two writers given the same seed write the same history."""

    def __init__(self, *, rng: random.Random, now: datetime, references: bool) -> None:
        self.rng = rng
        self.now = now
        self.references = references  # merges and duplicates name other cases
        self.categories = _categories()
        self.escalate = WhistleType.objects.filter(code="escalate", active=True).first()
        self.recent: dict[tuple[int, int], tuple[int, datetime]] = {}  # (grid, category) → plan index

    def plan(
        self, place: Place, grid: Region, points: list[tuple[float, float]], at: datetime, index: int
    ) -> CasePlan:
        rng = self.rng
        category = rng.choices([c for c, _w in self.categories], [w for _c, w in self.categories])[0]
        source = rng.choices(
            [CaseSource.RESIDENT, CaseSource.PATROL, CaseSource.HOTLINE, CaseSource.API], [50, 25, 20, 5]
        )[0]
        verifier = place.verifiers.get(grid.pk)
        patrol = source == CaseSource.PATROL and verifier is not None
        if source == CaseSource.PATROL and not patrol:
            source = CaseSource.RESIDENT
        lng, lat = rng.choice(points)
        plan = CasePlan(
            place=place,
            grid=grid,
            lng=lng,
            lat=lat,
            category=category,
            source=source,
            kind=CaseKind.PATROL
            if patrol
            else rng.choice(
                [CaseKind.COMPLAINT, CaseKind.HELP, CaseKind.ENQUIRY, CaseKind.REPORT, CaseKind.SUGGESTION]
            ),
            description=rng.choice(_descriptions(category)),
            reporter_name="" if patrol else rng.choice(["", "王女士", "李先生", "张阿姨", "刘师傅"]),
            reporter_phone="" if patrol else _phone(rng),
            hotline_ticket=f"12345-{timezone.localtime(at):%Y%m%d}-{rng.randint(1000, 99999)}"
            if source == CaseSource.HOTLINE
            else "",
            reported_by=verifier
            if patrol
            else (place.manager if source in {CaseSource.HOTLINE, CaseSource.API} else None),
            reported_at=at,
        )
        key = (grid.pk, category.pk)
        earlier = self.recent.get(key)
        self.recent[key] = (index, at)
        if (
            self.references
            and earlier is not None
            and at - earlier[1] < timedelta(days=3)
            and rng.random() < 0.5
        ):
            plan.duplicate_of = earlier[0]
        plan.verifier = verifier
        if not self.recent_enough(plan):
            self._lifecycle(plan, verifier, None)
        return plan

    def recent_enough(self, plan: CasePlan) -> bool:
        """A case of the last days, whose life `showcase()` decides once all of them are known."""
        return plan.reported_at >= self.now - SHOWCASE_PERIOD and plan.duplicate_of is None

    def showcase(self, plans: list[CasePlan]) -> None:
        """Leave recent cases at every open stage, so the pages show each one: the stage furthest
        along goes to the oldest case that can reach it before now (a case reported on Friday
        evening has seen no working hours by Monday morning); the others live on as usual."""
        waiting = [p for p in plans if self.recent_enough(p) and not p.steps]
        # the pooled one first (only the cases in a member's grids can be it); then the stages
        # furthest along, from the oldest case on; then the first stages, from the newest case back
        late = [s for s in reversed(SHOWCASE) if s not in EARLY and s != CaseStatus.POOLED]
        order = [(CaseStatus.POOLED, 1), *((s, 1) for s in late), *((s, -1) for s in EARLY)]
        for stage, direction in order:
            for plan in waiting[::direction]:
                if not self._fits(plan, stage):
                    continue
                self._lifecycle(plan, plan.verifier, stage)
                if self._reached(plan, stage):
                    waiting.remove(plan)
                    break
                plan.steps.clear()
        for plan in waiting:
            self._lifecycle(plan, plan.verifier, None)

    def _fits(self, plan: CasePlan, stage: str) -> bool:
        if stage == CaseStatus.POOLED:
            return plan.place.member is not None and plan.grid.path.startswith(plan.place.member_path)
        if stage == CaseStatus.VERIFIED:
            return plan.verifier is not None
        if stage == CaseStatus.WHISTLED:
            return self.escalate is not None
        return True

    @staticmethod
    def _reached(plan: CasePlan, stage: str) -> bool:
        actions = [s.action for s in plan.steps]
        if stage == OVERDUE:
            return "supervise" in actions and "resolve" not in actions
        if stage == CaseStatus.REPORTED:
            return not actions
        last = actions[-1] if actions else None
        return last in LEFT_AT[stage]

    def _lifecycle(self, plan: CasePlan, verifier: User | None, stage: str | None) -> None:
        rng, place, now = self.rng, plan.place, self.now
        category = plan.category
        t = plan.reported_at
        steps = plan.steps

        def step(action: str, actor: Actor, after_hours: float, reason: str = "", **params: Any) -> bool:
            nonlocal t
            t = clock.due_after(t, max(after_hours, 0.02))
            if t >= now:
                return False
            steps.append(Step(action, actor, t, reason, params))
            return stage is None or REACHES.get(action) != stage  # left here for the showcase

        def wait_days(days: float) -> None:
            nonlocal t
            t = t + timedelta(days=days)

        manager = place.manager
        if plan.duplicate_of is not None:
            step(
                "merge", manager, rng.uniform(0.1, 1), "与已受理的诉求重复，合并处理", into=plan.duplicate_of
            )
            return
        if stage == CaseStatus.REPORTED:
            return
        if stage is None and rng.random() < 0.04:
            why = rng.choice([RejectReason.INVALID, RejectReason.NOT_OUR_MATTER])
            step("reject", manager, rng.uniform(0.1, 2), "不属于社区职责，已告知反映渠道", why=why)
            if rng.random() < 0.8:
                wait_days(rng.uniform(20, 40))
                step("archive", manager, 0.5)
            return
        if not step("accept", manager, rng.uniform(0.05, 1.0)):
            return
        handler: Any = manager
        pooled = (
            place.member is not None
            and plan.grid.path.startswith(place.member_path)
            and (stage == CaseStatus.POOLED or (stage is None and rng.random() < 0.3))
        )
        to_team = not pooled and place.team is not None and rng.random() < 0.15
        if pooled:
            if not step("pool", manager, rng.uniform(0.05, 0.5)):
                return
            dispatched = t
            handler = place.member
            if not step("take", handler, rng.uniform(0.1, 0.8) * float(category.response_hours) * 2):
                return
        else:
            staff = place.handler or manager
            to: dict[str, Any] = {"to_responder": place.team} if to_team else {"to_user": staff}
            if not step("dispatch", manager, rng.uniform(0.05, 0.5), **to):
                return
            dispatched = t
            handler = place.team_member if to_team else staff
            late = rng.random() < 0.12
            share = rng.uniform(1.2, 4.0) if late else rng.uniform(0.1, 0.9)
            if not step("respond", handler, share * float(category.response_hours)):
                return
        whistled = self.escalate is not None and (
            stage == CaseStatus.WHISTLED or (stage is None and rng.random() < 0.05)
        )
        if whistled:
            if not step(
                "whistle",
                handler,
                rng.uniform(0.2, 2),
                "涉及多个部门，社区难以单独解决",
                whistle_type=self.escalate,
            ):
                return
            if not step("report", manager, rng.uniform(0.2, 1.5)):
                return
            handler = manager
        if stage is None and rng.random() < 0.03:
            step("close_unsolved", manager, rng.uniform(2, 20), "涉及产权纠纷，已转入问题清单跟进")
            self._archive_later(plan, steps, manager, t)
            return
        # handling takes a share of the limit; past the warning share and the limit the worker acts
        overdue = rng.random() < 0.1
        handling = float(category.handling_hours) * (
            rng.uniform(1.1, 2.5) if overdue else rng.uniform(0.1, 0.95)
        )
        if stage == OVERDUE:
            handling = float(category.handling_hours) * 20  # still not handled today
        if stage in {CaseStatus.RESOLVED, CaseStatus.VERIFIED}:
            handling = float(category.handling_hours) * 0.05  # handled quickly, to be shown handled
        resolve_at = clock.due_after(dispatched, handling)
        warn_at = clock.due_after(dispatched, float(category.handling_hours * category.warn_share))
        due = clock.due_after(dispatched, float(category.handling_hours))
        if resolve_at > warn_at > t and warn_at < now and not whistled:
            steps.append(Step("warn", services.SYSTEM, warn_at, "Most of the handling time is used up."))
            t = warn_at
        if resolve_at > due > t and due < now and not whistled:
            steps.append(
                Step(
                    "supervise",
                    services.SYSTEM,
                    due,
                    "The handling time limit has passed: supervised automatically.",
                    {"overdue": True},
                )
            )
            t = due
            if place.supervisor is not None and stage != OVERDUE and rng.random() < 0.3:
                if not step("supervise", place.supervisor, rng.uniform(0.5, 4), "请加快办理，今天内反馈进展"):
                    return
                if not step("answer_supervision", handler, rng.uniform(0.2, 2), "已加派人手，预计明天完成"):
                    return
        if resolve_at <= t:
            resolve_at = clock.due_after(t, 0.1)
        if resolve_at >= now:
            if rng.random() < 0.5:
                step("progress", handler, rng.uniform(0.2, 2), "已联系相关单位，正在处理")
            return
        t = resolve_at
        steps.append(Step("resolve", handler, t, rng.choice(RESULTS)))
        if verifier is None or stage == CaseStatus.RESOLVED:
            return  # waits for someone who may verify in this grid
        if rng.random() < 0.06:
            if not step("verify_fail", verifier, rng.uniform(0.5, 8), "现场查看问题仍存在"):
                return
            if not step("resolve", handler, rng.uniform(1, 8), "再次处理完毕"):
                return
        if not step("verify_pass", verifier, rng.uniform(0.5, 8)):
            return
        rating = rng.choices(["satisfied", "basically", "unsatisfied"], [80, 15, 5])[0]
        rated = plan.source != CaseSource.PATROL and rng.random() < 0.7
        if rated:
            solved = rating != "unsatisfied" or rng.random() < 0.5
            if not step("rate", services.RESIDENT, rng.uniform(1, 16), rating=rating, solved=solved):
                return
            if not solved:  # reopened by the resident's "not solved"
                if not step("resolve", handler, rng.uniform(2, 16), "再次上门处理完毕"):
                    return
                if not step("verify_pass", verifier, rng.uniform(0.5, 8)):
                    return
        solved = rng.random() < 0.93
        params: dict[str, Any] = {"solved": solved}
        if not rated and rng.random() < 0.5:
            params["rating"] = rating
        note = "电话回访，群众表示问题已解决" if solved else "电话回访，群众表示问题仍未解决"
        if not step("follow_up", manager, rng.uniform(1, 16), note, **params):
            return
        self._archive_later(plan, steps, manager, t)

    def _archive_later(self, plan: CasePlan, steps: list[Step], manager: User, t: datetime) -> None:
        if self.rng.random() < 0.85:
            at = clock.due_after(t + timedelta(days=self.rng.uniform(25, 45)), 0.5)
            if at < self.now:
                steps.append(Step("archive", manager, at))


def _moments(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    """n report moments, mostly in the daytime, spread over [start, end)."""
    span = (end - start).total_seconds()
    moments = []
    for _ in range(n):
        at = start + timedelta(seconds=rng.uniform(0, span))
        local = timezone.localtime(at)
        if local.hour < 7 and rng.random() < 0.8:  # few reports at night
            at += timedelta(hours=8)
        moments.append(min(at, end - timedelta(minutes=1)))
    return sorted(moments)


def plan_cases(
    *,
    rng: random.Random,
    where: list[Place],
    now: datetime,
    days: int,
    total: int,
    references: bool,
) -> Iterator[CasePlan]:
    """`total` cases over the last `days` days, spread over the grids with uneven busyness."""
    planner = Planner(rng=rng, now=now, references=references)
    slots = [(place, grid, points) for place in where for grid, points in place.grids]
    weights = [rng.uniform(0.3, 1.7) for _ in slots]
    start = now - timedelta(days=days)
    moments = _moments(rng, start, now, total)
    recent: list[CasePlan] = []  # the last days' cases wait for the showcase (they come last)
    for index, at in enumerate(moments):
        place, grid, points = rng.choices(slots, weights)[0]
        plan = planner.plan(place, grid, points, at, index)
        if planner.recent_enough(plan) or recent:
            recent.append(plan)
        else:
            yield plan
    planner.showcase(recent)
    yield from recent
