"""A year of cases in the demo district up to today, written through case_intake and
case_transition with a moving clock, so every timeline, deadline and rate on the demo pages is real.

The demo accounts act on them (the secretary accepts and dispatches to the staff member, the grid
worker verifies, the member takes pooled orders): the step `tongxin demo` runs. The planner
(planner.py) does not cast those accounts yet, so this is a second, hand-written case plan."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.accounts.services import role_grant, user_create
from tongxin.cases import clock
from tongxin.cases.escalation import escalate_due
from tongxin.cases.models import CaseCategory, CaseKind, CaseSource, CaseTransition, WhistleType
from tongxin.cases.services import RESIDENT, SYSTEM, case_intake, case_transition
from tongxin.core.actors import Actor
from tongxin.core.roles import Role
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import grid_at

DESCRIPTIONS = {
    "0101": ["楼下垃圾桶已满两天无人清运", "小区门口建筑垃圾堆放多日"],
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


@dataclass
class CaseDemoSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def lines(self) -> list[str]:
        return [", ".join(f"{k} {v:,}" for k, v in sorted(self.counts.items()))]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _point_in(grid: Region, rng: random.Random) -> tuple[float, float] | None:

    if grid.min_lng is None:
        return None
    for _ in range(20):
        lng = rng.uniform(grid.min_lng, grid.max_lng)  # type: ignore[arg-type]
        lat = rng.uniform(grid.min_lat, grid.max_lat)  # type: ignore[arg-type]
        found = grid_at(lng, lat)
        if found is not None and found.path.startswith(grid.path):
            return lng, lat
    return None


def _working_moment(rng: random.Random, start: datetime) -> datetime:
    """A moment during working hours some time after `start`."""
    return clock.due_after(start, rng.uniform(0.05, 1.5))


@dataclass
class _Street:
    """Who acts on the demo community's cases, and the clock they act by."""

    rng: random.Random
    now: datetime
    secretary: User  # accepts, dispatches, follows up, closes, archives
    staff: User  # handles what is dispatched to them
    grid_worker: User  # verifies in the grids of their post
    verifier_grids: tuple[str, ...]
    duty_verifier: User | None  # verifies in the community's other grids
    member: User | None  # takes orders from the pool of their branch's grids
    supervisor: User | None  # the street official who supervises (督办)
    escalate: WhistleType
    summary: CaseDemoSummary

    def verifier(self, case: Any) -> User | None:
        return self.grid_worker if case.region_path.startswith(self.verifier_grids) else self.duty_verifier


