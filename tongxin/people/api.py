"""People (`router`, /people) and positions (`positions_router`, /positions).

Phone and ID-card numbers only ever leave masked, except through the audited reveal.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.audit.models import Action, Outcome
from tongxin.audit.services import audit_record
from tongxin.core.api import reference, references, require_capability, require_in_scope
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page
from tongxin.core.scope import scope_for
from tongxin.organisations.selectors import organisations_visible
from tongxin.people.models import Person, Position
from tongxin.people.schemas import (
    PersonCreateIn,
    PersonFilters,
    PersonOut,
    PersonPatchIn,
    PositionCreateIn,
    PositionEndIn,
    PositionFilters,
    PositionOut,
    PositionPatchIn,
    RevealIn,
    RevealOut,
)
from tongxin.people.selectors import people_visible, person_get, position_get, positions_visible
from tongxin.people.services import person_create, person_reveal, person_update, position_create, position_end
from tongxin.people.services import position_update as position_update_service
from tongxin.regions.api import in_subtree
from tongxin.regions.selectors import region_get, regions_visible

router = Router()
positions_router = Router()

VIEW, EDIT, REVEAL = Capability.PEOPLE_VIEW, Capability.PEOPLE_EDIT, Capability.PEOPLE_REVEAL


@router.get("", response=list[PersonOut], summary="List people in your area")
@paginate(Page)
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> QuerySet[Person]:
    """People whose home region lies in your area; phone and ID card masked."""
    require_capability(request.user, VIEW)
    people = people_visible(request.user).select_related("region")
    if filters.within is not None:
        people = in_subtree(people, region_get(request.user, filters.within, capability=VIEW), "region__path")
    if filters.q:
        people = people.filter(name__icontains=filters.q)
    if filters.party_status is not None:
        people = people.filter(party_status=filters.party_status)
    if filters.branch is not None:
        people = people.filter(branch_id=filters.branch)
    return people.order_by("id")


@router.post("", response={201: PersonOut, **ERRORS}, summary="Add a person")
def person_create_endpoint(request: HttpRequest, payload: PersonCreateIn) -> Status[Person]:
    """Needs people.edit in the person's home region. Phone and ID card are stored encrypted."""
    data = payload.dict()
    region = reference(regions_visible(request.user), data.pop("region"), field="region")
    require_in_scope(request.user, EDIT, region)
    data["branch"] = reference(organisations_visible(request.user), data.pop("branch"), field="branch")
    person = person_create(region=region, **data)
    return Status(201, person)


@router.get("/{id}", response={200: PersonOut, 404: ErrorOut}, summary="Get a person")
def person_detail(request: HttpRequest, id: int) -> Person:
    return person_get(request.user, id)


@router.patch("/{id}", response={200: PersonOut, **ERRORS}, summary="Change a person")
def person_patch(request: HttpRequest, id: int, payload: PersonPatchIn) -> Person:
    """Only the fields sent are changed; an empty or null phone or ID card removes it."""
    person = person_get(request.user, id)
    changes = references(
        payload.dict(exclude_unset=True),
        region=regions_visible(request.user),
        branch=organisations_visible(request.user),
    )
    require_in_scope(request.user, EDIT, person.region, changes.get("region"))
    for secret in ("phone", "id_card"):
        if secret in changes:
            changes[secret] = changes[secret] or ""
    return person_update(person=person, actor=request.user, **changes)


@router.post("/{id}/reveal", response={200: RevealOut, **ERRORS}, summary="Reveal a phone or ID-card number")
def person_reveal_endpoint(
    request: HttpRequest, id: int, payload: RevealIn, response: HttpResponse
) -> dict[str, str]:
    """Needs people.reveal in the person's region and a purpose (with a note for "other"). Every
    reveal, with its purpose, and every refusal is audited."""
    person = person_get(request.user, id)
    if not scope_for(request.user, REVEAL).contains(person.region.path):
        audit_record(
            action=Action.REVEAL,
            actor=request.user,
            request=request,
            region=person.region,
            target=f"person:{person.pk}",
            outcome=Outcome.DENIED,
            detail={"field": payload.field},
        )
        raise PermissionDenied
    value = person_reveal(
        person=person,
        field=payload.field,
        actor=request.user,
        request=request,
        purpose=payload.purpose,
        note=payload.note,
    )
    response["Cache-Control"] = "no-store"
    return {"field": payload.field, "value": value}


def _current() -> Q:
    today = timezone.localdate()
    return Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))


@positions_router.get("", response=list[PositionOut], summary="List positions in your area")
@paginate(Page)
def position_list(request: HttpRequest, filters: Query[PositionFilters]) -> QuerySet[Position]:
    """Posts held at a region in your area (书记, 网格员, 楼栋长, 四员 …) with their terms."""
    require_capability(request.user, VIEW)
    positions = positions_visible(request.user)
    if filters.within is not None:
        positions = in_subtree(
            positions, region_get(request.user, filters.within, capability=VIEW), "region__path"
        )
    if filters.person is not None:
        positions = positions.filter(person_id=filters.person)
    if filters.kind:
        positions = positions.filter(kind=filters.kind)
    if filters.current is True:
        positions = positions.filter(_current())
    elif filters.current is False:
        positions = positions.exclude(_current())
    return positions.order_by("region__path", "kind", "-starts_on", "id")


@positions_router.post("", response={201: PositionOut, **ERRORS}, summary="Appoint a person to a position")
def position_create_endpoint(request: HttpRequest, payload: PositionCreateIn) -> Status[Position]:
    """Needs people.edit in the position's region (the organisation's region if none is given)."""
    person = reference(people_visible(request.user), payload.person, field="person")
    organisation = reference(organisations_visible(request.user), payload.organisation, field="organisation")
    region = reference(regions_visible(request.user), payload.region, field="region")
    require_in_scope(request.user, EDIT, region or (organisation.region if organisation else None))
    assert person is not None  # payload.person is required
    position = position_create(
        **payload.dict(exclude={"person", "region", "organisation"}),
        person=person,
        region=region,
        organisation=organisation,
    )
    return Status(201, position)


@positions_router.get("/{id}", response={200: PositionOut, 404: ErrorOut}, summary="Get a position")
def position_detail(request: HttpRequest, id: int) -> Position:
    return position_get(request.user, id)


@positions_router.patch("/{id}", response={200: PositionOut, **ERRORS}, summary="Change a position")
def position_patch(request: HttpRequest, id: int, payload: PositionPatchIn) -> Position:
    position = position_get(request.user, id)
    changes = references(
        payload.dict(exclude_unset=True),
        region=regions_visible(request.user),
        organisation=organisations_visible(request.user),
    )
    organisation = changes.get("organisation")
    require_in_scope(
        request.user,
        EDIT,
        position.region,
        changes.get("region"),
        organisation.region if organisation is not None else None,
    )
    return position_update_service(position=position, actor=request.user, **changes)


@positions_router.post("/{id}/end", response={200: PositionOut, **ERRORS}, summary="End a position")
def position_end_endpoint(request: HttpRequest, id: int, payload: PositionEndIn) -> Position:
    """Record the last day the person held the post; the history is kept."""
    position = position_get(request.user, id)
    require_in_scope(request.user, EDIT, position.region)
    return position_end(position=position, actor=request.user, ends_on=payload.ends_on)
