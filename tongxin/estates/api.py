"""Estates (`router`, /estates) and property firms' evaluations (/estates/firms/{id}/evaluation).

Officials read the estates of their estates.view subtree; a property firm's liaison reads the
estates their firm serves and their firm's evaluation only. Anything else is a 404. Evaluations are
read one firm at a time: the API has no ranking."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tongxin.core.schemas import ERRORS, Page
from tongxin.estates import selectors
from tongxin.estates.evaluation import firm_evaluation
from tongxin.estates.models import Estate

router = Router()


class EstateOut(Schema):
    id: int
    name: str
    community_id: int
    community: str
    address: str
    property_firm_id: int | None
    property_firm: str | None
    red_property: bool = Field(description="红色物业: the firm's Party branch leads the service here today")
    red_since: date | None
    red_committee: bool = Field(description="红色业委会 by the estate rules in force today")
    buildings: list[int]

    @staticmethod
    def resolve_community(obj: Any) -> str:
        return obj.community.name

    @staticmethod
    def resolve_property_firm(obj: Any) -> str | None:
        return obj.property_firm.name if obj.property_firm_id else None

    @staticmethod
    def resolve_buildings(obj: Any) -> list[int]:
        return [b.pk for b in obj.buildings.all()]


class EstateFilters(Schema):
    community: int | None = Field(None, ge=1, description="only the estates of this community")


class EstatePage(Page):
    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(result["items"])
        selectors.badges(items)
        result["items"] = items
        return result


class YearIn(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="the year evaluated (default: this year)")


class PartOut(Schema):
    key: str
    value: Decimal | None = Field(description="0–1; null when there is nothing to count this year")
    weight: int


class EvaluationOut(Schema):
    firm_id: int
    firm: str
    year: int
    until: date
    rules_version: str
    estates: int
    cases_received: int
    cases_dispatched: int
    cases_concluded: int
    cases_solved: int
    cases_rated: int
    cases_overdue: int
    resolution_rate: Decimal | None
    satisfaction_rate: Decimal | None
    tasks_due: int
    tasks_done: int
    duty_done: int
    duty_required: int
    parts: list[PartOut]
    objective_score: Decimal | None = Field(description="computed from the records, never typed")
    subjective_score: Decimal | None = Field(description="the street's own score, 0–100")
    total_score: Decimal | None
    red_property: bool
    gold: bool = Field(description="金牌红心物业: the configured threshold is reached (not a ranking)")


@router.get("", response=list[EstateOut], summary="List estates in your reach")
@paginate(EstatePage)
def estate_list(request: HttpRequest, filters: Query[EstateFilters]) -> QuerySet[Estate]:
    """Estates of your estates.view area, or of your property firm (liaison)."""
    if selectors.reach(request.user).is_empty:
        raise Http404("no estates in your reach")
    community = None
    if filters.community is not None:
        community = selectors.communities_of(request.user).filter(pk=filters.community).first()
        if community is None:
            raise Http404("no such community in your area")
    return selectors.estates_list(request.user, community=community).prefetch_related("buildings")


@router.get("/{id}", response={200: EstateOut, **ERRORS}, summary="An estate")
def estate_detail(request: HttpRequest, id: int) -> Estate:
    estate = selectors.estate_get(request.user, id)
    estate = selectors.estates_list(request.user).prefetch_related("buildings").get(pk=estate.pk)
    selectors.badges([estate])
    return estate


@router.get(
    "/firms/{id}/evaluation", response={200: EvaluationOut, **ERRORS}, summary="A property firm's evaluation"
)
def firm_evaluation_get(request: HttpRequest, id: int, params: Query[YearIn]) -> dict[str, Any]:
    """The firm's yearly evaluation: its computed part from the cases, tasks and duties behind it, the
    street's score and the total. One firm at a time; a firm outside your reach is a 404."""
    firm = selectors.firm_get(request.user, id)
    year = params.year or timezone.localdate().year
    if year > timezone.localdate().year:
        raise Http404("a year to come")
    e = firm_evaluation(firm, year)
    return {
        "firm_id": firm.pk,
        "firm": firm.name,
        "year": year,
        "until": e.until,
        "rules_version": e.rules.version,
        "estates": len(e.estates),
        "cases_received": e.received,
        "cases_dispatched": e.rates.dispatched,
        "cases_concluded": e.rates.concluded,
        "cases_solved": e.rates.solved,
        "cases_rated": e.rates.rated,
        "cases_overdue": e.overdue,
        "resolution_rate": e.rates.resolution_rate,
        "satisfaction_rate": e.rates.satisfaction_rate,
        "tasks_due": e.tasks_due,
        "tasks_done": e.tasks_done,
        "duty_done": e.duty_done,
        "duty_required": e.duty_required,
        "parts": [{"key": p.key, "value": p.value, "weight": p.weight} for p in e.parts],
        "objective_score": e.objective,
        "subjective_score": e.subjective,
        "total_score": e.total,
        "red_property": e.red,
        "gold": e.gold,
    }
