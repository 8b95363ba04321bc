"""A year of cases in the demo district, written through case_intake and case_transition with a
moving clock, so every timeline, deadline and rate on the demo pages is real."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tongxin.accounts.models import User
from tongxin.cases import clock
from tongxin.cases.models import CaseCategory, CaseKind, CaseSource, CaseTransition, WhistleType
from tongxin.cases.services import RESIDENT, case_intake, case_transition
from tongxin.regions.models import Level, Region

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
    from tongxin.regions.selectors import grid_at

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


def generate_demo_cases(*, rng: random.Random, now: datetime, per_month: int = 30) -> CaseDemoSummary:
    """Cases of the last twelve months in the demo's 文昌社区 (whose accounts act on them) and a
    few in the other communities of its street, left at the first steps."""
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
    verifier_grids = {a.region.path for a in grid_worker.role_assignments.all()}
    grids = [g for g in Region.objects.filter(parent=community, level=Level.GRID) if g.geometry]
    others = [
        g
        for g in Region.objects.filter(level=Level.GRID, path__startswith=community.parent.path)  # type: ignore[union-attr]
        .exclude(path__startswith=community.path)
        .order_by("code")[:40]
        if g.geometry
    ]
    categories = {c.code: c for c in CaseCategory.objects.filter(code__in=DESCRIPTIONS)}
    escalate = WhistleType.objects.get(code="escalate")
    start = now - timedelta(days=365)
    for month in range(12):
        for _ in range(per_month):
            moment = start + timedelta(days=month * 30 + rng.uniform(0, 29), hours=rng.uniform(0, 10))
            if moment >= now - timedelta(hours=2):
                continue
            code = rng.choice(sorted(categories))
            # most reports come from the grid whose worker has a demo account, so most cases close
            verified = [g for g in grids if g.path.startswith(tuple(verifier_grids))]
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
                hotline_ticket=f"12345-{moment:%Y%m%d}-{rng.randint(1000, 9999)}"
                if source == CaseSource.HOTLINE
                else "",
                reported_by=grid_worker if source == CaseSource.PATROL else None,
                now=moment,
            )
            summary.add("cases")
            _live(
                case,
                rng,
                moment,
                now,
                secretary,
                staff,
                grid_worker,
                member,
                street,
                escalate,
                verifier_grids,
                summary,
            )
    _showcase(rng, now, grids, verifier_grids, categories, secretary, staff, grid_worker, member, summary)
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
        if rng.random() < 0.5:
            case_transition(case=case, action="accept", actor=street, now=_working_moment(rng, moment))
    from tongxin.cases.escalation import escalate_due

    for key, n in escalate_due(now=now).items():
        summary.add(f"escalation: {key}", n)
    # a year of history is not news: the notifier starts from here
    CaseTransition.objects.filter(processed_at__isnull=True).update(processed_at=now)
    return summary


def _live(
    case: Any,
    rng: random.Random,
    t: datetime,
    now: datetime,
    secretary: User,
    staff: User,
    grid_worker: User,
    member: User | None,
    street: User | None,
    escalate: WhistleType,
    verifier_grids: set[str],
    summary: CaseDemoSummary,
) -> None:
    """Walk one case through the loop; stop early (still open) if the next step would be after now."""

    def step(action: str, actor: Any, **params: Any) -> bool:
        nonlocal t
        t = _working_moment(rng, t)
        if t >= now:
            return False
        case_transition(case=case.pk, action=action, actor=actor, now=t, **params)
        return True

    fate = rng.random()
    if fate < 0.05:
        step("reject", secretary, why="not_our_matter", reason="不属于社区职责，已告知来电人向住建部门反映")
        return
    if not step("accept", secretary):
        return
    branch = getattr(getattr(member, "person", None), "branch", None)
    pooled = branch is not None and case.region_path.startswith(branch.region.path) and rng.random() < 0.6
    if pooled:
        if not step("pool", secretary) or not step("take", member):
            return
        handler = member
    else:
        if not step("dispatch", secretary, to_user=staff):
            return
        if t > now - timedelta(days=45) and rng.random() < 0.15:
            return  # nobody responded: the worker supervises it when the limit passes
        if not step("respond", staff):
            return
        handler = staff
    if rng.random() < 0.1:
        if not step("whistle", handler, whistle_type=escalate, reason="涉及多个部门，社区难以单独解决"):
            return
        if not step("report", secretary):
            return
        handler = secretary
        summary.add("whistled")
    if rng.random() < 0.04:
        step("close_unsolved", secretary, reason="涉及产权纠纷，已转入问题清单跟进")
        summary.add("closed but not fixed")
        return
    if not step("resolve", handler, reason=rng.choice(RESULTS)):
        return
    if case.region_path.startswith(tuple(verifier_grids)) or rng.random() < 0.5:
        verifier = grid_worker if case.region_path.startswith(tuple(verifier_grids)) else None
        if verifier is None:
            return  # waits for the grid's own verifier
        if rng.random() < 0.08:
            if not step("verify_fail", verifier, reason="现场查看问题仍存在"):
                return
            if not step("resolve", handler, reason=rng.choice(RESULTS)):
                return
        if not step("verify_pass", verifier):
            return
    else:
        return
    rating = rng.choices(["satisfied", "basically", "unsatisfied"], weights=[80, 15, 5])[0]
    solved = rating != "unsatisfied" or rng.random() < 0.5
    rated = rng.random() < 0.7
    if rated and not step("rate", RESIDENT, rating=rating, solved=solved, comment=""):
        return
    if rated and not solved:
        summary.add("reopened by the resident")
        if step("resolve", handler, reason="再次上门处理完毕"):
            summary.add("resolved again")
        return
    solved = solved or not rated
    if not step("follow_up", secretary, solved=True, rating=rating, reason="电话回访，群众表示问题已解决"):
        return
    summary.add("closed")
    if t < now - timedelta(days=30):
        step("archive", secretary)


def _showcase(
    rng: random.Random,
    now: datetime,
    grids: list[Region],
    verifier_grids: set[str],
    categories: dict[str, CaseCategory],
    secretary: User,
    staff: User,
    grid_worker: User,
    member: User | None,
    summary: CaseDemoSummary,
) -> None:
    """This week's cases, left at the steps the pages should show: pooled, in progress, verified,
    and a duplicate merged into its original."""
    grid = next((g for g in grids if g.path.startswith(tuple(verifier_grids))), grids[0])
    point = _point_in(grid, rng)
    if point is None:
        return
    t = clock.due_after(now - timedelta(days=4), 0.5)

    def intake(code: str, text: str) -> Any:
        case, _token = case_intake(
            source=CaseSource.RESIDENT,
            kind=CaseKind.COMPLAINT,
            category=categories[code],
            description=text,
            lng=point[0],
            lat=point[1],
            reporter_phone="13912345678",
            now=t,
        )
        summary.add("cases")
        return case

    def act(case: Any, action: str, actor: Any, **params: Any) -> None:
        nonlocal t
        t = t + timedelta(minutes=rng.randint(10, 40))
        case_transition(case=case.pk, action=action, actor=actor, now=t, **params)

    pooled = intake("0403", "巷子里路灯不亮，晚上很黑")
    act(pooled, "accept", secretary)
    act(pooled, "pool", secretary)
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
    escalate = WhistleType.objects.get(code="escalate")
    act(stuck, "whistle", staff, whistle_type=escalate, reason="双方分歧大，需要社区出面协调")
    done = intake("0603", "夜间广场舞音响太大")
    act(done, "accept", secretary)
    act(done, "dispatch", secretary, to_user=staff)
    act(done, "respond", staff)
    act(done, "resolve", staff, reason="已与广场舞队协商，晚上九点后停止使用音响")
    if grid.path.startswith(tuple(verifier_grids)):
        act(done, "verify_pass", grid_worker)
