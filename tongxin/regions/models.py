"""The region tree: 市 → 区县 → 街道/乡镇 → 社区/村 → 网格 → 楼栋."""

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.lib import codes
from tongxin.lib.tree import ancestor_ids


class Level(models.TextChoices):
    CITY = codes.CITY, _("City")
    COUNTY = codes.COUNTY, _("County / district")
    STREET = codes.STREET, _("Street / township")
    COMMUNITY = codes.COMMUNITY, _("Community / village")
    GRID = codes.GRID, _("Grid")
    BUILDING = codes.BUILDING, _("Building")


LEVEL_ORDER = [Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING]

# which levels a node of each level may hang under; grids may nest inside grids
ALLOWED_PARENT_LEVELS: dict[str, set[str]] = {
    Level.CITY: set(),
    Level.COUNTY: {Level.CITY},
    Level.STREET: {Level.COUNTY},
    Level.COMMUNITY: {Level.STREET},
    Level.GRID: {Level.COMMUNITY, Level.GRID},
    Level.BUILDING: {Level.GRID},
}


class Kind(models.TextChoices):
    """The local name of a level: 区/县/旗, 街道/乡镇/苏木, 社区/村/嘎查."""

    CITY = "city", _("City (市)")
    DISTRICT = "district", _("District (区)")
    COUNTY = "county", _("County (县)")
    BANNER = "banner", _("Banner (旗)")
    STREET = "street", _("Street (街道)")
    TOWN = "town", _("Town (镇)")
    TOWNSHIP = "township", _("Township (乡)")
    SUMU = "sumu", _("Sumu (苏木)")
    COMMUNITY = "community", _("Community (社区)")
    VILLAGE = "village", _("Village (村)")
    GACHA = "gacha", _("Gacha (嘎查)")
    GRID = "grid", _("Grid (网格)")
    BUILDING = "building", _("Building (楼栋)")


DEFAULT_KIND = {
    Level.CITY: Kind.CITY,
    Level.COUNTY: Kind.DISTRICT,
    Level.STREET: Kind.STREET,
    Level.COMMUNITY: Kind.COMMUNITY,
    Level.GRID: Kind.GRID,
    Level.BUILDING: Kind.BUILDING,
}


class Region(models.Model):
    """A node of the region tree (行政区划 and 网格)."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # '/1/5/23/': ids from the root down; subtree queries are one indexed range scan
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    geometry = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    centre_lng = models.FloatField(_("longitude"), null=True, blank=True)
    centre_lat = models.FloatField(_("latitude"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"], name="region_level_path")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:

        return reverse("regions:detail", args=[self.pk])

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    def ancestor_ids(self) -> list[int]:
        return ancestor_ids(self.path)[:-1]

    def community(self) -> "Region | None":
        """The community a grid or building belongs to (itself for a community)."""
        if self.level == Level.COMMUNITY:
            return self
        return (
            Region.objects.filter(pk__in=self.ancestor_ids(), level=Level.COMMUNITY).first()
            if self.path
            else None
        )

    def bounds(self) -> tuple[float, float, float, float] | None:
        if self.min_lng is None:
            return None
        return (self.min_lng, self.min_lat, self.max_lng, self.max_lat)  # type: ignore[return-value]

    def as_feature(self, **properties: Any) -> dict[str, Any]:
        """The region as a GeoJSON feature: its outline, id and name, and the properties given."""
        return {
            "type": "Feature",
            "id": self.pk,
            "geometry": self.geometry,
            "properties": {"id": self.pk, "name": self.name, **properties},
        }


class RegionCell(models.Model):
    """Which grids touch which ~200 m cell: the prefilter of the point → grid look-up."""

    cell = models.BigIntegerField(db_index=True)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="cells")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "region"], name="regioncell_unique")]

    def __str__(self) -> str:
        return f"cell {self.cell} → region {self.region_id}"
