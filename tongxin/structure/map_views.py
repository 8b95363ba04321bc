"""The grid map: a community's grids as polygons, and "which grid is this point in?"."""

import math
import re
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongxin.core.access import public, requires
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.people.models import PositionKind
from tongxin.people.selectors import positions_visible
from tongxin.regions.models import LEVEL_ORDER, Level, Region
from tongxin.regions.selectors import (
    boundaries_public,
    boundaries_visible,
    grids_at_visible,
    map_area_grids,
    map_areas,
    map_hint,
    region_get,
)

GRID_STAFF_KINDS = (PositionKind.GRID_LEADER, PositionKind.GRID_WORKER)
COMMUNITY_DEPTH = LEVEL_ORDER.index(Level.COMMUNITY)


def _detail_url(region: Region) -> str | None:
    # regions:detail is built by another page; the map works without it
    try:
        return reverse("regions:detail", args=[region.pk])
    except NoReverseMatch:
        return None


def _nesting(grid: Region) -> int:
    """1 for a grid directly under its community, 2 for a grid inside that, and so on."""
    return grid.depth - COMMUNITY_DEPTH


def _tree_order(grids: list[Region]) -> list[Region]:
    """Each grid followed by the grids nested in it, siblings by code."""
    ids = {g.pk for g in grids}
    children: dict[int | None, list[Region]] = defaultdict(list)
    for grid in sorted(grids, key=lambda g: g.code):
        children[grid.parent_id if grid.parent_id in ids else None].append(grid)
    ordered: list[Region] = []
    stack = list(reversed(children[None]))
    while stack:
        grid = stack.pop()
        ordered.append(grid)
        stack.extend(reversed(children[grid.pk]))
    return ordered


