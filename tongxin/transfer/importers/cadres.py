"""The cadre roster (干部名册) through the cadres services: a row names the community or village where
the cadre holds a post and the person (by ID number, else by name among that unit's post holders),
and sets their profile. A bad row says which row and why; then the whole file writes nothing."""

from typing import Any

from django.utils.translation import gettext as _

from tongxin.cadres.models import ROSTER_POSITIONS
from tongxin.cadres.services import PROFILE_FIELDS, profile_save
from tongxin.core.actors import Actor
from tongxin.lib.tree import subtree_range
from tongxin.people.models import Person, Position
from tongxin.regions.models import Level, Region
from tongxin.transfer.importers.base import Line, SheetImporter, outside_area
from tongxin.transfer.importers.people import PersonLookup, _masked

FIELDS = PROFILE_FIELDS  # the roster sheet sets exactly the profile the service keeps
FLAGS = ("wealth_leader", "college_graduate_cadre", "veteran")


class CadreSheetImporter(SheetImporter):
    field_columns = {name: name for name in FIELDS}
    required_columns = ("unit_code", "education")
    region_columns = ("unit_code",)

    def run(self) -> None:
        lines = self.parse_all()
        self.people = PersonLookup()
        self.people.prefetch([line.get("id_card") for line in lines])
        self.duplicates(
            lines, lambda line: (line.get("unit_code"), line.get("id_card") or line.get("name")), "name"
        )
        for line in lines:
            if not line.failed:
                self.import_line(line)

    def _unit(self, line: Line) -> Region | None:
        code = line.get("unit_code")
        return self.region(code) if code else None

    def precheck(self, line: Line) -> None:
        super().precheck(line)
        unit = self._unit(line)
        if unit is None:
            return
        if unit.level != Level.COMMUNITY:
            self.fail(line, "unit_code", _("%(code)s is not a community or village.") % {"code": unit.code})
        elif not self.scope.contains(unit.path):
            self.fail(line, "unit_code", outside_area())

    def holder(self, line: Line, unit: Region) -> Person | None:
        low, high = subtree_range(unit.path)
        holders = Person.objects.filter(
            pk__in=Position.objects.filter(
                kind__in=ROSTER_POSITIONS, region__path__gte=low, region__path__lt=high
            ).values("person_id")
        )
        id_card, name = line.get("id_card"), line.get("name")
        if id_card and not _masked(id_card):
            person = self.people.get(id_card)
            if person is None or not holders.filter(pk=person.pk).exists():
                self.fail(
                    line,
                    "id_card",
                    _("Nobody holding a post in %(unit)s has this ID number.") % {"unit": unit.name},
                )
                return None
            return person
        if not name:
            self.fail(line, "name", _("Give the cadre's name or ID number."))
            return None
        found = list(holders.filter(name=name)[:2])
        if len(found) != 1:
            reason = (
                _("Nobody holding a post in %(unit)s is called %(name)s.")
                if not found
                else _("Two people holding a post in %(unit)s are called %(name)s: give the ID number.")
            )
            self.fail(line, "name", reason % {"unit": unit.name, "name": name})
            return None
        return found[0]

    def import_line(self, line: Line) -> None:
        unit = self._unit(line)
        if unit is None:
            return
        person = self.holder(line, unit)
        if person is None:
            return
        values: dict[str, Any] = {k: line.get(k) for k in FIELDS if line.has(k)}
        for flag in FLAGS:
            if flag in values:
                values[flag] = values[flag] == "yes"
        if values.get("political_status") == "party" or (
            "political_status" in values and not values["political_status"]
        ):
            values.pop("political_status")  # Party membership is the person's record, not the roster's
        for text in ("major", "upgrade_school", "note", "upgrade_level"):
            if text in values and values[text] is None:
                values[text] = ""
        actor: Actor = self.user
        if self.save(line, lambda: profile_save(actor=actor, person=person, **values)) is not None:
            self.tally.updated += 1
