"""Regions and grids: matched by code, parents first, through region_create / region_update."""

import math
from typing import Any

from django.utils.translation import gettext as _

from tongxin.lib import geo
from tongxin.regions.models import ALLOWED_PARENT_LEVELS, Level, Region
from tongxin.regions.services import region_create, region_update
from tongxin.transfer.importers.base import Line, SheetImporter, outside_area
from tongxin.transfer.layouts import KINDS_OF_LEVEL, LEVEL_CHOICES


def _same_float(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


class RegionSheetImporter(SheetImporter):
    fixed_level: str | None = None
    field_columns = {
        "code": "code",
        "name": "name",
        "level": "level",
        "kind": "kind",
        "parent": "parent_code",
        "geometry": "boundary",
        "address": "address",
    }

    required_columns = ("code",)

    def run(self) -> None:
        lines = self.parse_all()
        self.duplicates(lines, lambda line: line.get("code"), "code")
        self.prefetch_regions(
            [line.get("code") for line in lines] + [line.get("parent_code") for line in lines]
        )
        self.import_tree(lines, self.import_line)

    def import_line(self, line: Line) -> None:
        if not self.require(line, "code"):
            return
        code = line.get("code")
        existing = self.region(code)
        parent: Region | None = None
        parent_code = line.get("parent_code")
        if parent_code:
            parent = self.region(parent_code)
            if parent is None:
                if parent_code in self.failed_codes:
                    reason = _("The region %(code)s above has problems of its own; see its row.")
                else:
                    reason = _("No region has the code %(code)s.")
                self.fail(line, "parent_code", reason % {"code": parent_code})
                return
        if not self._check_centre(line) or not self._check_kind(line, existing):
            return
        if existing is None:
            self.create(line, code, parent)
        else:
            self.update(line, existing, parent)

    def _level(self, line: Line) -> str | None:
        return self.fixed_level or line.get("level")

    def _check_centre(self, line: Line) -> bool:
        lng, lat = line.get("lng"), line.get("lat")
        if (lng is None) != (lat is None):
            self.fail(
                line, "lat" if lat is None else "lng", _("Give both longitude and latitude, or neither.")
            )
            return False
        if lng is not None and not -180 <= lng <= 180:
            self.fail(line, "lng", _("The longitude must lie between -180 and 180."))
            return False
        if lat is not None and not -90 <= lat <= 90:
            self.fail(line, "lat", _("The latitude must lie between -90 and 90."))
            return False
        return True

    def _check_kind(self, line: Line, existing: Region | None) -> bool:
        kind = line.get("kind")
        level = self._level(line) or (existing.level if existing else None)
        if kind and level and kind not in KINDS_OF_LEVEL[level]:
            self.fail(
                line,
                "kind",
                _("This type does not fit the level %(level)s.") % {"level": LEVEL_CHOICES.label(level)},
            )
            return False
        return True

    def _centre(self, line: Line) -> tuple[float, float] | None:
        if line.get("lng") is None:
            return None
        return (line.get("lng"), line.get("lat"))

    def create(self, line: Line, code: str, parent: Region | None) -> None:
        level = self._level(line)
        if not level:
            self.fail(line, "level", _("Enter the level of the new region."))
            return
        if parent is None:
            if ALLOWED_PARENT_LEVELS[level]:
                self.fail(line, "parent_code", _("Enter the code of the region above."))
            else:
                self.fail(line, "code", outside_area())
            return
        if not self.scope.contains(parent.path):
            self.fail(line, "parent_code", outside_area())
            return
        if level == Level.GRID and not line.has("boundary"):
            self.fail(line, "boundary", _("A grid needs its boundary."))
            return
        region = self.save(
            line,
            lambda: region_create(
                actor=self.user,
                name=line.get("name", ""),
                level=level,
                code=code,
                parent=parent,
                kind=line.get("kind"),
                geometry=line.get("boundary"),
                address=line.get("address", ""),
                centre=self._centre(line),
            ),
        )
        if region is not None:
            self.remember_region(region)
            self.tally.created += 1

    def update(self, line: Line, region: Region, parent: Region | None) -> None:
        if not self.scope.contains(region.path):
            self.fail(line, "code", outside_area())
            return
        if self.fixed_level and region.level != self.fixed_level:
            self.fail(
                line,
                "code",
                _("The code %(code)s belongs to a region of level %(level)s.")
                % {"code": region.code, "level": LEVEL_CHOICES.label(region.level)},
            )
            return
        level = line.get("level")
        if level and level != region.level:
            self.fail(
                line,
                "level",
                _("%(code)s is already a region of level %(level)s; an import cannot change the level.")
                % {"code": region.code, "level": LEVEL_CHOICES.label(region.level)},
            )
            return
        if parent is not None and parent.pk != region.parent_id:
            self.fail(
                line,
                "parent_code",
                _("%(code)s already lies under another region; an import does not move regions.")
                % {"code": region.code},
            )
            return
        changes = self._changes(line, region)
        if changes is None:
            return
        if not changes:
            self.tally.unchanged += 1
            return
        updated = self.save(line, lambda: region_update(region=region, actor=self.user, **changes))
        if updated is not None:
            self.remember_region(updated)
            self.tally.updated += 1

    def _changes(self, line: Line, region: Region) -> dict[str, Any] | None:
        """What differs from the stored region; an empty cell keeps the stored value."""
        changes: dict[str, Any] = {}
        if line.has("name") and line.get("name") != region.name:
            changes["name"] = line.get("name")
        if line.has("kind") and line.get("kind") != region.kind:
            changes["kind"] = line.get("kind")
        if line.has("address") and line.get("address") != region.address:
            changes["address"] = line.get("address")
        if line.has("boundary"):
            try:
                polygon = geo.parse_polygon(line.get("boundary"))
            except geo.GeometryError as exc:
                self.fail(line, "boundary", str(exc))
                return None
            if geo.to_geojson(polygon) != region.geometry:
                changes["geometry"] = line.get("boundary")
        centre = self._centre(line)
        if centre is not None and (
            "geometry" in changes
            or not (_same_float(centre[0], region.centre_lng) and _same_float(centre[1], region.centre_lat))
        ):
            changes["centre"] = centre
        return changes


class GridSheetImporter(RegionSheetImporter):
    fixed_level = Level.GRID
