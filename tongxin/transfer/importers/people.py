"""People (人员) and their positions (职务), through person_* and position_* services.

People are matched by ID-card number; without one, by name + home region + phone. A masked
number (from a masked export) is never stored: it only helps to find the person, and the
stored number is kept.
"""

from typing import Any

from django.utils.translation import gettext as _

from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.organisations.models import PartyOrganisation
from tongxin.people.models import Person, Position
from tongxin.people.services import (
    find_person_by_id_card,
    person_create,
    person_update,
    position_create,
    position_update,
)
from tongxin.regions.models import Region
from tongxin.transfer import cells
from tongxin.transfer.importers.base import LOOKUP_CHUNK, Line, SheetImporter, outside_area
from tongxin.transfer.importers.organisations import OrganisationLookup

PERSON_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "address",
    "employer",
    "party_status",
    "party_joined_on",
    "party_full_on",
)
# more namesakes than this in one place and the row must carry an ID number
MAX_CANDIDATES = 20


def _phone_hash(phone: str) -> str:
    probe = Person()
    probe.set_phone(phone)
    return probe.phone_hash


def _id_card_hash(number: str) -> str:
    probe = Person()
    probe.set_id_card(number)
    return probe.id_card_hash


def _masked(value: str | None) -> bool:
    return bool(value) and cells.is_masked(value or "")


def _matches_phone(person: Person, phone: str | None) -> bool:
    if not phone:
        return True
    if _masked(phone):
        return person.phone_last4 == phone[-4:] and person.phone_masked == phone
    return person.phone_hash == _phone_hash(phone)


class PersonLookup:
    """People by full ID-card number, fetched in bulk by the keyed hash the model stores."""

    def __init__(self) -> None:
        self._by_number: dict[str, Person | None] = {}

    def prefetch(self, numbers: list[str]) -> None:
        wanted = {n for n in numbers if n and not _masked(n) and n not in self._by_number}
        hashes = {_id_card_hash(n): n for n in wanted}
        digests = sorted(hashes)
        for i in range(0, len(digests), LOOKUP_CHUNK):
            chunk = digests[i : i + LOOKUP_CHUNK]
            for person in Person.objects.filter(id_card_hash__in=chunk).select_related("region"):
                self._by_number[hashes[person.id_card_hash]] = person
        for number in wanted:
            self._by_number.setdefault(number, None)

    def get(self, number: str) -> Person | None:
        if number not in self._by_number:
            self._by_number[number] = find_person_by_id_card(number)
        return self._by_number[number]

    def remember(self, number: str, person: Person) -> None:
        self._by_number[number] = person


