"""Households (住户) through the households services: a row names its building — or, in a village,
its village group (村民小组: a grid without buildings; the row then has 组 and 门牌号, no unit or
room) — by code and is matched to the household at the same place, house number, unit and room
(updated), else made.
A bad row says which row and why, and then the whole file writes nothing (import_rows)."""

from typing import Any

from django.utils.translation import gettext as _

from tongxin.core.actors import Actor
from tongxin.households.models import Household
from tongxin.households.services import household_create, household_update, place_error
from tongxin.regions.models import Level, Region
from tongxin.transfer.importers.base import LOOKUP_CHUNK, Line, SheetImporter, outside_area

FIELDS = ("street", "house_number", "unit", "room", "note")


def _key(building_id: int, house_number: str, unit: str, room: str) -> tuple[int, str, str, str]:
    return (building_id, house_number.strip(), unit.strip(), room.strip())


class HouseholdSheetImporter(SheetImporter):
    field_columns = {
        "building": "building_code",
        "street": "street",
        "house_number": "house_number",
        "unit": "unit",
        "room": "room",
        "note": "note",
    }
    required_columns = ("building_code",)
    region_columns = ("building_code",)

    def run(self) -> None:
        self._place_errors: dict[int, str | None] = {}
        lines = self.parse_all()
        self.duplicates(lines, self._identity, "room")
        buildings = {r.pk for r in (self._building(line) for line in lines) if r is not None}
        self.existing: dict[tuple[int, str, str, str], Household] = {}
        ids = sorted(buildings)
        for i in range(0, len(ids), LOOKUP_CHUNK):
            for h in Household.objects.filter(building_id__in=ids[i : i + LOOKUP_CHUNK], active=True):
                self.existing[_key(h.building_id, h.house_number, h.unit, h.room)] = h
        for line in lines:
            if not line.failed:
                self.import_line(line)

    def _identity(self, line: Line) -> Any:
        if not line.get("building_code") or not (line.get("room") or line.get("house_number")):
            return None
        return (
            line.get("building_code"),
            line.get("house_number") or "",
            line.get("unit") or "",
            line.get("room"),
        )

    def _building(self, line: Line) -> Region | None:
        code = line.get("building_code")
        return self.region(code) if code else None

    def precheck(self, line: Line) -> None:
        super().precheck(line)
        building = self._building(line)
        if building is None:
            return
        if building.level not in (Level.BUILDING, Level.GRID):
            self.fail(
                line,
                "building_code",
                _("%(code)s is neither a building nor a village group.") % {"code": building.code},
            )
        elif not self.scope.contains(building.path):
            self.fail(line, "building_code", outside_area())
        elif building.level == Level.GRID:
            if building.pk not in self._place_errors:
                self._place_errors[building.pk] = place_error(building)
            wrong = self._place_errors[building.pk]
            if wrong:
                self.fail(line, "building_code", wrong)

    def import_line(self, line: Line) -> None:
        building = self._building(line)
        if building is None:
            return
        values = {k: line.get(k) or "" for k in FIELDS}
        actor: Actor = self.user
        found = self.existing.get(_key(building.pk, values["house_number"], values["unit"], values["room"]))
        if found is None:
            made = self.save(line, lambda: household_create(actor=actor, building=building, **values))
            if made is not None:
                self.existing[_key(building.pk, made.house_number, made.unit, made.room)] = made
                self.tally.created += 1
        else:
            # the address identifies the household: a filled street or note cell changes it
            changes = {k: line.get(k) for k in ("street", "note") if line.has(k)}
            changes = {k: v for k, v in changes.items() if getattr(found, k) != v.strip()}
            if not changes:
                self.tally.unchanged += 1
            elif (
                self.save(line, lambda: household_update(household=found, actor=actor, **changes)) is not None
            ):
                self.tally.updated += 1