def generate_demo_cases(*, rng: random.Random, now: datetime, per_month: int = 30) -> CaseDemoSummary:
    """The last twelve months of cases in the demo's 文昌社区 (whose accounts act on them), up to
    `now`, and a few fresh ones in the other communities of its street.

    It reads like a live street on the day it runs: cases reported weeks ago are concluded (a few
    closed as not fixed, most rated, archived after a month), while the last days' and weeks'
    cases are still on their way: awaiting acceptance, dispatched, being handled, overdue and
    supervised, whistled, handled and awaiting verification. Nothing happens after `now`.
    """
    summary = CaseDemoSummary()
    secretary, staff, grid_worker, member, street = (
        _user(u) for u in ("shequ_shuji", "shegong", "wanggeyuan", "dangyuan", "jiedao")
    )
    if secretary is None or staff is None or grid_worker is None:
        return summary
    home = secretary.role_assignments.filter(role="community_secretary").first()
    if home is None:
        return summary
    community = home.region
    verifier_grids = tuple(a.region.path for a in grid_worker.role_assignments.all())
    grids = [g for g in Region.objects.filter(parent=community, level=Level.GRID) if g.geometry]
    others = [
        g
        for g in Region.objects.filter(level=Level.GRID, path__startswith=community.parent.path)  # type: ignore[union-attr]
        .exclude(path__startswith=community.path)
        .order_by("code")[:40]
        if g.geometry
    ]
    categories = {c.code: c for c in CaseCategory.objects.filter(code__in=DESCRIPTIONS)}
    cast = _Street(
        rng=rng,
        now=now,
        secretary=secretary,
        staff=staff,
        grid_worker=grid_worker,
        verifier_grids=verifier_grids,
        duty_verifier=_duty_verifier(community, grids, verifier_grids),
        member=member,
        supervisor=street,
        escalate=WhistleType.objects.get(code="escalate"),
        summary=summary,
    )
    start = now - timedelta(days=365)
    verified = [g for g in grids if g.path.startswith(verifier_grids)]
    moments = sorted(_daytime(start + timedelta(days=rng.uniform(0, 365))) for _ in range(per_month * 12))
    with clock.calendar_held():
        for moment in moments:
            if moment >= now - timedelta(hours=1):
                continue
            code = rng.choice(sorted(categories))
            # most reports come from the grid whose worker has a demo account
            grid = rng.choice(verified) if verified and rng.random() < 0.7 else rng.choice(grids)
            point = _point_in(grid, rng)
            if point is None:
                continue
            source = rng.choices(
                [CaseSource.RESIDENT, CaseSource.PATROL, CaseSource.HOTLINE], weights=[6, 3, 2]
            )[0]
            case, _token = case_intake(
                source=source,
                kind=CaseKind.PATROL
                if source == CaseSource.PATROL
                else rng.choice([CaseKind.COMPLAINT, CaseKind.HELP, CaseKind.ENQUIRY, CaseKind.SUGGESTION]),
                category=categories[code],
                description=rng.choice(DESCRIPTIONS[code]),
                lng=point[0],
                lat=point[1],
                reporter_phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                hotline_ticket=f"12345-{timezone.localtime(moment):%Y%m%d}-{rng.randint(1000, 9999)}"
                if source == CaseSource.HOTLINE
                else "",
                reported_by=grid_worker if source == CaseSource.PATROL else None,
                now=moment,
            )
            summary.add("cases")
            _live(case, cast, moment, patrol=source == CaseSource.PATROL)
        _showcase(cast, grids, categories)
        for grid in others[:12]:
            point = _point_in(grid, rng)
            if point is None or street is None:
                continue
            moment = now - timedelta(days=rng.uniform(0.2, 3))
            code = rng.choice(sorted(categories))
            case, _token = case_intake(
                source=CaseSource.RESIDENT,
                kind=CaseKind.COMPLAINT,
                category=categories[code],
                description=rng.choice(DESCRIPTIONS[code]),
                lng=point[0],
                lat=point[1],
                now=moment,
            )
            summary.add("cases")
            accepted_at = _working_moment(rng, moment)
            if rng.random() < 0.5 and accepted_at < now:
                case_transition(case=case, action="accept", actor=street, now=accepted_at)

    for key, n in escalate_due(now=now).items():
        summary.add(f"escalation: {key}", n)
    # a year of history is not news: the notifier starts from here
    CaseTransition.objects.filter(processed_at__isnull=True).update(processed_at=now)
    return summary


def _daytime(moment: datetime) -> datetime:
    """Few reports come at night: most night-time moments move into the morning."""
    local = timezone.localtime(moment)
    return moment + timedelta(hours=9) if local.hour < 7 or local.hour >= 22 else moment


def _duty_verifier(community: Region, grids: list[Region], verifier_grids: tuple[str, ...]) -> User | None:
    """The community's other grids need someone to verify on site too: a duty grid worker (no
    password, nobody logs in with it), as the planner gives any community without one."""
    if all(g.path.startswith(verifier_grids) for g in grids):
        return None

    username = f"duty-{community.code}-v"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(username=username, password=None, first_name="值班网格员")
        role_grant(user=user, role=Role.GRID_WORKER, region=community, granted_by=None)
    return user


