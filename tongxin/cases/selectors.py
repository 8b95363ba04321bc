"""Reads of cases, always through the user's scope."""

import hmac
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.accounts.models import RoleAssignment, User
from tongxin.cases import daily_counts, defaults, search
from tongxin.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    RateRuleSet,
    Responder,
    Supervision,
    Whistle,
)
from tongxin.cases.tokens import rating_token_hash
from tongxin.core.roles import ROLE_CAPABILITIES, Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import ancestor_ids, subtree_range
from tongxin.regions.models import Level, Region

DUPLICATE_RADIUS_METRES = 100
DUPLICATE_DAYS = 7


def cases_visible(user: Any, *, capability: str = Capability.CASES_VIEW) -> QuerySet[Case]:
    return Case.objects.filter(scope_for(user, capability).q("region_path"))


def case_get(user: Any, pk: Any, *, capability: str = Capability.CASES_VIEW) -> Case:
    return get_object_or_404(
        cases_visible(user, capability=capability).select_related(
            "category", "category__parent", "grid", "community", "assignee_user", "assignee_responder"
        ),
        pk=pk,
    )


def cases_in(region: Any) -> QuerySet[Case]:
    low, high = subtree_range(region.path)
    return Case.objects.filter(region_path__gte=low, region_path__lt=high)


