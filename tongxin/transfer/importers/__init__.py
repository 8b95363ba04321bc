"""Sheet importers by sheet key, and the one transaction an import runs in."""

from typing import Any

from django.db import transaction

from tongxin.transfer.importers.base import ImportScope, SheetImporter
from tongxin.transfer.importers.cadres import CadreSheetImporter
from tongxin.transfer.importers.households import HouseholdSheetImporter
from tongxin.transfer.importers.organisations import OrganisationSheetImporter
from tongxin.transfer.importers.people import PersonSheetImporter, PositionSheetImporter
from tongxin.transfer.importers.regions import GridSheetImporter, RegionSheetImporter
from tongxin.transfer.layouts import Layout
from tongxin.transfer.reading import Upload
from tongxin.transfer.report import ImportReport

SHEET_IMPORTERS: dict[str, type[SheetImporter]] = {
    "regions": RegionSheetImporter,
    "grids": GridSheetImporter,
    "organisations": OrganisationSheetImporter,
    "people": PersonSheetImporter,
    "positions": PositionSheetImporter,
    "households": HouseholdSheetImporter,
    "cadres": CadreSheetImporter,
}


def import_rows(
    *, user: Any, layout: Layout, upload: Upload, report: ImportReport, dry_run: bool = False
) -> None:
    """Validate and write every row in one transaction; any problem (or a dry run) undoes it all."""
    scope = ImportScope(user, layout.edit_capability)
    with transaction.atomic():
        # sheets in layout order: people before the positions that name them
        for rows in upload.sheets:
            importer = SHEET_IMPORTERS[rows.sheet.key](user=user, report=report, scope=scope, rows=rows)
            importer.run()
        if report.issue_count or dry_run:
            transaction.set_rollback(True)