def _grid_staff(user: Any, grids: list[Region]) -> dict[int, list[Any]]:
    """Current grid leaders and workers by grid; empty for users who may not see people."""
    today = timezone.localdate()
    positions = (
        positions_visible(user)
        .filter(region_id__in=[g.pk for g in grids], kind__in=GRID_STAFF_KINDS, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("kind", "starts_on", "pk")
    )
    staff: dict[int, list[Any]] = defaultdict(list)
    for position in positions:
        staff[position.region_id].append(position)
    return staff


def _area_of(user: Any, region: Region) -> Region | None:
    """The map a region is shown on: its community if in scope, else its outermost visible grid."""
    scope = scope_for(user, Capability.STRUCTURE_VIEW)
    if region.level == Level.BUILDING and region.parent is not None:
        region = region.parent
    if region.level == Level.COMMUNITY:
        return region if scope.contains(region.path) else None
    if region.level != Level.GRID:
        return None
    community = region.community()
    if community is not None and scope.contains(community.path):
        return community
    chain = Region.objects.filter(pk__in=[*region.ancestor_ids(), region.pk], level=Level.GRID)
    return next((grid for grid in chain.order_by("depth") if scope.contains(grid.path)), None)


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Pick a community (or grid) to map; straight to it when there is only one."""
    areas = map_areas(request.user)
    if len(areas) == 1:
        return redirect("regions_map:community", pk=areas[0].pk)
    query = request.GET.get("q", "").strip()
    if query:
        areas = [a for a in areas if query.lower() in a.name.lower() or a.code.startswith(query)]
    scope = scope_for(request.user, Capability.STRUCTURE_VIEW)
    # group by street when the user sees the street; otherwise under a plain heading
    groups: dict[tuple[str, str], list[Region]] = defaultdict(list)
    for area in areas:
        street = area.parent if area.level == Level.COMMUNITY else None
        if street is not None and scope.contains(street.path):
            groups[(street.code, street.name)].append(area)
        elif area.level == Level.COMMUNITY:
            groups[("~1", _("Communities"))].append(area)
        else:
            groups[("~2", _("Grids"))].append(area)
    example = areas[0] if areas else None
    context = {
        "groups": [(name, members) for (_code, name), members in sorted(groups.items())],
        "query": query,
        "total": len(areas),
        # the search hint names one of the user's own areas
        "search_hint": (
            _("e.g. %(name)s or %(code)s") % {"name": example.name, "code": example.code} if example else ""
        ),
    }
    if request.headers.get("HX-Request"):
        response = render(request, "regions/map_index.html#community-list", context)
    else:
        response = render(request, "regions/map_index.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _parse_point(raw_lng: str | None, raw_lat: str | None) -> tuple[float, float] | None:
    try:
        lng, lat = float(raw_lng or ""), float(raw_lat or "")
    except ValueError:
        return None
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        return None
    return lng, lat


def parse_lng_lat(text: str) -> tuple[float, float] | None:
    """'106.15, 27.40' (also with '，' or spaces); a latitude typed first is swapped (map.js agrees)."""
    parts = [p for p in re.split(r"[\s,，;；]+", text.strip()) if p]
    if len(parts) != 2:
        return None
    first, second = parts
    try:
        if abs(float(first)) <= 90 < abs(float(second)):
            first, second = second, first
    except ValueError:
        return None
    return _parse_point(first, second)


def _locate_result(user: Any, lng: float, lat: float) -> dict[str, Any]:
    found = grids_at_visible(user, lng, lat)
    if not found:
        return {
            "lng": lng,
            "lat": lat,
            "grid": None,
            "outer": [],
            "edge": [],
            "message": _("This point lies in no grid of your area."),
        }
    inner = found[0]
    # the grids it is nested in, innermost first; anything else found shares an edge with it
    outer = [g for g in found[1:] if inner.path.startswith(g.path)]
    edge = [g for g in found[1:] if g not in outer]
    return {
        "lng": lng,
        "lat": lat,
        "grid": _grid_json(inner),
        "outer": [_grid_json(g) for g in outer],
        "edge": [_grid_json(g) for g in edge],
        "message": _("This point lies in grid %(name)s (%(code)s).")
        % {"name": inner.name, "code": inner.code},
    }


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def community(request: HttpRequest, pk: int) -> HttpResponse:
    region = region_get(request.user, pk)
    area = _area_of(request.user, region)
    if area is None:
        return redirect("regions_map:index")
    if area.pk != region.pk:
        return redirect(f"{reverse('regions_map:community', args=[area.pk])}?grid={region.pk}")
    grids = _tree_order(map_area_grids(request.user, area))
    staff = _grid_staff(request.user, grids)
    rows: list[dict[str, Any]] = []
    for grid in grids:
        nesting = _nesting(grid)
        rows.append({"grid": grid, "nesting": nesting, "indent": nesting - 1, "staff": staff.get(grid.pk)})
    depths = sorted({_nesting(grid) for grid in grids})
    focus = request.GET.get("grid", "")
    focus_id = int(focus) if focus.isdigit() and any(g.pk == int(focus) for g in grids) else None
    # the find box also works without JavaScript: coordinates are located, anything else names a grid
    find = request.GET.get("at", "").strip()[:100]
    located, find_error = None, ""
    if find:
        point = parse_lng_lat(find)
        if point is not None:
            located = _locate_result(request.user, *point)
        else:
            match = next((g for g in grids if find in g.name or g.code == find), None)
            if match is None:
                find_error = _("No grid on this map matches “%(query)s”.") % {"query": find}
            else:
                focus_id = match.pk
    config = {
        "geojson": reverse("regions_map:geojson", args=[area.pk]),
        "locate": reverse("regions_map:locate"),
        "focus": focus_id,
        "located": located,
        "i18n": {
            "locating": _("Finding the grid…"),
            "failed": _("The server could not be reached. Try again."),
            "outer": _("It lies within:"),
            "edge": _("It is also on the edge of:"),
            "open_map": _("Show it on the map of its community"),
            "details": _("Details"),
        },
    }
    context = {
        "area": area,
        "rows": rows,
        "depths": depths,
        "config": config,
        "find": find,
        "find_error": find_error,
        "located": located,
        "focus_id": focus_id,
        "find_placeholder": (
            f"{area.centre_lng:.4f}, {area.centre_lat:.4f}"
            if area.centre_lng is not None and area.centre_lat is not None
            else find_placeholder(request.user)
        ),
    }
    return render(request, "regions/map_community.html", context)


def _feature(grid: Region) -> dict[str, Any]:
    return grid.as_feature(
        code=grid.code, depth=_nesting(grid), parent_id=grid.parent_id, url=_detail_url(grid)
    )


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def geojson(request: HttpRequest, pk: int) -> JsonResponse:
    """The grids of one community (or below a grid) that the user may see, as GeoJSON."""
    area = region_get(request.user, pk)
    if area.level not in (Level.COMMUNITY, Level.GRID):
        raise Http404("only a community or a grid has a grid map")
    grids = map_area_grids(request.user, area)
    area_feature = None
    if area.level == Level.COMMUNITY:
        area_feature = {"id": area.pk, "name": area.name, "code": area.code, "geometry": area.geometry}
    return JsonResponse(
        {
            "type": "FeatureCollection",
            # the community's own boundary, a foreign member (RFC 7946 §6.1)
            "community": area_feature,
            "features": [_feature(g) for g in grids if g.geometry],
        }
    )


def _grid_json(grid: Region) -> dict[str, Any]:
    return {
        "id": grid.pk,
        "name": grid.name,
        "code": grid.code,
        "depth": _nesting(grid),
        "url": _detail_url(grid),
        "map_url": reverse("regions_map:community", args=[grid.pk]),
    }


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def locate(request: HttpRequest) -> JsonResponse:
    """Which of the user's grids cover a point: the innermost first, then those around it."""
    point = _parse_point(request.GET.get("lng"), request.GET.get("lat"))
    if point is None:
        return JsonResponse(
            {
                "code": "invalid_coordinates",
                "message": _("Give the longitude (-180 to 180) and latitude (-90 to 90) in degrees."),
            },
            status=400,
        )
    return JsonResponse(_locate_result(request.user, *point))


def _boundary_feature(region: Region) -> dict[str, Any]:
    return region.as_feature(level=region.level)


def _boundaries_response(regions: list[Region]) -> JsonResponse:
    response = JsonResponse(
        {"type": "FeatureCollection", "features": [_boundary_feature(r) for r in regions]}
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def boundaries(request: HttpRequest) -> JsonResponse:
    """The street and community boundaries in the user's scope: the base layer of the staff maps."""
    return _boundaries_response(boundaries_visible(request.user))


@public
@require_GET
def public_boundaries(request: HttpRequest) -> JsonResponse:
    """Street and community boundaries with names only: the base layer of the report map."""
    return _boundaries_response(boundaries_public())


def find_placeholder(user: Any) -> str:
    """An example for the find box taken from the user's own area, not a fixed city."""
    hint = map_hint(user)
    if hint is None or hint.centre_lng is None or hint.centre_lat is None:
        return ""
    return f"{hint.centre_lng:.4f}, {hint.centre_lat:.4f}"
