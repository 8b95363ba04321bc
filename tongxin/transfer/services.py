"""Import and export: the one path the pages, the console command and tests go through.

Every import and export is audited (Action.IMPORT / Action.EXPORT), refused ones included.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongxin.audit.models import Action, Outcome
from tongxin.audit.services import audit_record
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for
from tongxin.regions.models import Region
from tongxin.transfer import exporters, layouts, selectors
from tongxin.transfer.exporters import ExportFile
from tongxin.transfer.importers import import_rows
from tongxin.transfer.reading import FileRejected, read_upload
from tongxin.transfer.report import ImportReport

XLSX, GEOJSON = "xlsx", "geojson"


def _layout(kind: str) -> layouts.Layout:
    layout = layouts.layout_for(kind)
    if layout is None:
        raise ValueError(f"unknown kind {kind!r}")
    return layout


def can_import(user: Any, kind: str) -> bool:
    layout = _layout(kind)
    return has_capability(user, Capability.DATA_IMPORT) and has_capability(user, layout.edit_capability)


def can_export(user: Any, kind: str) -> bool:
    layout = _layout(kind)
    return has_capability(user, Capability.DATA_EXPORT) and has_capability(user, layout.view_capability)


def can_reveal(user: Any, root: Region) -> bool:
    return scope_for(user, Capability.PEOPLE_REVEAL).contains(root.path)


def _home_region(user: Any, capability: str) -> Region | None:
    """The top of the user's area, to file the audit event under."""
    roots = scope_for(user, capability).roots
    return Region.objects.filter(path=roots[0]).first() if roots else None


def transfer_import(
    *,
    user: Any,
    kind: str,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    request: HttpRequest | None = None,
) -> ImportReport:
    """Import a whole file or nothing. Returns the report; the audit trail records the outcome."""
    layout = _layout(kind)
    report = ImportReport(kind=kind, filename=filename, dry_run=dry_run)
    outcome = Outcome.FAILURE
    if not can_import(user, kind):
        report.rejected = _("You may not import this kind of data.")
        outcome = Outcome.DENIED
    else:
        try:
            upload = read_upload(data, filename, layout)
        except FileRejected as exc:
            report.rejected = exc.message
        else:
            report.rows = upload.row_count
            report.ignored_columns = upload.ignored_columns
            import_rows(user=user, layout=layout, upload=upload, report=report, dry_run=dry_run)
            if report.ok:
                outcome = Outcome.SUCCESS
    audit_record(
        action=Action.IMPORT,
        actor=user,
        request=request,
        region=_home_region(user, Capability.DATA_IMPORT),
        target=f"{kind}:{filename}"[:200],
        outcome=outcome,
        detail=report.audit_detail(),
    )
    return report


def transfer_export(
    *,
    user: Any,
    kind: str,
    root: Region,
    reveal: bool = False,
    fmt: str = XLSX,
    request: HttpRequest | None = None,
) -> ExportFile:
    """The kind's records under `root` in the import layout; personal numbers masked unless `reveal`."""
    layout = _layout(kind)
    detail: dict[str, Any] = {"kind": kind, "root": root.code, "format": fmt, "revealed": reveal}
    allowed = can_export(user, kind) and selectors.export_scope_contains(user, layout, root.path)
    if reveal and not can_reveal(user, root):
        allowed = False
    if fmt not in (XLSX, GEOJSON) or (fmt == GEOJSON and kind != layouts.GRIDS):
        raise ValueError(f"cannot export {kind} as {fmt}")

    def record(outcome: str) -> None:
        audit_record(
            action=Action.EXPORT,
            actor=user,
            request=request,
            region=root,
            target=f"{kind}:{root.code}",
            outcome=outcome,
            detail=detail,
        )

    if not allowed:
        record(Outcome.DENIED)
        raise PermissionDenied
    try:
        if fmt == GEOJSON:
            result = exporters.export_geojson(root=root)
        else:
            result = exporters.export_workbook(
                layout=layout, root=root, reveal=reveal, exported_by=user.get_username()
            )
    except Exception:
        record(Outcome.FAILURE)
        raise
    detail["rows"] = result.counts
    record(Outcome.SUCCESS)
    if reveal:
        audit_record(
            action=Action.REVEAL,
            actor=user,
            request=request,
            region=root,
            target=f"export:{kind}:{root.code}",
            detail={"field": "phone,id_card", "export": kind, "rows": result.counts},
        )
    return result


def transfer_template(*, kind: str) -> ExportFile:
    """An empty layout with one example row and a notes sheet."""
    return exporters.template_workbook(_layout(kind))
