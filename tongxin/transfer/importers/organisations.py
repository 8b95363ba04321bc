"""Party organisations: matched by code, parents first, through organisation_create / _update."""

from typing import Any

from django.utils.translation import gettext as _

from tongxin.organisations.models import PartyOrganisation
from tongxin.organisations.services import organisation_create, organisation_update
from tongxin.transfer.importers.base import LOOKUP_CHUNK, Line, SheetImporter, outside_area


class OrganisationLookup:
    """Organisations by code, including those created earlier in the same import."""

    def __init__(self) -> None:
        self._by_code: dict[str, PartyOrganisation | None] = {}

    def prefetch(self, codes: list[str]) -> None:
        wanted = sorted({c for c in codes if c and c not in self._by_code})
        for i in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[i : i + LOOKUP_CHUNK]
            found = {
                o.code: o for o in PartyOrganisation.objects.filter(code__in=chunk).select_related("region")
            }
            for code in chunk:
                self._by_code[code] = found.get(code)

    def get(self, code: str) -> PartyOrganisation | None:
        if code not in self._by_code:
            self._by_code[code] = PartyOrganisation.objects.filter(code=code).select_related("region").first()
        return self._by_code[code]

    def remember(self, org: PartyOrganisation) -> None:
        self._by_code[org.code] = org


class OrganisationSheetImporter(SheetImporter):
    field_columns = {
        "name": "name",
        "kind": "kind",
        "code": "code",
        "parent": "parent_code",
        "region": "region_code",
        "founded_on": "founded_on",
        "term_ends_on": "term_ends_on",
    }

    required_columns = ("code",)
    region_columns = ("region_code",)

    def run(self) -> None:
        lines = self.parse_all()
        self.duplicates(lines, lambda line: line.get("code"), "code")
        self.orgs = OrganisationLookup()
        self.orgs.prefetch([line.get("code") for line in lines] + [line.get("parent_code") for line in lines])
        self.prefetch_regions([line.get("region_code") for line in lines])
        self.import_tree(lines, self.import_line)

    def import_line(self, line: Line) -> None:
        if not self.require(line, "code"):
            return
        code = line.get("code")
        parent: PartyOrganisation | None = None
        parent_code = line.get("parent_code")
        if parent_code:
            parent = self.orgs.get(parent_code)
            if parent is None:
                if parent_code in self.failed_codes:
                    reason = _("The organisation %(code)s above has problems of its own; see its row.")
                else:
                    reason = _("No Party organisation has the code %(code)s.")
                self.fail(line, "parent_code", reason % {"code": parent_code})
                return
        ok, region = self.region_cell(line, "region_code")
        if not ok:
            return
        existing = self.orgs.get(code)
        if existing is None:
            self.create(line, code, parent, region)
        else:
            self.update(line, existing, parent, region)

    def create(self, line: Line, code: str, parent: PartyOrganisation | None, region: Any) -> None:
        if not self.require(line, "name", "kind", "region_code"):
            return
        if not self.scope.contains(region.path):
            self.fail(line, "region_code", outside_area())
            return
        org = self.save(
            line,
            lambda: organisation_create(
                name=line.get("name"),
                kind=line.get("kind"),
                code=code,
                region=region,
                parent=parent,
                founded_on=line.get("founded_on"),
                term_ends_on=line.get("term_ends_on"),
            ),
        )
        if org is not None:
            self.orgs.remember(org)
            self.tally.created += 1

    def update(
        self, line: Line, org: PartyOrganisation, parent: PartyOrganisation | None, region: Any
    ) -> None:
        if not self.scope.contains(org.region.path):
            self.fail(line, "code", outside_area())
            return
        if parent is not None and parent.pk != org.parent_id:
            self.fail(
                line,
                "parent_code",
                _("%(code)s already lies under another organisation; an import does not move organisations.")
                % {"code": org.code},
            )
            return
        changes: dict[str, Any] = {}
        for key in ("name", "kind", "founded_on", "term_ends_on"):
            if line.has(key) and line.get(key) != getattr(org, key):
                changes[key] = line.get(key)
        if region is not None and region.pk != org.region_id:
            if not self.scope.contains(region.path):
                self.fail(line, "region_code", outside_area())
                return
            changes["region"] = region
        if not changes:
            self.tally.unchanged += 1
            return
        updated = self.save(line, lambda: organisation_update(organisation=org, actor=self.user, **changes))
        if updated is not None:
            self.orgs.remember(updated)
            self.tally.updated += 1
