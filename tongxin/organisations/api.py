"""Party organisations (党组织), scoped by the region each one serves."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.core.api import reference, require_capability, require_in_scope
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page
from tongxin.organisations.models import PartyOrganisation
from tongxin.organisations.schemas import (
    OrganisationCreateIn,
    OrganisationDetailOut,
    OrganisationFilters,
    OrganisationMoveIn,
    OrganisationOut,
    OrganisationPatchIn,
)
from tongxin.organisations.selectors import organisation_get, organisations_visible
from tongxin.organisations.services import (
    organisation_create,
    organisation_move,
    organisation_update,
)
from tongxin.regions.api import in_subtree
from tongxin.regions.selectors import region_get, regions_visible

router = Router()

VIEW, EDIT = Capability.STRUCTURE_VIEW, Capability.STRUCTURE_EDIT


@router.get("", response=list[OrganisationOut], summary="List Party organisations in your area")
@paginate(Page)
def organisation_list(
    request: HttpRequest, filters: Query[OrganisationFilters]
) -> QuerySet[PartyOrganisation]:
    require_capability(request.user, VIEW)
    orgs = organisations_visible(request.user)
    if filters.within is not None:
        orgs = in_subtree(orgs, region_get(request.user, filters.within), "region__path")
    if filters.region is not None:
        orgs = orgs.filter(region_id=filters.region)
    if filters.kind:
        orgs = orgs.filter(kind=filters.kind)
    if filters.parent is not None:
        orgs = orgs.filter(parent_id=filters.parent)
    if filters.q:
        orgs = orgs.filter(Q(name__icontains=filters.q) | Q(code=filters.q))
    return orgs.order_by("path")


@router.post("", response={201: OrganisationDetailOut, **ERRORS}, summary="Create a Party organisation")
def organisation_create_endpoint(
    request: HttpRequest, payload: OrganisationCreateIn
) -> Status[PartyOrganisation]:
    """Needs structure.edit in the region the organisation serves."""
    region = reference(regions_visible(request.user), payload.region, field="region")
    parent = reference(organisations_visible(request.user), payload.parent, field="parent")
    require_in_scope(request.user, EDIT, region)
    assert region is not None  # payload.region is required
    org = organisation_create(**payload.dict(exclude={"region", "parent"}), region=region, parent=parent)
    return Status(201, org)


@router.get("/{id}", response={200: OrganisationDetailOut, 404: ErrorOut}, summary="Get a Party organisation")
def organisation_detail(request: HttpRequest, id: int) -> PartyOrganisation:
    """With `warnings`: the branch rules (3–50 members, a committee from 7) it does not meet."""
    return organisation_get(request.user, id)


@router.patch("/{id}", response={200: OrganisationDetailOut, **ERRORS}, summary="Change a Party organisation")
def organisation_patch(request: HttpRequest, id: int, payload: OrganisationPatchIn) -> PartyOrganisation:
    org = organisation_get(request.user, id)
    changes = payload.dict(exclude_unset=True)
    region = reference(regions_visible(request.user), changes.get("region"), field="region")
    require_in_scope(request.user, EDIT, org.region, region)
    dates = {k: changes[k] for k in ("founded_on", "term_ends_on") if k in changes}
    org = organisation_update(
        organisation=org,
        actor=request.user,
        name=changes.get("name"),
        kind=changes.get("kind"),
        code=changes.get("code"),
        region=region,
        **dates,
    )
    return org


@router.post(
    "/{id}/move", response={200: OrganisationDetailOut, **ERRORS}, summary="Move a Party organisation"
)
def organisation_move_endpoint(
    request: HttpRequest, id: int, payload: OrganisationMoveIn
) -> PartyOrganisation:
    """Place the organisation (and everything under it) under another parent organisation."""
    org = organisation_get(request.user, id)
    require_in_scope(request.user, EDIT, org.region)
    new_parent = reference(organisations_visible(request.user), payload.parent, field="parent")
    assert new_parent is not None  # payload.parent is required
    return organisation_move(organisation=org, new_parent=new_parent)
