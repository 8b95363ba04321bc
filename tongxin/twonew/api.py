"""两新 organisations (/twonew): their Party facts and rectification progress, in the caller's scope."""

from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from tongxin.core.api import require_capability
from tongxin.core.schemas import ErrorOut, Page
from tongxin.twonew import selectors
from tongxin.twonew.models import NewOrganisation

router = Router()
VIEW = selectors.VIEW


class TwoNewOrganisationOut(Schema):
    id: int
    unit_id: int
    name: str
    region: str
    has_party_organisation: bool
    party_organisation_id: int | None
    party_since: date | None
    charter: bool
    cross_appointment: bool
    instructor: str | None
    standing: str
    rectification_items: int
    rectification_done: int

    @staticmethod
    def resolve_name(obj: NewOrganisation) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_region(obj: NewOrganisation) -> str:
        return obj.unit.region.name

    @staticmethod
    def resolve_instructor(obj: NewOrganisation) -> str | None:
        return obj.instructor.name if obj.instructor else None

    @staticmethod
    def resolve_rectification_items(obj: NewOrganisation) -> int:
        return int(getattr(obj, "items", 0))

    @staticmethod
    def resolve_rectification_done(obj: NewOrganisation) -> int:
        return int(getattr(obj, "items_done", 0))


@router.get("/organisations", response=list[TwoNewOrganisationOut], summary="List 两新 organisations")
@paginate(Page)
def organisation_list(request: HttpRequest) -> QuerySet[NewOrganisation]:
    require_capability(request.user, VIEW)
    return selectors.organisations_visible(request.user)


@router.get(
    "/organisations/{int:id}",
    response={200: TwoNewOrganisationOut, 404: ErrorOut},
    summary="Get a 两新 organisation",
)
def organisation_detail(request: HttpRequest, id: int) -> NewOrganisation:
    require_capability(request.user, VIEW)
    return selectors.organisation_get(request.user, id)
