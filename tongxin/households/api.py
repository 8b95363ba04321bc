"""Households (`router`, /households) and their 联户 links (/households/links).

Care tags are sensitive (PIPL art. 28): they are read and written only where the caller's
care_tags.view reaches the household; elsewhere `care_tags` is null and a tag filter or change is
refused. Reading a tagged household's detail is audited, as on the page.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.core.api import reference, references, require_capability, require_in_scope, required
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page
from tongxin.core.scope import has_capability, scope_for
from tongxin.households import selectors, services
from tongxin.households.models import CareTag, Household, Link
from tongxin.households.schemas import (
    HouseholdCreateIn,
    HouseholdDetailOut,
    HouseholdFilters,
    HouseholdOut,
    HouseholdPatchIn,
    LinkCreateIn,
    LinkEndIn,
    LinkFilters,
    LinkOut,
)
from tongxin.people.selectors import people_visible
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import region_get, regions_visible

router = Router()

VIEW, EDIT, TAGS = Capability.HOUSEHOLDS_VIEW, Capability.HOUSEHOLDS_EDIT, Capability.CARE_TAGS_VIEW
PLACES = [Level.BUILDING, Level.GRID]  # a household lives in a building or a village group (村民小组)


class HouseholdPage(Page):
    """The page of households, each with its care-tag codes where the caller may see them (one query)."""

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(result["items"])
        _with_tags(request.user, items)
        result["items"] = items
        return result


def _with_tags(user: Any, households: list[Household]) -> None:
    tags = selectors.tags_of(user, households)
    scope = selectors.tag_scope(user)
    for h in households:
        h.care_tag_codes = [t.code for t in tags.get(h.pk, [])] if scope.contains(h.region_path) else None  # type: ignore[attr-defined]


def _tag_rows(user: Any, household: Household, codes: list[str]) -> list[CareTag]:
    if not scope_for(user, TAGS).contains(household.region_path):
        raise PermissionDenied
    in_force = {t.code: t for t in selectors.care_tags_in_force(household.community)}
    unknown = sorted(set(codes) - set(in_force))
    if unknown:
        raise ValidationError(
            {"care_tags": [_("Unknown care tags here: %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    return [in_force[c] for c in codes]


@router.get("", response=list[HouseholdOut], summary="List households in your area")
@paginate(HouseholdPage)
def household_list(request: HttpRequest, filters: Query[HouseholdFilters]) -> QuerySet[Household]:
    """Households in buildings of your area. `care_tags` only where you may see them."""
    user = request.user
    require_capability(user, VIEW)
    node = region_get(user, filters.within, capability=VIEW) if filters.within is not None else None
    tag = None
    if filters.tag:
        if not has_capability(user, TAGS):
            raise PermissionDenied
        tag = CareTag.objects.filter(code=filters.tag).first()
        if tag is None:
            raise ValidationError({"tag": [_("There is no care tag with this code.")]})
    return selectors.households_list(user, node=node, tag=tag, q=filters.q or "", inactive=filters.inactive)


@router.post("", response={201: HouseholdDetailOut, **ERRORS}, summary="Add a household")
def household_create(request: HttpRequest, payload: HouseholdCreateIn) -> Status[Household]:
    """Needs households.edit at the building (or the village group, a grid without buildings: then
    `street` is the group 组 and `house_number` the 门牌号, no unit or room); care tags also need
    care_tags.view there."""
    user = request.user
    data = payload.dict()
    codes = data.pop("care_tags")
    building = required(
        regions_visible(user).filter(level__in=PLACES), data.pop("building"), field="building"
    )
    require_in_scope(user, EDIT, building)
    if codes is not None:
        require_in_scope(user, TAGS, building)
    household = services.household_create(actor=user, building=building, **data)
    if codes:
        services.household_set_tags(household=household, actor=user, tags=_tag_rows(user, household, codes))
    return Status(201, _detail(user, household, audit=False))


def _detail(
    user: Any, household: Household, *, request: HttpRequest | None = None, audit: bool = True
) -> Household:
    tag_codes = [r.tag.code for r in selectors.household_tags(household)]
    if tag_codes and audit:
        services.household_view_recorded(household=household, actor=user, request=request)
    household.care_tag_codes = tag_codes if scope_for(user, TAGS).contains(household.region_path) else None  # type: ignore[attr-defined]
    household.resident_rows = selectors.residents_in_order(household)  # type: ignore[attr-defined]
    household.link_ids = list(selectors.links_of_household(user, household).values_list("pk", flat=True))  # type: ignore[attr-defined]
    return household


@router.get("/links", response=list[LinkOut], summary="List 联户 links in your area")
@paginate(Page)
def link_list(request: HttpRequest, filters: Query[LinkFilters]) -> QuerySet[Link]:
    """十联户, 党员联户, 干部联网格 and 1+1 links kept in your area."""
    user = request.user
    require_capability(user, VIEW)
    node = region_get(user, filters.within, capability=VIEW) if filters.within is not None else None
    links = selectors.links_list(user, kind=filters.kind or "", node=node, current=filters.current)
    if filters.household is not None:
        links = links.filter(households=filters.household)
    if filters.person is not None:
        links = links.filter(person_id=filters.person) | links.filter(partner_id=filters.person)
    return links.prefetch_related("households", "grids")


@router.post("/links", response={201: LinkOut, **ERRORS}, summary="Add a 联户 link")
def link_create(request: HttpRequest, payload: LinkCreateIn) -> Status[Link]:
    """Needs households.edit at the region the link is kept at; its households and grids lie below it."""
    user = request.user
    data = payload.dict()
    region = required(regions_visible(user), data.pop("region"), field="region")
    require_in_scope(user, EDIT, region)
    people = people_visible(user)
    person = required(people, data.pop("person"), field="person")
    partner = reference(people, data.pop("partner"), field="partner")
    household_ids, grid_ids = data.pop("households"), data.pop("grids")
    households = list(selectors.households_visible(user, capability=EDIT).filter(pk__in=household_ids))
    grids = list(Region.objects.filter(scope_for(user, VIEW).q("path"), level=Level.GRID, pk__in=grid_ids))
    if len(households) != len(set(household_ids)):
        raise ValidationError({"households": [_("There is no such record in your area.")]})
    if len(grids) != len(set(grid_ids)):
        raise ValidationError({"grids": [_("There is no such record in your area.")]})
    link = services.link_create(
        actor=user, region=region, person=person, partner=partner, households=households, grids=grids, **data
    )
    return Status(201, link)


@router.get("/links/{id}", response={200: LinkOut, 404: ErrorOut}, summary="Get a 联户 link")
def link_detail(request: HttpRequest, id: int) -> Link:
    require_capability(request.user, VIEW)
    link, _edit = selectors.link_get(request.user, id)
    return link


@router.post("/links/{id}/end", response={200: LinkOut, **ERRORS}, summary="End a 联户 link")
def link_end(request: HttpRequest, id: int, payload: LinkEndIn) -> Link:
    require_capability(request.user, VIEW)
    link, can_edit = selectors.link_get(request.user, id)
    if not can_edit:
        raise PermissionDenied
    return services.link_end(link=link, actor=request.user, ends_on=payload.ends_on)


@router.get("/{id}", response={200: HouseholdDetailOut, 404: ErrorOut}, summary="Get a household")
def household_detail(request: HttpRequest, id: int) -> Household:
    """With its residents and links; reading a tagged household is recorded in the audit trail."""
    require_capability(request.user, VIEW)
    household, _access = selectors.household_get(request.user, id)
    return _detail(request.user, household, request=request)


@router.patch("/{id}", response={200: HouseholdDetailOut, **ERRORS}, summary="Change a household")
def household_patch(request: HttpRequest, id: int, payload: HouseholdPatchIn) -> Household:
    """Only the fields sent are changed; `care_tags` (the whole list) needs care_tags.view."""
    user = request.user
    require_capability(user, VIEW)
    household, access = selectors.household_get(user, id)
    if not access.edit:
        raise PermissionDenied
    changes = payload.dict(exclude_unset=True)
    codes = changes.pop("care_tags", None)
    changes = references(changes, building=regions_visible(user).filter(level__in=PLACES))
    if "building" in changes and changes["building"] is None:
        raise ValidationError({"building": [_("This field is required.")]})
    tags = _tag_rows(user, household, codes) if codes is not None else None
    if changes:
        household = services.household_update(household=household, actor=user, **changes)
    if tags is not None:
        services.household_set_tags(household=household, actor=user, tags=tags)
    return _detail(user, household, audit=False)
