"""Partner units, alliance members, pairings and agreements (/partners). The alliances themselves
(their detail carries the meeting rhythm) and the duty check are in tongxin.cobuilding.api.

Officials see their subtree; a liaison sees their own units and what concerns them.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.core.api import reference, references, require_capability
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page
from tongxin.organisations.selectors import organisations_visible
from tongxin.partners import services
from tongxin.partners.models import Pairing, PartnerUnit
from tongxin.partners.schemas import (
    ExpiringOut,
    MemberCreateIn,
    MemberOut,
    PairingCreateIn,
    PairingDetailOut,
    PairingOut,
    UnitCreateIn,
    UnitFilters,
    UnitOut,
    UnitPatchIn,
)
from tongxin.partners.selectors import (
    agreements_expiring,
    alliance_get,
    pairing_get,
    pairings_visible,
    rules_current,
    unit_get,
    units_visible,
)
from tongxin.regions.selectors import regions_visible

router = Router()

VIEW, MANAGE = Capability.PARTNERS_VIEW, Capability.PARTNERS_MANAGE


@router.get("/units", response=list[UnitOut], summary="List partner units")
@paginate(Page)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> QuerySet[PartnerUnit]:
    require_capability(request.user, VIEW)
    units = units_visible(request.user)
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.q:
        units = units.filter(name__icontains=filters.q)
    if filters.active is not None:
        units = units.filter(active=filters.active)
    return units.order_by("name", "id")


@router.post("/units", response={201: UnitOut, **ERRORS}, summary="Register a partner unit")
def unit_create(request: HttpRequest, payload: UnitCreateIn) -> Status[PartnerUnit]:
    """Needs partners.manage where the unit sits."""
    require_capability(request.user, MANAGE)
    data = references(
        payload.dict(),
        region=regions_visible(request.user, capability=MANAGE),
        party_organisation=organisations_visible(request.user),
    )
    return Status(201, services.unit_create(actor=request.user, **data))


@router.get("/units/{id}", response={200: UnitOut, 404: ErrorOut}, summary="Get a partner unit")
def unit_detail(request: HttpRequest, id: int) -> PartnerUnit:
    require_capability(request.user, VIEW)
    return unit_get(request.user, id)


@router.patch("/units/{id}", response={200: UnitOut, **ERRORS}, summary="Change a partner unit")
def unit_patch(request: HttpRequest, id: int, payload: UnitPatchIn) -> PartnerUnit:
    require_capability(request.user, MANAGE)
    unit = unit_get(request.user, id)
    changes = references(
        payload.dict(exclude_unset=True), party_organisation=organisations_visible(request.user)
    )
    return services.unit_update(unit=unit, actor=request.user, **changes)


@router.post("/alliances/{id}/members", response={201: MemberOut, **ERRORS}, summary="Seat a member")
def alliance_member_add(request: HttpRequest, id: int, payload: MemberCreateIn) -> Status[Any]:
    require_capability(request.user, MANAGE)
    alliance = alliance_get(request.user, id)
    member = services.alliance_member_add(
        alliance=alliance,
        actor=request.user,
        role=payload.role,
        joined_on=payload.joined_on,
        unit=reference(units_visible(request.user), payload.unit, field="unit"),
        organisation=reference(
            organisations_visible(request.user), payload.organisation, field="organisation"
        ),
    )
    return Status(201, member)


@router.get("/pairings", response=list[PairingOut], summary="List pairings (结对共建)")
@paginate(Page)
def pairing_list(request: HttpRequest, unit: int | None = None) -> QuerySet[Pairing]:
    require_capability(request.user, VIEW)
    pairings = pairings_visible(request.user)
    if unit is not None:
        pairings = pairings.filter(unit_id=unit)
    return pairings.order_by("region__path", "unit__name", "id")


@router.post(
    "/pairings", response={201: PairingOut, **ERRORS}, summary="Pair a unit with a community or street"
)
def pairing_create(request: HttpRequest, payload: PairingCreateIn) -> Status[Pairing]:
    require_capability(request.user, MANAGE)
    pairing = services.pairing_create(
        actor=request.user,
        unit=reference(units_visible(request.user), payload.unit, field="unit"),  # type: ignore[arg-type]
        region=reference(regions_visible(request.user, capability=MANAGE), payload.region, field="region"),  # type: ignore[arg-type]
        host_organisation=reference(
            organisations_visible(request.user), payload.host_organisation, field="host_organisation"
        ),
        started_on=payload.started_on,
        note=payload.note,
    )
    return Status(201, pairing)


@router.get("/pairings/{id}", response={200: PairingDetailOut, 404: ErrorOut}, summary="Get a pairing")
def pairing_detail(request: HttpRequest, id: int) -> Pairing:
    """With its agreements, the one in force first. The signed copy is a file on the page, not here."""
    require_capability(request.user, VIEW)
    return pairing_get(request.user, id)


@router.get("/agreements/expiring", response=list[ExpiringOut], summary="Agreements about to end")
def agreements_expiring_list(request: HttpRequest, days: int | None = None) -> Any:
    """Agreements in force (not renewed) that end within `days` (default: the rules' warning window)."""
    require_capability(request.user, VIEW)
    window = rules_current().agreement_warn_days if days is None else max(0, min(days, 3650))
    return list(agreements_expiring(request.user, within_days=window))