def _live(case: Any, cast: _Street, t: datetime, *, patrol: bool) -> None:
    """Walk one case through the loop at a believable pace (in working hours). A step that would
    come after now is not taken: the case stays open where it is, as recent cases do."""
    rng, now, summary = cast.rng, cast.now, cast.summary
    secretary = cast.secretary
    category = case.category

    def step(action: str, actor: Actor | None, after_hours: float, **params: Any) -> bool:
        nonlocal t
        t = clock.due_after(t, max(after_hours, 0.02))
        if t >= now or actor is None:  # nobody in the demo may do it: the case waits
            return False
        case_transition(case=case.pk, action=action, actor=actor, now=t, **params)
        return True

    if rng.random() < 0.04:
        if step(
            "reject",
            secretary,
            rng.uniform(0.2, 4),
            why="not_our_matter",
            reason="不属于社区职责，已告知来电人向住建部门反映",
        ):
            summary.add("rejected")
            _archive_later(case, cast, t)
        return
    if not step("accept", secretary, rng.uniform(0.1, 4)):
        return
    branch = getattr(getattr(cast.member, "person", None), "branch", None)
    pooled = branch is not None and case.region_path.startswith(branch.region.path) and rng.random() < 0.5
    if pooled:
        if not step("pool", secretary, rng.uniform(0.1, 1)):
            return
        dispatched = t
        handler = cast.member
        if not step("take", handler, rng.uniform(0.1, 0.9) * float(category.response_hours)):
            return
    else:
        if not step("dispatch", secretary, rng.uniform(0.1, 2), to_user=cast.staff):
            return
        dispatched = t
        handler = cast.staff
        if t > now - timedelta(days=10) and rng.random() < 0.1:
            return  # nobody has responded yet: the worker supervises it once the limit passes
        late = rng.random() < 0.12
        share = rng.uniform(1.2, 3.0) if late else rng.uniform(0.1, 0.9)
        if not step("respond", handler, share * float(category.response_hours)):
            return
    if rng.random() < 0.06:
        if not step(
            "whistle",
            handler,
            rng.uniform(2, 10),
            whistle_type=cast.escalate,
            reason="涉及多个部门，社区难以单独解决",
        ):
            return
        summary.add("whistled")
        if not step("report", secretary, rng.uniform(0.5, 2)):
            return
        handler = secretary
    if rng.random() < 0.03:
        if step("close_unsolved", secretary, rng.uniform(7, 30), reason="涉及产权纠纷，已转入问题清单跟进"):
            summary.add("closed but not fixed")
            _archive_later(case, cast, t)
        return
    # handling takes a share of the limit; past the warning share and the limit the worker acts
    overdue = rng.random() < 0.1
    handling = float(category.handling_hours) * (rng.uniform(1.1, 2.0) if overdue else rng.uniform(0.2, 0.9))
    resolve_at = max(clock.due_after(dispatched, handling), clock.due_after(t, 0.2))
    refreshed = type(case).objects.only("warn_at", "handling_due").get(pk=case.pk)
    warn_at, due = refreshed.warn_at, refreshed.handling_due
    if warn_at is not None and t < warn_at < min(resolve_at, now):
        t = warn_at
        case_transition(case=case.pk, action="warn", actor=SYSTEM, reason="处理时限即将用完。", now=t)
    if due is not None and t < due < min(resolve_at, now):
        t = due
        case_transition(
            case=case.pk,
            action="supervise",
            actor=SYSTEM,
            reason="已超过处理时限，系统自动督办。",
            now=t,
            overdue=True,
        )
        summary.add("supervised when overdue")
        if cast.supervisor is not None and rng.random() < 0.3:
            if not step(
                "supervise", cast.supervisor, rng.uniform(0.5, 4), reason="请加快办理，今天内反馈进展"
            ):
                return
            if not step(
                "answer_supervision", handler, rng.uniform(0.2, 2), reason="已加派人手，预计明天完成"
            ):
                return
    if resolve_at >= now:
        if rng.random() < 0.5:
            step("progress", handler, rng.uniform(0.5, 4), reason="已联系相关单位，正在处理")
        return
    t = max(t, resolve_at)
    if handler is None:
        return
    case_transition(case=case.pk, action="resolve", actor=handler, reason=rng.choice(RESULTS), now=t)
    verifier = cast.verifier(case)
    if verifier is None:
        return  # waits for someone who may verify in this grid
    if rng.random() < 0.06:
        if not step("verify_fail", verifier, rng.uniform(1, 10), reason="现场查看问题仍存在"):
            return
        if not step("resolve", handler, rng.uniform(2, 14), reason=rng.choice(RESULTS)):
            return
    if not step("verify_pass", verifier, rng.uniform(1, 8)):
        return
    rating = rng.choices(["satisfied", "basically", "unsatisfied"], weights=[80, 15, 5])[0]
    rated = not patrol and rng.random() < 0.7
    if rated:
        solved = rating != "unsatisfied" or rng.random() < 0.5
        if not step("rate", RESIDENT, rng.uniform(1, 12), rating=rating, solved=solved, comment=""):
            return
        if not solved:  # the resident says it is not solved: the case is reopened and handled again
            summary.add("reopened by the resident")
            if not step("resolve", handler, rng.uniform(4, 20), reason="再次上门处理完毕"):
                return
            if not step("verify_pass", verifier, rng.uniform(1, 10)):
                return
    solved = rng.random() < 0.97
    params: dict[str, Any] = {"solved": solved}
    if not rated and not patrol and rng.random() < 0.5:
        params["rating"] = rating  # given on the phone at 回访
    note = "电话回访，群众表示问题已解决" if solved else "电话回访，群众表示问题仍未解决"
    if not step("follow_up", secretary, rng.uniform(2, 14), reason=note, **params):
        return
    summary.add("closed" if solved else "closed but not fixed")
    _archive_later(case, cast, t)