def cases_filter(
    qs: QuerySet[Case],
    *,
    status: str | None = None,
    category: Any = None,
    region: Any = None,
    overdue: bool = False,
    supervised: bool = False,
    since: date | None = None,
    until: date | None = None,
    q: str = "",
    now: datetime | None = None,
    kind: str | None = None,
) -> QuerySet[Case]:
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    if region is not None:
        low, high = subtree_range(region.path)
        qs = qs.filter(region_path__gte=low, region_path__lt=high)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, handling_due__lt=now or timezone.now())
    if supervised:
        qs = qs.filter(supervised=True)
    if kind:
        qs = qs.filter(kind=kind)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(reported_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(reported_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
    return cases_search(qs, q)


def cases_search(qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    """Cases whose tracking code or 12345 ticket is q, or whose description contains q: each
    through its index (the description's through the bigram index of cases.search), the
    description checked exactly, so the matches are those of a substring search."""
    q = q.strip()
    if not q:
        return qs
    codes = Q(tracking_code=q.upper()) | Q(hotline_ticket=q)
    index, exact = search.words_q(q, connections[qs.db].vendor)
    # two conditions, not one: the index's alone is the bitmap (PostgreSQL), the exact check only
    # filters the candidates (inside the OR, PostgreSQL would recompute every candidate's pieces)
    qs = qs.filter(codes | index)
    return qs if exact is None else qs.filter(codes | exact)


def possible_duplicates(
    *,
    category: Any,
    lng: float | None,
    lat: float | None,
    community: Any = None,
    now: datetime | None = None,
    exclude_pk: int | None = None,
) -> list[Case]:
    """Open cases of the same category within the radius and period: suggested at intake."""

    now = now or timezone.now()
    qs = Case.objects.filter(
        category=category, status__in=OPEN_STATUSES, reported_at__gte=now - timedelta(days=DUPLICATE_DAYS)
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if lng is None or lat is None:
        return list(qs.filter(community=community)[:10]) if community is not None else []
    dlat = DUPLICATE_RADIUS_METRES / 111_320
    dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
    near = qs.filter(lng__gte=lng - dlng, lng__lte=lng + dlng, lat__gte=lat - dlat, lat__lte=lat + dlat)
    return [
        c
        for c in near[:50]
        if c.lng is not None
        and c.lat is not None
        and _metres(lng, lat, c.lng, c.lat) <= DUPLICATE_RADIUS_METRES
    ][:10]


def _metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:

    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * 6_371_000


@dataclass(frozen=True)
class Rates:
    """三率 with Tongxin's stated definitions (DOMAIN.md §4), and the 基本满意 weight used.

    A stable interface: other apps (statistics) read these fields and the three *_rate properties.
    响应率 = responded_in_time ÷ dispatched; 解决率 = solved (the resident confirmed it solved at
    回访) ÷ concluded (办结: closed solved or unsolved, with or without 回访, see
    models.CONCLUDED); 满意率 = (satisfied + basic_weight × basically) ÷ rated.
    """

    dispatched: int
    responded_in_time: int
    concluded: int
    solved: int
    rated: int
    satisfied: int
    basically: int
    basic_weight: Decimal

    @property
    def response_rate(self) -> Decimal | None:
        return _ratio(self.responded_in_time, self.dispatched)

    @property
    def resolution_rate(self) -> Decimal | None:
        return _ratio(self.solved, self.concluded)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        if not self.rated:
            return None
        return ((self.satisfied + self.basic_weight * self.basically) / self.rated).quantize(
            Decimal("0.0001")
        )


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(Decimal("0.0001")) if whole else None


def default_rate_rules() -> RateRuleSet:
    """Version 1, the national default (defaults.py), unsaved: for a database without any version."""

    return RateRuleSet(
        version=defaults.RATE_RULES_VERSION,
        valid_from=defaults.RATE_RULES_VALID_FROM,
        basically_weight=defaults.BASICALLY_SATISFIED_WEIGHT,
    )


def rate_rules_for(day: date) -> RateRuleSet:
    """The version of the rate rules in force on `day`: the latest valid from that day or before."""
    found = RateRuleSet.objects.filter(valid_from__lte=day).order_by("-valid_from", "-version").first()
    return found or default_rate_rules()


def rate_rule_sets() -> QuerySet[RateRuleSet]:
    """Every version, the most recent first."""
    return RateRuleSet.objects.select_related("created_by").order_by("-valid_from", "-version")


def case_rates(qs: QuerySet[Case], *, since: date, until: date, basic_weight: Decimal | None = None) -> Rates:
    """Rates of the cases dispatched in [since, until] (local dates) within `qs`.

    Definitions in Rates. 基本满意 counts at `basic_weight`, by default the weight in force on
    `until` (rate_rules_for). Only recorded timestamps count.
    """
    if basic_weight is None:
        basic_weight = rate_rules_for(until).basically_weight
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    row = qs.filter(dispatched_at__gte=start, dispatched_at__lt=end).aggregate(**daily_counts.RATE_COUNTS)
    return Rates(**row, basic_weight=basic_weight)


def status_counts(qs: QuerySet[Case]) -> dict[str, int]:
    counts = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in CaseStatus.values}


def status_counts_bounded(qs: QuerySet[Case], limit: int) -> dict[str, tuple[int, bool]]:
    """Each status's count of `qs`, exact up to `limit`, else (limit, True): one query, a LIMITed
    count per status (each one range of the status index), so a street's years of closed cases are
    not read to say "more than 10,000" (the GROUP BY over the whole scope grew with the data)."""
    parts, params, using = [], [], qs.db
    for n, status in enumerate(CaseStatus.values):
        inner = qs.filter(status=status).order_by().values("pk")[: limit + 1]
        sql, inner_params = inner.query.get_compiler(using=using).as_sql()
        # the SQL is Django's compiled query with its parameters apart, the status an index
        parts.append(f"SELECT {n} AS s, COUNT(*) AS n FROM ({sql}) AS c{n}")  # nosec B608
        params += inner_params
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        counted = {CaseStatus.values[s]: int(count) for s, count in cursor.fetchall()}
    return {
        s: (limit, True) if counted.get(s, 0) > limit else (counted.get(s, 0), False)
        for s in CaseStatus.values
    }


# --- reads for the case pages ------------------------------------------------------------------


def is_handler(user: Any, case: Case) -> bool:
    """The user holds the case now: as its assignee or as a member of the assigned responder."""
    if not getattr(user, "is_authenticated", False):
        return False
    if case.assignee_user_id == user.pk:
        return True
    return bool(
        case.assignee_responder_id and case.assignee_responder.members.filter(pk=user.pk).exists()  # type: ignore[union-attr]
    )


def open_whistle(case: Case) -> Whistle | None:
    """The case's whistle waiting for someone to report (报到): the latest one neither answered nor
    superseded by the next step of its route."""
    return case.whistles.filter(reported_at__isnull=True, superseded_at__isnull=True).order_by("-id").first()


def _branch_path(user: Any) -> str | None:
    """The region path of the Party branch the user's person belongs to (for the order pool)."""
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return None
    person = user.person
    if not person.party_status or person.branch_id is None:
        return None
    return person.branch.region.path


def case_get_for_actor(user: Any, pk: Any) -> Case:
    """A case the user may open: in their cases.view scope, held by them, whistled to their team,
    or waiting in the order pool of their branch's grid. Anything else is a 404."""

    case = get_object_or_404(
        Case.objects.select_related(
            "category", "category__parent", "grid", "community", "assignee_user", "assignee_responder"
        ),
        pk=pk,
    )
    if scope_for(user, Capability.CASES_VIEW).contains(case.region_path) or is_handler(user, case):
        return case
    if getattr(user, "is_authenticated", False):
        whistled = case.whistles.filter(
            reported_at__isnull=True, superseded_at__isnull=True, to_responder__members=user
        ).exists()
        if whistled:
            return case
        branch = _branch_path(user)
        if case.status == CaseStatus.POOLED and branch and case.region_path.startswith(branch):
            return case
    raise Http404("no such case in your scope")


def cases_assigned_to(user: Any) -> QuerySet[Case]:
    """Open cases the user holds, directly or through a team, unit or department."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(assignee_user=user) | Q(assignee_responder__members=user))
        .distinct()
    )


def cases_whistled_to(user: Any) -> QuerySet[Case]:
    """Cases whistled to a team the user belongs to, waiting for someone to report (报到)."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(
        status=CaseStatus.WHISTLED,
        whistles__reported_at__isnull=True,
        whistles__superseded_at__isnull=True,
        whistles__to_responder__members=user,
    ).distinct()


def cases_to_verify(user: Any) -> QuerySet[Case]:
    """Handled cases waiting for an on-site check (核查) by the user: in their verification scope,
    or naming them as the verifier."""
    scope = scope_for(user, Capability.CASES_VERIFY)
    named = Q(verifier=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return Case.objects.filter(scope.q("region_path") | named, status=CaseStatus.RESOLVED)


def verifier_missing(case: Case) -> bool:
    """Nobody may check the case on site: no active verifier named, and no active account holding
    cases.verify at its grid, its community or above. Then the community checks it itself."""
    if case.verifier_id is not None and case.verifier.is_active:  # type: ignore[union-attr]
        return False
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.CASES_VERIFY in caps]
    return not RoleAssignment.objects.filter(
        region_id__in=ancestor_ids(case.region_path), role__in=roles, user__is_active=True
    ).exists()


def cases_in_pool(user: Any) -> QuerySet[Case]:
    """Open orders in the pools of the grids under the user's Party branch (接单)."""
    branch = _branch_path(user)
    if branch is None:
        return Case.objects.none()
    low, high = subtree_range(branch)
    return Case.objects.filter(status=CaseStatus.POOLED, region_path__gte=low, region_path__lt=high)


def cases_for_supervision(user: Any, *, now: datetime | None = None) -> QuerySet[Case]:
    """Open cases of the supervisor's subtree that are overdue or under supervision (督办)."""
    now = now or timezone.now()
    return cases_visible(user, capability=Capability.CASES_SUPERVISE).filter(
        Q(supervised=True) | Q(handling_due__lt=now), status__in=OPEN_STATUSES
    )


def supervisions_to_answer(user: Any) -> QuerySet[Any]:
    """Unanswered supervision notes on open cases the user holds or manages."""

    if not getattr(user, "is_authenticated", False):
        return Supervision.objects.none()
    held = cases_assigned_to(user).values("pk")
    managed = cases_visible(user, capability=Capability.CASES_MANAGE).filter(status__in=OPEN_STATUSES)
    return (
        Supervision.objects.filter(answered_at__isnull=True)
        .filter(Q(case__in=held) | Q(case__in=managed.values("pk")))
        .select_related("case", "case__category", "case__community", "case__grid")
        .order_by("created_at")
    )


def dispatch_users(case: Case) -> QuerySet[Any]:
    """Accounts a case may be dispatched to: staff holding a role in its community, and Party
    members whose branch serves it."""

    low, high = subtree_range(case.community.path)
    with_role = RoleAssignment.objects.filter(region__path__gte=low, region__path__lt=high).values("user_id")
    members = Q(
        person__party_status__in=["full", "probationary"],
        person__branch__region__path__gte=low,
        person__branch__region__path__lt=high,
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=with_role) | members)
        .select_related("person")
        .distinct()
        .order_by("username")
    )


