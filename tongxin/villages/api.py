"""The collective economy (/villages): the tiers in force for a year, and the villages' economy of a
year in the caller's scope (one entry per village, with its tier)."""

from datetime import date
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from tongxin.core.api import require_capability
from tongxin.core.schemas import ErrorOut, Page
from tongxin.villages import selectors
from tongxin.villages.services import FIRST_YEAR

router = Router()
VIEW = selectors.VIEW


class TierOut(Schema):
    rank: int
    name: str
    min_income: Decimal
    weak: bool


class EconomyOut(Schema):
    village_id: int
    village: str
    code: str
    year: int
    entered: bool
    total_income: Decimal | None = None
    operating_income: Decimal | None = None
    contracting_income: Decimal | None = None
    investment_income: Decimal | None = None
    subsidy_income: Decimal | None = None
    other_income: Decimal | None = None
    assets: Decimal | None = None
    liabilities: Decimal | None = None
    property_reform: str | None = None
    tier: str | None = None


class YearFilter(Schema):
    year: int | None = None


def _year(value: int | None) -> int:
    this = date.today().year
    if value is None:
        return this
    if not FIRST_YEAR <= value <= this:
        raise Http404("no such year")
    return value


@router.get(
    "/tiers", response={200: list[TierOut], 404: ErrorOut}, summary="The income tiers in force for a year"
)
def tier_list(request: HttpRequest, filters: Query[YearFilter]) -> list[TierOut]:
    require_capability(request.user, VIEW)
    return [TierOut.from_orm(t) for t in selectors.tiers_for(_year(filters.year))]


@router.get(
    "/economy", response={200: list[EconomyOut], 404: ErrorOut}, summary="The villages' economy of a year"
)
@paginate(Page)
def economy_list(request: HttpRequest, filters: Query[YearFilter]) -> list[EconomyOut]:
    """Every village in the caller's scope, entered or not, with its income by source and tier."""
    require_capability(request.user, VIEW)
    year = _year(filters.year)
    node = selectors.home_node(request.user)
    if node is None:
        return []
    result = []
    for line in selectors.overview(request.user, node, year).lines:
        e = line.economy
        out = EconomyOut(
            village_id=line.village.pk,
            village=line.village.name,
            code=line.village.code,
            year=year,
            entered=e is not None,
            tier=line.tier.name if line.tier else None,
        )
        if e is not None:
            for name in (
                "total_income",
                "operating_income",
                "contracting_income",
                "investment_income",
                "subsidy_income",
                "other_income",
                "assets",
                "liabilities",
                "property_reform",
            ):
                setattr(out, name, getattr(e, name))
        result.append(out)
    return result
