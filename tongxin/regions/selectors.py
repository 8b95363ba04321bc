"""Reads of the region tree, always through the user's scope."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from shapely.geometry import Point, shape
from shapely.prepared import prep

from tongxin.core.permissions import get_for_user
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib import geo
from tongxin.lib.tree import subtree_range
from tongxin.regions.models import Level, Region, RegionCell


def regions_visible(user: Any, *, capability: str = Capability.STRUCTURE_VIEW) -> QuerySet[Region]:
    return Region.objects.filter(scope_for(user, capability).q("path"))


def region_get(user: Any, pk: Any, *, capability: str = Capability.STRUCTURE_VIEW) -> Region:
    """The region, or 404 if it does not exist or lies outside the user's scope."""
    return get_object_or_404(regions_visible(user, capability=capability), pk=pk)


def region_roots(user: Any, *, capability: str = Capability.STRUCTURE_VIEW) -> list[Region]:
    roots = scope_for(user, capability).roots
    return list(Region.objects.filter(path__in=roots).order_by("path"))


def region_children(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=region).order_by("code")


def region_ancestors(region: Region, *, within: Any = None) -> list[Region]:
    """Ancestors from the root down; with `within` (a Scope), only those inside it."""
    ancestors = list(Region.objects.filter(pk__in=region.ancestor_ids()).order_by("depth"))
    if within is not None:
        ancestors = [a for a in ancestors if within.contains(a.path)]
    return ancestors


def region_subtree(region: Region) -> QuerySet[Region]:

    low, high = subtree_range(region.path)
    return Region.objects.filter(path__gte=low, path__lt=high)


def community_grids(community: Region) -> QuerySet[Region]:
    return region_subtree(community).filter(level=Level.GRID).order_by("depth", "code")


# prepared polygons by (id, updated_at as the database returns it): a changed grid gets a new key,
# so the cache never serves an old boundary; it is per process and bounded
_PREPARED: dict[tuple[int, Any], Any] = {}
_PREPARED_MAX = 200_000
# in the model's field order, as Model.from_db expects
_FIELDS = ["id", "name", "level", "kind", "code", "parent_id", "path", "depth"]


def _lookup_sql(statement: str) -> str:
    return statement.format(region=Region._meta.db_table, cell=RegionCell._meta.db_table)


# the look-up runs thousands of times a second: fixed SQL through the cursor, because compiling
# the equivalent ORM query costs more than the database's work (BENCHMARKS.md)
_CANDIDATES = (
    "SELECT r.id, r.name, r.level, r.kind, r.code, r.parent_id, r.path, r.depth, r.updated_at "
    "FROM {cell} c JOIN {region} r ON r.id = c.region_id "
    "WHERE c.cell = %s AND r.min_lng <= %s AND r.max_lng >= %s AND r.min_lat <= %s AND r.max_lat >= %s "
    "ORDER BY r.depth DESC, r.code"
)
_GEOMETRIES = "SELECT id, updated_at, geometry FROM {region} WHERE id IN ({marks})"


def _prepared_polygons(keys: list[tuple[int, Any]]) -> list[Any]:
    import json

    missing = [pk for pk, stamp in keys if (pk, stamp) not in _PREPARED]
    if missing:
        if len(_PREPARED) > _PREPARED_MAX:
            _PREPARED.clear()
            missing = [pk for pk, _stamp in keys]  # the ones cached a moment ago are gone too
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(_lookup_sql(_GEOMETRIES.replace("{marks}", marks)), missing)
            for pk, stamp, geometry in cursor.fetchall():
                if isinstance(geometry, str):
                    geometry = json.loads(geometry)
                _PREPARED[(pk, stamp)] = prep(shape(geometry)) if geometry else None
    return [_PREPARED.get(key) for key in keys]


def grids_at(lng: float, lat: float) -> list[Region]:
    """Every grid whose polygon covers the point, the most deeply nested first.

    Cell index prefilter (one indexed equality), then bounding box, then the exact test.
    """
    from shapely.geometry import Point

    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(_CANDIDATES), [geo.cell_of(lng, lat), lng, lng, lat, lat])
        rows = cursor.fetchall()
    point = Point(lng, lat)
    polygons = _prepared_polygons([(row[0], row[-1]) for row in rows])
    return [
        Region.from_db(connection.alias, _FIELDS, row[:-1])
        for row, polygon in zip(rows, polygons, strict=True)
        if polygon is not None and polygon.covers(point)
    ]


def grid_at(lng: float, lat: float) -> Region | None:
    """The most specific grid at a point (nested grids: the innermost)."""
    found = grids_at(lng, lat)
    return found[0] if found else None