def dispatch_roles(case: Case, users: Any) -> dict[int, list[RoleAssignment]]:
    """The roles each of `users` holds in the case's community, the nearest to the case first: what
    the dispatch picker says of a person (“张三 · 网格员 · 第一网格”)."""
    low, high = subtree_range(case.community.path)
    found: dict[int, list[RoleAssignment]] = {}
    rows = (
        RoleAssignment.objects.filter(
            region__path__gte=low, region__path__lt=high, user__in=[u.pk for u in users]
        )
        .select_related("region")
        .order_by("-region__depth", "role")
    )
    for row in rows:
        found.setdefault(row.user_id, []).append(row)
    return found


def dispatch_responders(case: Case) -> QuerySet[Any]:
    """Teams, units and departments serving the case's area (at or above its community, or in it)."""

    low, high = subtree_range(case.community.path)
    return (
        Responder.objects.filter(active=True)
        .filter(
            Q(region_id__in=ancestor_ids(case.region_path)) | Q(region__path__gte=low, region__path__lt=high)
        )
        .select_related("region")
    )


def case_by_tracking_link(code: str, token: str) -> Case | None:
    """The case a resident's private link names, or None. The token is compared by its hash."""

    case = (
        Case.objects.select_related("category", "category__parent", "grid", "community")
        .filter(tracking_code=code.strip().upper())
        .first()
    )
    if case is None or not case.rating_token_hash:
        return None
    if not hmac.compare_digest(case.rating_token_hash, rating_token_hash(token)):
        return None
    return case