class PersonSheetImporter(SheetImporter):
    field_columns = {
        "name": "name",
        "gender": "gender",
        "birth_date": "birth_date",
        "ethnicity": "ethnicity",
        "region": "region_code",
        "address": "address",
        "employer": "employer",
        "party_status": "party_status",
        "party_joined_on": "party_joined_on",
        "party_full_on": "party_full_on",
        "branch": "branch_code",
        "phone": "phone",
        "id_card": "id_card",
    }

    region_columns = ("region_code",)

    def run(self) -> None:
        self.orgs = OrganisationLookup()
        self.branch_scope = scope_for(self.user, Capability.STRUCTURE_VIEW)
        lines = self.parse_all()
        self.people = PersonLookup()
        self.people.prefetch([line.get("id_card") for line in lines])
        # places where someone is known without an ID number: only there can a namesake match
        region_ids = {
            r.pk
            for r in (self.region(line.get("region_code")) for line in lines if line.get("region_code"))
            if r
        }
        self.unidentified_in = set(
            Person.objects.filter(region_id__in=region_ids, id_card_hash="")
            .values_list("region_id", flat=True)
            .distinct()
        )
        self.duplicates(lines, self._identity, "id_card")
        for line in lines:
            if not line.failed:
                self.import_line(line)

    @staticmethod
    def _identity(line: Line) -> Any:
        id_card = line.get("id_card")
        if id_card and not _masked(id_card):
            return ("id", id_card)
        if not id_card and line.get("name") and line.get("region_code"):
            return ("name", line.get("name"), line.get("region_code"), line.get("phone") or "")
        return None

    def prefetch(self, lines: list[Line]) -> None:
        super().prefetch(lines)
        self.orgs.prefetch([line.get("branch_code") for line in lines])

    def precheck(self, line: Line) -> None:
        super().precheck(line)
        self.branch_cell(line)

    def branch_cell(self, line: Line) -> tuple[bool, PartyOrganisation | None]:
        if not line.get("branch_code"):
            return True, None
        branch = self.orgs.get(line.get("branch_code"))
        if branch is None:
            self.fail(
                line,
                "branch_code",
                _("No Party organisation has the code %(code)s.") % {"code": line.get("branch_code")},
            )
            return False, None
        if not self.branch_scope.contains(branch.region.path):
            self.fail(line, "branch_code", outside_area())
            return False, None
        return True, branch

    def import_line(self, line: Line) -> None:
        ok, region = self.region_cell(line, "region_code")
        if not ok:
            return
        ok, branch = self.branch_cell(line)
        if not ok:
            return
        found, person = self.match(line, region)
        if not found:
            return
        if person is None:
            self.create(line, region, branch)
        else:
            self.update(line, person, region, branch)

    # -- who is this row? ------------------------------------------------------------------
    def match(self, line: Line, region: Region | None) -> tuple[bool, Person | None]:
        """(True, person or None for a new one), or (False, None) after failing the row."""
        name, id_card, phone = line.get("name"), line.get("id_card"), line.get("phone")
        if id_card and not _masked(id_card):
            person = self.people.get(id_card)
            if person is not None:
                return True, person
            if region is None or region.pk not in self.unidentified_in:
                return True, None
            # someone already known by name, place and phone who had no ID number yet
            namesakes = [p for p in self._namesakes(name, region, phone) if not p.id_card_hash]
            return True, namesakes[0] if len(namesakes) == 1 else None
        if id_card:
            if not name or region is None:
                self.fail(
                    line,
                    "id_card",
                    _("A masked ID number can only be matched together with the name and home region."),
                )
                return False, None
            namesakes = [p for p in self._namesakes(name, region, phone) if p.id_card_masked == id_card]
            if not namesakes:
                self.fail(
                    line,
                    "id_card",
                    _("Nobody with this name and masked ID number lives there. Enter the full ID number."),
                )
                return False, None
        else:
            namesakes = self._namesakes(name, region, phone)
            if not namesakes:
                return True, None
        if len(namesakes) > 1:
            self.fail(
                line,
                "name",
                _("Several people of this name live there. Add the ID number to tell them apart."),
            )
            return False, None
        return True, namesakes[0]

    def _namesakes(self, name: str | None, region: Region | None, phone: str | None) -> list[Person]:
        if not name or region is None:
            return []
        queryset = Person.objects.filter(name=name, region=region).select_related("region")
        if phone and not _masked(phone):
            queryset = queryset.filter(phone_hash=_phone_hash(phone))
        elif phone:
            queryset = queryset.filter(phone_last4=phone[-4:])
        return [p for p in queryset[:MAX_CANDIDATES] if _matches_phone(p, phone)]

    # -- writes ----------------------------------------------------------------------------
    def create(self, line: Line, region: Region | None, branch: PartyOrganisation | None) -> None:
        if not self.require(line, "name", "region_code"):
            return
        assert region is not None
        if not self.scope.contains(region.path):
            self.fail(line, "region_code", outside_area())
            return
        for key in ("phone", "id_card"):
            if _masked(line.get(key)):
                self.fail(
                    line, key, _("A masked number cannot be saved. Enter the full number or leave it empty.")
                )
                return
        data = {key: line.get(key) for key in PERSON_FIELDS if line.has(key)}
        person = self.save(
            line,
            lambda: person_create(
                phone=line.get("phone", ""),
                id_card=line.get("id_card", ""),
                region=region,
                branch=branch,
                **data,
            ),
        )
        if person is not None:
            self.tally.created += 1
            if person.id_card_hash:
                self.people.remember(line.get("id_card"), person)
            else:
                self.unidentified_in.add(region.pk)

    def update(
        self, line: Line, person: Person, region: Region | None, branch: PartyOrganisation | None
    ) -> None:
        if not self.scope.contains(person.region.path):
            self.fail(line, "id_card" if line.has("id_card") else "name", outside_area())
            return
        changes: dict[str, Any] = {}
        for key in PERSON_FIELDS:
            if line.has(key) and line.get(key) != getattr(person, key):
                changes[key] = line.get(key)
        if region is not None and region.pk != person.region_id:
            if not self.scope.contains(region.path):
                self.fail(line, "region_code", outside_area())
                return
            changes["region"] = region
        if branch is not None and branch.pk != person.branch_id:
            changes["branch"] = branch
        phone, id_card = line.get("phone"), line.get("id_card")
        if phone and not _masked(phone) and _phone_hash(phone) != person.phone_hash:
            changes["phone"] = phone
        if id_card and not _masked(id_card) and _id_card_hash(id_card) != person.id_card_hash:
            changes["id_card"] = id_card
        if not changes:
            self.tally.unchanged += 1
            return
        updated = self.save(line, lambda: person_update(person=person, actor=self.user, **changes))
        if updated is not None:
            self.tally.updated += 1
            if "id_card" in changes:
                self.people.remember(id_card, updated)