def grids_at_visible(user: Any, lng: float, lat: float) -> list[Region]:
    """`grids_at` limited to the user's scope (a grid outside it is never named)."""
    scope = scope_for(user, Capability.STRUCTURE_VIEW)
    return [grid for grid in grids_at(lng, lat) if scope.contains(grid.path)]


def map_areas(user: Any) -> list[Region]:
    """What the map can show the user: each community in scope, plus grids the user reaches
    without their community (a grid worker's scope), with the parent loaded for grouping."""
    visible = regions_visible(user).select_related("parent")
    communities = list(visible.filter(level=Level.COMMUNITY).order_by("path"))
    scope = scope_for(user, Capability.STRUCTURE_VIEW)
    root_grids = [
        grid
        for grid in visible.filter(level=Level.GRID, path__in=scope.roots)
        if not any(grid.path.startswith(c.path) for c in communities)
    ]
    return communities + root_grids


def map_area_grids(user: Any, area: Region) -> list[Region]:
    """The grids of a community (or below a grid) that lie in the user's scope, outer first."""
    scope = scope_for(user, Capability.STRUCTURE_VIEW)
    return list(region_subtree(area).filter(scope.q("path"), level=Level.GRID).order_by("depth", "code"))


def regions_with_child_flag(queryset: QuerySet[Region]) -> QuerySet[Region]:
    """Annotate `has_children`, so a tree can draw its expanders without a query per node."""

    return queryset.annotate(has_children=Exists(Region.objects.filter(parent=OuterRef("pk"))))


def region_counts(region: Region) -> dict[str, int]:
    """Communities, grids and buildings in the subtree: one indexed range scan, one query."""

    return region_subtree(region).aggregate(
        communities=Count("pk", filter=Q(level=Level.COMMUNITY)),
        grids=Count("pk", filter=Q(level=Level.GRID)),
        buildings=Count("pk", filter=Q(level=Level.BUILDING)),
    )


def region_choices(
    user: Any,
    *,
    capability: str,
    levels: Any = None,
    within: Region | None = None,
    not_within: Region | None = None,
) -> QuerySet[Region]:
    """Regions a form may offer: inside the user's scope for `capability`, optionally narrowed."""

    queryset = regions_visible(user, capability=capability)
    if levels:
        queryset = queryset.filter(level__in=list(levels))
    if within is not None:
        low, high = subtree_range(within.path)
        queryset = queryset.filter(path__gte=low, path__lt=high)
    if not_within is not None:
        low, high = subtree_range(not_within.path)
        queryset = queryset.exclude(path__gte=low, path__lt=high)
    return queryset.order_by("path")


def editable_region(user: Any, pk: Any, capability: str = Capability.STRUCTURE_EDIT) -> Region:
    """The region for a change: 404 outside the user's view scope, 403 if they may only look at it."""
    region, may_edit = get_for_user(
        Region.objects.all(), pk, user, view=Capability.STRUCTURE_VIEW, edit=capability, path_field="path"
    )
    if not may_edit:
        raise PermissionDenied
    return region


# --- the boundaries drawn under every map ------------------------------------------------------

BOUNDARY_LEVELS = (Level.STREET, Level.COMMUNITY)


def boundaries_visible(user: Any) -> list[Region]:
    """Street and community boundaries inside the user's scope: the muted base of their maps."""
    return list(
        regions_visible(user)
        .filter(level__in=BOUNDARY_LEVELS, geometry__isnull=False)
        .only("pk", "name", "level", "geometry", "depth", "path")
        .order_by("depth", "code")
    )


def boundaries_public() -> list[Region]:
    """Every street and community boundary: the base of the public report map, which already lists
    every community by street and outlines each chosen community."""
    return list(
        Region.objects.filter(level__in=BOUNDARY_LEVELS, geometry__isnull=False)
        .only("pk", "name", "level", "geometry", "depth", "path")
        .order_by("depth", "code")
    )


def map_hint(user: Any) -> Region | None:
    """A community (else a grid) the user may see with a drawn centre: where the map's hints point."""
    for level in (Level.COMMUNITY, Level.GRID):
        found = (
            regions_visible(user)
            .filter(level=level, centre_lng__isnull=False, centre_lat__isnull=False)
            .order_by("path")
            .first()
        )
        if found is not None:
            return found
    return None


def region_contains(region: Region, lng: float, lat: float) -> bool | None:
    """Whether a point lies inside the region's drawn boundary (edges included); None when the
    region has no boundary to tell."""
    if not region.geometry:
        return None
    bounds = region.bounds()
    if bounds is not None and not (bounds[0] <= lng <= bounds[2] and bounds[1] <= lat <= bounds[3]):
        return False
    return bool(shape(region.geometry).covers(Point(lng, lat)))
