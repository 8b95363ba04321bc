"""JSON shapes of regions and grids (GeoJSON for grids)."""

from typing import Any, Literal

from ninja import Field, Schema

from tongxin.core.schemas import RegionRef
from tongxin.regions.models import Kind, Level

Longitude = Field(None, ge=-180, le=180)
Latitude = Field(None, ge=-90, le=90)


class RegionOut(Schema):
    id: int
    name: str
    level: str
    kind: str
    code: str
    parent_id: int | None
    depth: int
    address: str
    centre_lng: float | None
    centre_lat: float | None


class RegionDetailOut(RegionOut):
    geometry: dict[str, Any] | None
    bounds: list[float] | None

    @staticmethod
    def resolve_bounds(obj: Any) -> list[float] | None:
        bounds = obj.bounds()
        return list(bounds) if bounds else None


class RegionFilters(Schema):
    level: Level | None = None
    parent: int | None = None
    code: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=100, description="part of the name, or the start of the code")
    within: int | None = Field(None, description="only this region's subtree (itself included)")


class RegionCreateIn(Schema):
    name: str = Field(max_length=100)
    level: Level
    code: str = Field(max_length=20)
    parent: int | None = None
    kind: Kind | None = None
    address: str = Field("", max_length=200)
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON Polygon or MultiPolygon (lng, lat)")
    centre_lng: float | None = Longitude
    centre_lat: float | None = Latitude


class RegionPatchIn(Schema):
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=20)
    kind: Kind | None = None
    address: str | None = Field(None, max_length=200)
    geometry: dict[str, Any] | None = Field(None, description="null removes the boundary")
    centre_lng: float | None = Longitude
    centre_lat: float | None = Latitude


class RegionMoveIn(Schema):
    parent: int
    code: str | None = Field(None, max_length=20, description="a new code, when the old one no longer fits")


class GridProperties(Schema):
    id: int
    name: str
    code: str
    depth: int
    parent_id: int | None


class GridFeature(Schema):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: dict[str, Any] | None
    properties: GridProperties


class GridCollection(Schema):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[GridFeature]


class GridFilters(Schema):
    community: int | None = Field(None, description="the grids of this community")
    within: int | None = Field(None, description="the grids inside this region")


class LocateQuery(Schema):
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class GridOut(Schema):
    id: int
    name: str
    code: str
    depth: int
    parent_id: int | None


class LocateOut(Schema):
    grid: GridOut = Field(description="the innermost grid at the point that lies in your area")
    outer: list[GridOut] = Field(description="the grids around it, innermost first")
    community: RegionRef | None


def grid_feature(region: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": region.pk,
        "geometry": region.geometry,
        "properties": {
            "id": region.pk,
            "name": region.name,
            "code": region.code,
            "depth": region.depth,
            "parent_id": region.parent_id,
        },
    }