class PositionSheetImporter(SheetImporter):
    field_columns = {
        "kind": "kind",
        "region": "region_code",
        "organisation": "org_code",
        "starts_on": "starts_on",
        "ends_on": "ends_on",
    }

    required_columns = ("kind", "starts_on")
    region_columns = ("region_code",)

    def run(self) -> None:
        self.orgs = OrganisationLookup()
        lines = self.parse_all()
        self.people_scope = scope_for(self.user, Capability.PEOPLE_EDIT)
        self.people = PersonLookup()
        self.people.prefetch([line.get("id_card") for line in lines])
        self.duplicates(
            lines,
            lambda line: (
                line.get("id_card") or line.get("name"),
                line.get("kind"),
                line.get("org_code") or line.get("region_code"),
                line.get("starts_on"),
            ),
            "kind",
        )
        for line in lines:
            if not line.failed:
                self.import_line(line)

    def prefetch(self, lines: list[Line]) -> None:
        super().prefetch(lines)
        self.orgs.prefetch([line.get("org_code") for line in lines])

    def precheck(self, line: Line) -> None:
        super().precheck(line)
        code = line.get("org_code")
        if code and self.orgs.get(code) is None:
            self.fail(line, "org_code", _("No Party organisation has the code %(code)s.") % {"code": code})

    def holder(self, line: Line) -> Person | None:
        id_card, name = line.get("id_card"), line.get("name")
        if id_card and not _masked(id_card):
            person = self.people.get(id_card)
            if person is None:
                self.fail(
                    line,
                    "id_card",
                    _("Nobody in Tongxin has this ID number. Add the person on the 人员 sheet first."),
                )
            return person
        if not name:
            self.fail(line, "name", _("Without a full ID number, give the person's name."))
            return None
        if id_card:
            namesakes = [p for p in Person.objects.filter(name=name) if p.id_card_masked == id_card]
        else:
            namesakes = list(
                Person.objects.filter(self.people_scope.q("region__path"), name=name, id_card_hash="")[
                    :MAX_CANDIDATES
                ]
            )
        if len(namesakes) == 1:
            return namesakes[0]
        if namesakes:
            self.fail(line, "name", _("Several people of this name are known. Add the full ID number."))
        else:
            self.fail(line, "name", _("Nobody of this name is known. Add the full ID number."))
        return None

    def import_line(self, line: Line) -> None:
        if not self.require(line, "kind", "starts_on"):
            return
        person = self.holder(line)
        if person is None:
            return
        ok, region = self.region_cell(line, "region_code")
        if not ok:
            return
        org: PartyOrganisation | None = None
        if line.get("org_code"):
            org = self.orgs.get(line.get("org_code"))
            if org is None:
                self.fail(
                    line,
                    "org_code",
                    _("No Party organisation has the code %(code)s.") % {"code": line.get("org_code")},
                )
                return
        place = region or (org.region if org is not None else None)
        if place is None:
            self.fail(line, "region_code", _("Enter the region code or the organisation code."))
            return
        if not self.scope.contains(place.path) or (
            org is not None and not self.scope.contains(org.region.path)
        ):
            self.fail(line, "region_code" if region is not None else "org_code", outside_area())
            return
        existing = self._existing(person, line, region, org)
        if existing is None:
            created = self.save(
                line,
                lambda: position_create(
                    person=person,
                    kind=line.get("kind"),
                    starts_on=line.get("starts_on"),
                    region=region,
                    organisation=org,
                    ends_on=line.get("ends_on"),
                ),
            )
            if created is not None:
                self.tally.created += 1
            return
        changes: dict[str, Any] = {}
        if line.has("ends_on") and line.get("ends_on") != existing.ends_on:
            changes["ends_on"] = line.get("ends_on")
        if region is not None and region.pk != existing.region_id:
            changes["region"] = region
        if not changes:
            self.tally.unchanged += 1
            return
        # region is passed every time: position_update would otherwise reset it to the organisation's
        changes.setdefault("region", existing.region)
        if (
            self.save(line, lambda: position_update(position=existing, actor=self.user, **changes))
            is not None
        ):
            self.tally.updated += 1

    @staticmethod
    def _existing(
        person: Person, line: Line, region: Region | None, org: PartyOrganisation | None
    ) -> Position | None:
        queryset = Position.objects.filter(
            person=person, kind=line.get("kind"), starts_on=line.get("starts_on")
        )
        if org is not None:
            queryset = queryset.filter(organisation=org)
        else:
            queryset = queryset.filter(region=region, organisation__isnull=True)
        return queryset.select_related("region").first()
