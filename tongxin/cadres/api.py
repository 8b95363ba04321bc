"""The cadre roster (/cadres): a node's posts, its 234 composition and its committees' terms.

Everything is scoped by cadres.view: a node outside the caller's area is a 404, and lists hold only
rows inside it.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tongxin.cadres import composition as comp
from tongxin.cadres import selectors
from tongxin.cadres.models import Term, tier_of
from tongxin.core.api import require_capability
from tongxin.core.roles import Capability
from tongxin.core.schemas import Page
from tongxin.people.models import Position
from tongxin.regions.models import Region

router = Router()

VIEW = Capability.CADRES_VIEW


class NodeFilters(Schema):
    node: int | None = None  # a county, street/township or community/village; default: the top of your area
    on: date | None = None  # default: today


class PostOut(Schema):
    id: int
    person_id: int
    name: str
    kind: str
    tier: str | None
    region_id: int
    region_name: str
    starts_on: date
    ends_on: date | None
    education: str | None
    wealth_leader: bool
    college_graduate_cadre: bool


class MeasureOut(Schema):
    key: str
    numerator: int
    denominator: int
    percent: float | None
    person_ids: list[int]


class CompositionOut(Schema):
    node_id: int
    node_name: str
    on: date
    people: int
    committee_people: int
    by_tier: dict[str, int]
    measures: list[MeasureOut]


class TermFilters(Schema):
    node: int | None = None
    current: bool = True
    # bounded: a day count past the calendar made the date arithmetic fail (a 500 found by schemathesis)
    ending_within_days: int | None = Field(None, ge=0, le=3660, description="at most ten years")


class TermOut(Schema):
    id: int
    region_id: int
    region_name: str
    committee: str
    number: int | None
    starts_on: date
    years: int
    ends_on: date
    ended_on: date | None
    days_left: int
    warning: bool


def _node(request: HttpRequest, pk: int | None) -> Region:
    user = request.user
    require_capability(user, VIEW)
    if pk is not None:
        return selectors.node_get(user, pk)
    node = selectors.home_node(user)
    if node is None:
        raise PermissionDenied
    return node


class PostPage(Page):
    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items: list[Position] = list(result["items"])
        profiles = selectors.profiles_of([p.person_id for p in items])
        rows = []
        for p in items:
            profile = profiles.get(p.person_id)
            rows.append(
                {
                    "id": p.pk,
                    "person_id": p.person_id,
                    "name": p.person.name,
                    "kind": p.kind,
                    "tier": tier_of(p.kind),
                    "region_id": p.region_id,
                    "region_name": p.region.name,
                    "starts_on": p.starts_on,
                    "ends_on": p.ends_on,
                    "education": profile.education if profile else None,
                    "wealth_leader": bool(profile and profile.wealth_leader),
                    "college_graduate_cadre": bool(profile and profile.college_graduate_cadre),
                }
            )
        result["items"] = rows
        return result


@router.get("/roster", response=list[PostOut], summary="The 234 posts held in a node")
@paginate(PostPage)
def roster(request: HttpRequest, filters: Query[NodeFilters]) -> QuerySet[Position]:
    """The 两委, 三长 and 四员 posts held on `on` in the node's subtree, with the holder's facts."""
    node = _node(request, filters.node)
    return selectors.in_roster_order(selectors.roster_positions(node, on=filters.on))


@router.get("/composition", response=CompositionOut, summary="The 234 composition of a node")
def composition(request: HttpRequest, filters: Query[NodeFilters]) -> dict[str, Any]:
    """People counted once each: shares with college education, 35 or under, women, 致富能手,
    大学生村干部 (of everyone on the roster) and 交叉任职 (of the 两委 members), with the ids counted."""
    node = _node(request, filters.node)
    result = comp.composition(node, on=filters.on)
    return {
        "node_id": node.pk,
        "node_name": node.name,
        "on": result.on,
        "people": len(result.people),
        "committee_people": len(result.committee_people),
        "by_tier": result.by_tier,
        "measures": [
            {
                "key": m.key,
                "numerator": m.numerator,
                "denominator": m.denominator,
                "percent": m.percent,
                "person_ids": m.ids,
            }
            for m in (result.measures[k] for k in comp.MEASURE_KEYS)
        ],
    }


@router.get("/terms", response=list[TermOut], summary="Committee terms in a node")
@paginate(Page)
def terms(request: HttpRequest, filters: Query[TermFilters]) -> list[dict[str, Any]]:
    """Terms of the 两委 in the node's subtree, soonest ending first; `warning` when inside the
    warning window of the term rule in force."""
    node = _node(request, filters.node)
    today = timezone.localdate()
    rows: QuerySet[Term] = selectors.terms_in(node)
    if filters.current:
        rows = rows.filter(ended_on__isnull=True)
    if filters.ending_within_days is not None:
        rows = selectors.terms_ending(node, within_days=filters.ending_within_days, on=today)
    result = []
    rules = selectors.term_rules(today)
    for t in rows.order_by("ends_on", "pk"):
        warning = selectors.term_warning(t, on=today, rules=rules)
        result.append(
            {
                "id": t.pk,
                "region_id": t.region_id,
                "region_name": t.region.name,
                "committee": t.committee,
                "number": t.number,
                "starts_on": t.starts_on,
                "years": t.years,
                "ends_on": t.ends_on,
                "ended_on": t.ended_on,
                "days_left": (t.ends_on - today).days,
                "warning": warning is not None,
            }
        )
    return result
