"""Grid geometry: GeoJSON polygons, bounding boxes and the cell index for point look-ups.

Coordinates are (longitude, latitude) in the datum the deployment uses (GCJ-02 or CGCS2000);
Tongxin never converts between datums, it only needs all layers to agree.
"""

import math
from collections.abc import Iterator
from typing import Any

from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

# ~200 m cells: a city grid touches a handful, so a look-up reads a handful of candidates.
CELL_DEGREES = 0.002
MAX_CELLS_PER_POLYGON = 250_000


class GeometryError(ValueError):
    pass


def _(message: str) -> str:
    # lib stays framework-free; the message is translated when Django is there
    try:
        from django.utils.translation import gettext
    except ImportError:  # pragma: no cover
        return message
    return gettext(message)


def parse_polygon(geojson: Any) -> Polygon | MultiPolygon:
    """Accept a GeoJSON Polygon/MultiPolygon geometry, Feature or single-feature collection."""
    if not isinstance(geojson, dict):
        raise GeometryError(_("Geometry must be a GeoJSON object."))
    if geojson.get("type") == "FeatureCollection":
        features = geojson.get("features") or []
        if len(features) != 1:
            raise GeometryError(_("A FeatureCollection must hold exactly one feature."))
        geojson = features[0]
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    if geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise GeometryError(_("Geometry must be a Polygon or MultiPolygon."))
    try:
        geom = shape(geojson)
    except Exception as exc:
        raise GeometryError(_("The coordinates cannot be read.")) from exc
    if geom.is_empty:
        raise GeometryError(_("The polygon is empty."))
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise GeometryError(_("Coordinates must be longitude, latitude in degrees."))
    if not geom.is_valid:
        raise GeometryError(
            _("The polygon is not valid (it crosses itself or its rings overlap): %(why)s.")
            % {"why": explain_validity(geom)}
        )
    if geom.area == 0:
        raise GeometryError(_("The polygon has no area."))
    return geom


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    from shapely.geometry import mapping

    result: dict[str, Any] = dict(mapping(geom))
    # tuples to lists, so the value round-trips through JSON unchanged
    result["coordinates"] = _listify(result["coordinates"])
    return result


def _listify(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_listify(v) for v in value]
    return value


def cell_of(lng: float, lat: float) -> int:
    ix = math.floor(lng / CELL_DEGREES)
    iy = math.floor(lat / CELL_DEGREES)
    return (ix + 200_000) * 1_000_000 + (iy + 100_000)


def cells_covering(bounds: tuple[float, float, float, float]) -> Iterator[int]:
    min_lng, min_lat, max_lng, max_lat = bounds
    x0, x1 = math.floor(min_lng / CELL_DEGREES), math.floor(max_lng / CELL_DEGREES)
    y0, y1 = math.floor(min_lat / CELL_DEGREES), math.floor(max_lat / CELL_DEGREES)
    if (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_CELLS_PER_POLYGON:
        raise GeometryError(_("The polygon is too large for a grid."))
    for ix in range(x0, x1 + 1):
        for iy in range(y0, y1 + 1):
            yield (ix + 200_000) * 1_000_000 + (iy + 100_000)


def contains(geom: BaseGeometry, lng: float, lat: float) -> bool:
    """Points on the boundary count as inside (covers), so a shared edge resolves to both."""
    return bool(geom.covers(Point(lng, lat)))


def rectangle(min_lng: float, min_lat: float, max_lng: float, max_lat: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [min_lng, min_lat],
                [max_lng, min_lat],
                [max_lng, max_lat],
                [min_lng, max_lat],
                [min_lng, min_lat],
            ]
        ],
    }