def case_by_code_and_phone(code: str, last_digits: str) -> Case | None:
    """“Find my report” (查询我的诉求): the case with this tracking code whose reporter's phone
    ends in these four digits, or None. Unknown codes, cases without a phone and wrong digits all
    read None, and the digits are compared in constant time."""
    case = Case.objects.filter(tracking_code=(code or "").strip().upper()).first()
    phone = case.reveal_reporter_phone() if case is not None and case.reporter_phone_encrypted else ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    expected = digits[-4:] if len(digits) >= 4 else "\x00" * 4  # never equal to four digits
    if not hmac.compare_digest(expected.encode(), (last_digits or "").strip().encode()):
        return None
    return case


def merged_into_chain(case: Case, *, limit: int = 5) -> Case | None:
    """The case a merged (or rejected-as-duplicate) case ends in, following merges onward."""
    target = None
    current = case
    for _step in range(limit):
        if current.duplicate_of_id is None or current.status not in (
            CaseStatus.MERGED,
            CaseStatus.REJECTED,
            CaseStatus.ARCHIVED,
        ):
            break
        current = Case.objects.select_related("category", "grid", "community").get(pk=current.duplicate_of_id)
        target = current
    return target


def case_points(qs: QuerySet[Case], *, limit: int = 2000) -> list[dict[str, Any]]:
    """Located cases of a (scoped, filtered) queryset, for the map."""
    rows = (
        qs.filter(lng__isnull=False, lat__isnull=False)
        .select_related("category")
        .only("pk", "tracking_code", "lng", "lat", "status", "category__name", "grid_id", "reported_at")
        .order_by("-reported_at")[:limit]
    )
    return [
        {
            "id": c.pk,
            "code": c.tracking_code,
            "lng": c.lng,
            "lat": c.lat,
            "status": c.status,
            "status_label": str(c.get_status_display()),
            "category": c.category.name,
            "grid": c.grid_id,
        }
        for c in rows
    ]


