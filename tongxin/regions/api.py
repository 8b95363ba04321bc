"""Regions and grids. Reads go through the scoped selectors; writes through regions.services."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.core.api import ApiError, reference, require_capability, require_in_scope
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page
from tongxin.core.scope import scope_for
from tongxin.lib.geo import GeometryError
from tongxin.lib.tree import subtree_range
from tongxin.regions.models import Level, Region
from tongxin.regions.schemas import (
    GridCollection,
    GridFilters,
    LocateOut,
    LocateQuery,
    RegionCreateIn,
    RegionDetailOut,
    RegionFilters,
    RegionMoveIn,
    RegionOut,
    RegionPatchIn,
    grid_feature,
)
from tongxin.regions.selectors import grids_at, region_children, region_get, regions_visible
from tongxin.regions.services import region_create, region_delete, region_move, region_update

router = Router()

VIEW, EDIT = Capability.STRUCTURE_VIEW, Capability.STRUCTURE_EDIT


def in_subtree(queryset: QuerySet[Any], root: Region, field: str = "path") -> QuerySet[Any]:
    low, high = subtree_range(root.path)
    return queryset.filter(**{f"{field}__gte": low, f"{field}__lt": high})


def _centre(lng: float | None, lat: float | None) -> tuple[float, float] | None:
    if (lng is None) != (lat is None):
        raise ValidationError({"centre_lat": [_("Give both the longitude and the latitude of the centre.")]})
    return (lng, lat) if lng is not None and lat is not None else None


def _geometry_errors_as_validation(exc: GeometryError) -> ValidationError:
    # the services check shapes, but a polygon too large for the cell index surfaces as GeometryError
    return ValidationError({"geometry": [str(exc)]})


@router.get("", response=list[RegionOut], summary="List regions in your area")
@paginate(Page)
def region_list(request: HttpRequest, filters: Query[RegionFilters]) -> QuerySet[Region]:
    """Regions and grids inside your subtree, ordered from the root down."""
    require_capability(request.user, VIEW)
    regions = regions_visible(request.user)
    if filters.within is not None:
        regions = in_subtree(regions, region_get(request.user, filters.within))
    if filters.level:
        regions = regions.filter(level=filters.level)
    if filters.parent is not None:
        regions = regions.filter(parent_id=filters.parent)
    if filters.code:
        regions = regions.filter(code=filters.code)
    if filters.q:
        regions = regions.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    return regions.order_by("path")


@router.post("", response={201: RegionDetailOut, **ERRORS}, summary="Create a region or grid")
def region_create_endpoint(request: HttpRequest, payload: RegionCreateIn) -> Status[Region]:
    """Needs structure.edit in the parent's region. Codes follow 统计用区划代码 / DB11/T 2157-2023."""
    parent = reference(regions_visible(request.user), payload.parent, field="parent")
    if parent is None and payload.level == Level.CITY:
        raise PermissionDenied  # a new root is set up on the server, never through the API
    require_in_scope(request.user, EDIT, parent)
    if parent is None:
        raise ValidationError({"parent": [_("Choose the parent region.")]})
    try:
        region = region_create(
            **payload.dict(exclude={"parent", "centre_lng", "centre_lat"}),
            actor=request.user,
            parent=parent,
            centre=_centre(payload.centre_lng, payload.centre_lat),
        )
    except GeometryError as exc:
        raise _geometry_errors_as_validation(exc)
    return Status(201, region)


@router.get("/grids", response=GridCollection, summary="Grids as a GeoJSON FeatureCollection")
def grid_collection(request: HttpRequest, filters: Query[GridFilters]) -> dict[str, Any]:
    """The grids of a community (`community=`), of any region (`within=`) or of your whole area."""
    require_capability(request.user, VIEW)
    grids = regions_visible(request.user).filter(level=Level.GRID)
    if filters.community is not None:
        community = region_get(request.user, filters.community)
        if community.level != Level.COMMUNITY:
            raise ValidationError({"community": [_("This region is not a community.")]})
        grids = in_subtree(grids, community)
    if filters.within is not None:
        grids = in_subtree(grids, region_get(request.user, filters.within))
    grids = grids.order_by("depth", "code").only("id", "name", "code", "depth", "parent_id", "geometry")
    return {"type": "FeatureCollection", "features": [grid_feature(g) for g in grids]}


