"""The co-building operations under /partners that compose partners and meetings: the alliances,
whose detail carries this year's meeting rhythm, and the annual duty check.

tongxin/api.py mounts this router at /partners beside partners.api, with the same tag; the operation
ids are those these operations had in partners.api, so the OpenAPI document did not change. The list
of alliances is here too: a path is one URL pattern, served by one router, and POST /alliances
answers with the rhythm.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from tongxin.cobuilding.duty import duty_check
from tongxin.cobuilding.schemas import AllianceDetailOut, DutyOut
from tongxin.core.api import references, require_capability
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page, Year
from tongxin.organisations.selectors import organisations_visible
from tongxin.partners import services
from tongxin.partners.models import Alliance
from tongxin.partners.schemas import AllianceCreateIn, AllianceOut
from tongxin.partners.selectors import alliance_get, alliances_visible
from tongxin.regions.selectors import region_get, regions_visible

router = Router()

VIEW, MANAGE = Capability.PARTNERS_VIEW, Capability.PARTNERS_MANAGE


@router.get(
    "/alliances",
    response=list[AllianceOut],
    summary="List alliances (大党委, 党建联盟, 党建联合体)",
    operation_id="tongxin_partners_api_alliance_list",
)
@paginate(Page)
def alliance_list(request: HttpRequest) -> QuerySet[Alliance]:
    require_capability(request.user, VIEW)
    return alliances_visible(request.user).order_by("region__path", "name")


@router.post(
    "/alliances",
    response={201: AllianceDetailOut, **ERRORS},
    summary="Form an alliance",
    operation_id="tongxin_partners_api_alliance_create",
)
def alliance_create(request: HttpRequest, payload: AllianceCreateIn) -> Status[Alliance]:
    require_capability(request.user, MANAGE)
    data = references(
        payload.dict(),
        region=regions_visible(request.user, capability=MANAGE),
        organisation=organisations_visible(request.user),
    )
    data["meeting_interval"] = int(data["meeting_interval"])
    return Status(201, services.alliance_create(actor=request.user, **data))


@router.get(
    "/alliances/{id}",
    response={200: AllianceDetailOut, 404: ErrorOut},
    summary="Get an alliance",
    operation_id="tongxin_partners_api_alliance_detail",
)
def alliance_detail(request: HttpRequest, id: int) -> Alliance:
    """With its current members and how it keeps its meeting frequency this year."""
    require_capability(request.user, VIEW)
    return alliance_get(request.user, id)


@router.get(
    "/duty",
    response={200: DutyOut, 404: ErrorOut},
    summary="The annual duty check",
    operation_id="tongxin_partners_api_duty",
)
def duty(request: HttpRequest, year: Year | None = None, area: int | None = None) -> dict[str, Any]:
    """Each unit's 实事, each secretary's 书记项目, each alliance's meetings; `status` says who is behind."""
    require_capability(request.user, VIEW)
    region = region_get(request.user, area, capability=VIEW) if area is not None else None
    report = duty_check(request.user, year=year or timezone.localdate().year, area=region)
    rows = (
        [_duty_row("unit", u.unit, u.required, u.done, u.status) for u in report.units]
        + [_duty_row("secretary", s.person, s.required, s.claimed, s.status) for s in report.secretaries]
        + [_duty_row("alliance", a.alliance, a.expected, a.met, a.status) for a in report.alliances]
    )
    return {
        "year": report.year,
        "as_of": report.as_of,
        "finished": report.finished,
        "rules_version": report.rules_version,
        "rows": rows,
    }


def _duty_row(kind: str, record: Any, required: int, done: int, status: str) -> dict[str, Any]:
    """One row of the duty check: a unit, a secretary or an alliance, and how far it is."""
    return {
        "kind": kind,
        "id": record.pk,
        "name": record.name,
        "required": required,
        "done": done,
        "status": status,
    }