def rates_by_node(user: Any, node: Any, *, since: date, until: date) -> list[tuple[Any, Rates]]:
    """Three rates for a node of the user's cases.view scope and each of its children, all with the
    weight in force on `until`. A scope is closed under subtrees, so every case counted lies in it;
    a node outside the scope is a 404."""

    if not scope_for(user, Capability.CASES_VIEW).contains(node.path):
        raise Http404("no such region in your scope")
    weight = rate_rules_for(until).basically_weight
    children = list(Region.objects.filter(parent=node).order_by("code"))
    rows = [(node, _region_rates(node, since=since, until=until, basic_weight=weight))]
    if node.level in {Level.GRID, Level.BUILDING}:
        return rows + [(c, _region_rates(c, since=since, until=until, basic_weight=weight)) for c in children]
    # the children's sums in one query, whether they are areas of communities or grids
    if node.level == Level.COMMUNITY:
        by_child = _counts_by_grid(node, children, since=since, until=until)
    else:
        by_child = daily_counts.counts_by_area(children, since=since, until=until)
    return rows + [(c, Rates(**by_child[c.pk], basic_weight=weight)) for c in children]


def _counts_by_grid(
    community: Any, grids: list[Any], *, since: date, until: date
) -> dict[int, dict[str, int]]:
    """A community's cases dispatched in the period, counted per child grid in one query."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    rows = (
        cases_in(community)
        .filter(dispatched_at__gte=start, dispatched_at__lt=end, grid__in=grids)
        .values("grid_id")
        .annotate(**daily_counts.RATE_COUNTS)
        .order_by()
    )
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        found[values.pop("grid_id")] = values
    return {g.pk: found.get(g.pk) or dict.fromkeys(daily_counts.RATE_COUNTS, 0) for g in grids}


def report_areas(
    *, community: Any = None, bbox: tuple[float, float, float, float] | None = None, limit: int = 400
) -> list[Any]:
    """Outlines for the public report map: a community and its grids, or the grids in a box.

    Only geometry, names and codes; the public page never learns anything about people."""

    if community is not None:
        low, high = subtree_range(community.path)
        return list(
            Region.objects.filter(path__gte=low, path__lt=high, level=Level.GRID, geometry__isnull=False)
            .only("pk", "name", "code", "geometry", "depth", "path")
            .order_by("depth", "code")[:limit]
        )
    if bbox is None:
        return []
    min_lng, min_lat, max_lng, max_lat = bbox
    return list(
        Region.objects.filter(
            level=Level.GRID,
            geometry__isnull=False,
            min_lng__lte=max_lng,
            max_lng__gte=min_lng,
            min_lat__lte=max_lat,
            max_lat__gte=min_lat,
        )
        .only("pk", "name", "code", "geometry", "depth", "path")
        .order_by("depth", "code")[:limit]
    )


def report_communities() -> QuerySet[Any]:
    """Communities a resident may choose on the public report page, with their street."""

    return Region.objects.filter(level=Level.COMMUNITY).select_related("parent").order_by("path")


# --- rates of a region node (the API and the pages) -------------------------------------------


def region_rates(region: Any, *, since: date, until: date) -> Rates:
    """三率 of every case in the region's subtree dispatched in [since, until] (local dates), with
    the 基本满意 weight in force on `until`. A stable interface: other apps call it.

    The caller has checked that the region lies in the user's scope; a scope is closed under
    subtrees, so every case counted here is one the user may see. A community or anything above
    it sums the daily counts (daily_counts.py); a grid counts its cases.
    """
    return _region_rates(
        region, since=since, until=until, basic_weight=rate_rules_for(until).basically_weight
    )


def _region_rates(region: Any, *, since: date, until: date, basic_weight: Decimal) -> Rates:

    if region.level in {Level.GRID, Level.BUILDING}:
        return case_rates(cases_in(region), since=since, until=until, basic_weight=basic_weight)
    return Rates(**daily_counts.counts_in(region, since=since, until=until), basic_weight=basic_weight)


def pending_supervision_counts(case_ids: list[int]) -> dict[int, int]:
    """Unanswered supervision notes per case."""

    rows = (
        Supervision.objects.filter(case_id__in=case_ids, answered_at__isnull=True)
        .values("case_id")
        .annotate(n=Count("pk"))
    )
    return {row["case_id"]: row["n"] for row in rows}


def in_my_branch_area(user: Any, pk: Any) -> bool:
    """The case lies in the grids of the user's Party branch (it may have left the pool since)."""
    branch = _branch_path(user)
    if branch is None:
        return False
    low, high = subtree_range(branch)
    return Case.objects.filter(pk=pk, region_path__gte=low, region_path__lt=high).exists()