@router.get(
    "/locate", response={200: LocateOut, 403: ErrorOut, 404: ErrorOut}, summary="Find the grid at a point"
)
def grid_locate(request: HttpRequest, point: Query[LocateQuery]) -> dict[str, Any]:
    """The innermost grid in your area that covers (lng, lat), with the grids around it.

    404 with code `no_grid` when no grid of your area covers the point.
    """
    require_capability(request.user, VIEW)
    scope = scope_for(request.user, VIEW)
    found = [g for g in grids_at(point.lng, point.lat) if scope.contains(g.path)]
    if not found:
        raise ApiError(404, "no_grid", _("No grid of your area covers this point."))
    inner = found[0]
    outer = [g for g in found[1:] if g.pk != inner.pk and inner.path.startswith(g.path)]
    community = inner.community()
    return {
        "grid": inner,
        "outer": outer,
        "community": community if community is not None and scope.contains(community.path) else None,
    }


@router.get("/{id}", response={200: RegionDetailOut, 404: ErrorOut}, summary="Get a region")
def region_detail(request: HttpRequest, id: int) -> Region:
    return region_get(request.user, id)


@router.get("/{id}/children", response=list[RegionOut], summary="List the regions directly under a region")
@paginate(Page)
def region_children_list(request: HttpRequest, id: int) -> QuerySet[Region]:
    return region_children(region_get(request.user, id))


@router.patch("/{id}", response={200: RegionDetailOut, **ERRORS}, summary="Change a region")
def region_patch(request: HttpRequest, id: int, payload: RegionPatchIn) -> Region:
    """Only the fields sent are changed; `geometry: null` removes the boundary."""
    region = region_get(request.user, id)
    require_in_scope(request.user, EDIT, region)
    changes = payload.dict(exclude_unset=True)
    centre = _centre(changes.get("centre_lng"), changes.get("centre_lat"))
    try:
        return region_update(
            region=region,
            actor=request.user,
            name=changes.get("name"),
            code=changes.get("code"),
            kind=changes.get("kind"),
            address=changes.get("address"),
            geometry=changes.get("geometry", ...),
            centre=centre,
        )
    except GeometryError as exc:
        raise _geometry_errors_as_validation(exc)


@router.post("/{id}/move", response={200: RegionDetailOut, **ERRORS}, summary="Move a region to a new parent")
def region_move_endpoint(request: HttpRequest, id: int, payload: RegionMoveIn) -> Region:
    """Moves the whole subtree. Needs structure.edit at the region and at the new parent."""
    region = region_get(request.user, id)
    require_in_scope(request.user, EDIT, region)
    new_parent = reference(regions_visible(request.user), payload.parent, field="parent")
    require_in_scope(request.user, EDIT, new_parent)
    assert new_parent is not None  # payload.parent is required
    return region_move(region=region, new_parent=new_parent, new_code=payload.code)


@router.delete("/{id}", response={204: None, **ERRORS, 409: ErrorOut}, summary="Delete an empty region")
def region_delete_endpoint(request: HttpRequest, id: int) -> Status[None]:
    """Refused with 409 while regions, people, organisations, positions or accounts depend on it."""
    region = region_get(request.user, id)
    require_in_scope(request.user, EDIT, region)
    try:
        region_delete(region=region)
    except ValidationError as exc:
        raise ApiError(409, "has_dependents", " ".join(exc.messages))
    except ProtectedError:
        raise ApiError(
            409,
            "has_dependents",
            _("Records such as role assignments still refer to %(name)s.") % {"name": region.name},
        )
    return Status(204, None)