def _archive_later(case: Any, cast: _Street, t: datetime) -> None:
    """Most settled cases are archived a month or so later; a few wait longer."""
    if cast.rng.random() < 0.85:
        at = clock.due_after(t + timedelta(days=cast.rng.uniform(25, 45)), 0.5)
        if at < cast.now:
            case_transition(case=case.pk, action="archive", actor=cast.secretary, now=at)
            cast.summary.add("archived")


def _showcase(cast: _Street, grids: list[Region], categories: dict[str, CaseCategory]) -> None:
    """Recent cases, left at the steps the pages should show: from two weeks ago one closed as not
    fixed and one not accepted (neither archived yet); from this week one pooled, one dispatched
    and not yet responded to, one in progress, one whistled, one handled, one verified, and a
    duplicate merged into its original."""
    rng, now = cast.rng, cast.now
    secretary, staff = cast.secretary, cast.staff
    grid = next((g for g in grids if g.path.startswith(cast.verifier_grids)), grids[0])
    point = _point_in(grid, rng)
    if point is None:
        return
    t = clock.due_after(now - timedelta(days=14), 0.5)

    def intake(code: str, text: str) -> Any:
        case, _token = case_intake(
            source=CaseSource.RESIDENT,
            kind=CaseKind.COMPLAINT,
            category=categories[code],
            description=text,
            lng=point[0],
            lat=point[1],
            reporter_phone="13912345678",
            now=min(t, now - timedelta(minutes=5)),
        )
        cast.summary.add("cases")
        return case

    def act(case: Any, action: str, actor: Actor, **params: Any) -> None:
        nonlocal t
        t = t + timedelta(minutes=rng.randint(10, 40))
        if t < now:
            case_transition(case=case.pk, action=action, actor=actor, now=t, **params)

    disputed = intake("0301", "邻居长期占用公共楼道堆物")
    act(disputed, "accept", secretary)
    act(disputed, "dispatch", secretary, to_user=staff)
    act(disputed, "respond", staff)
    refused = intake("0203", "物业费公示不清楚")
    act(refused, "reject", secretary, why="not_our_matter", reason="属于业主委员会职责，已告知联系方式")
    t = clock.due_after(t, 14)
    act(disputed, "close_unsolved", secretary, reason="产权存在争议，已转入问题清单跟进")
    t = clock.due_after(now - timedelta(days=4), 0.5)
    pooled = intake("0403", "巷子里路灯不亮，晚上很黑")
    act(pooled, "accept", secretary)
    act(pooled, "pool", secretary)
    waiting = intake("0102", "单元楼后面有卫生死角，蚊虫很多")
    act(waiting, "accept", secretary)
    act(waiting, "dispatch", secretary, to_user=staff)
    working = intake("0101", "楼下垃圾桶已满两天无人清运")
    act(working, "accept", secretary)
    act(working, "dispatch", secretary, to_user=staff)
    act(working, "respond", staff)
    act(working, "progress", staff, reason="已联系环卫所，明早清运")
    original = intake("0202", "单元门禁坏了一周")
    duplicate = intake("0202", "单元门禁坏了，进不了门")
    act(original, "accept", secretary)
    act(duplicate, "merge", secretary, into=original)
    stuck = intake("0301", "楼上漏水与邻居协商不成")
    act(stuck, "accept", secretary)
    act(stuck, "dispatch", secretary, to_user=staff)
    act(stuck, "respond", staff)
    act(stuck, "whistle", staff, whistle_type=cast.escalate, reason="双方分歧大，需要社区出面协调")
    handled = intake("0403", "路灯白天一直亮着")
    act(handled, "accept", secretary)
    act(handled, "dispatch", secretary, to_user=staff)
    act(handled, "respond", staff)
    act(handled, "resolve", staff, reason="已联系路灯所调整开关时间")
    done = intake("0603", "夜间广场舞音响太大")
    act(done, "accept", secretary)
    act(done, "dispatch", secretary, to_user=staff)
    act(done, "respond", staff)
    act(done, "resolve", staff, reason="已与广场舞队协商，晚上九点后停止使用音响")
    if grid.path.startswith(cast.verifier_grids):
        act(done, "verify_pass", cast.grid_worker)
