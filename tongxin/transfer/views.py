"""Import & export pages. The work is done in services; these read the request and render."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.core.access import login_only, requires
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.transfer import layouts, selectors
from tongxin.transfer.exporters import ExportFile
from tongxin.transfer.forms import ExportForm, ImportForm
from tongxin.transfer.layouts import Layout
from tongxin.transfer.reading import MAX_BYTES
from tongxin.transfer.services import (
    GEOJSON,
    XLSX,
    can_export,
    can_import,
    can_reveal,
    transfer_export,
    transfer_import,
    transfer_template,
)


def _layout_or_404(kind: str) -> Layout:
    layout = layouts.layout_for(kind)
    if layout is None:
        raise Http404
    return layout


def _may_transfer(user: Any) -> bool:
    return has_capability(user, Capability.DATA_IMPORT) or has_capability(user, Capability.DATA_EXPORT)


def _download(result: ExportFile) -> HttpResponse:
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    # files may hold personal data: no copies in shared caches
    response["Cache-Control"] = "no-store"
    return response


@login_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _may_transfer(user):
        raise PermissionDenied
    cards = []
    for layout in layouts.LAYOUTS.values():
        importable, exportable = can_import(user, layout.kind), can_export(user, layout.kind)
        cards.append(
            {
                "layout": layout,
                "import_form": ImportForm(layout) if importable else None,
                "export_form": ExportForm(user, layout) if exportable else None,
            }
        )
    may_request_exports = has_capability(user, Capability.DATA_EXPORT) and has_capability(
        user, Capability.PEOPLE_REVEAL
    )
    context = {"cards": cards, "may_request_exports": may_request_exports}
    return render(request, "transfer/index.html", context)


@login_only
@require_GET
def template(request: HttpRequest, kind: str) -> HttpResponse:
    _layout_or_404(kind)
    if not _may_transfer(request.user):
        raise PermissionDenied
    return _download(transfer_template(kind=kind))


@requires(Capability.DATA_EXPORT)
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """GET ?root=<pk> gives a masked file; a POST with reveal goes to an export request instead."""
    layout = _layout_or_404(kind)
    if not can_export(request.user, kind):
        raise PermissionDenied
    params = request.POST if request.method == "POST" else request.GET
    root_pk = params.get("root")
    if not root_pk:
        roots = selectors.export_root_choices(request.user, layout)
        if not roots:
            raise Http404
        root_pk = str(roots[0].pk)
    if not root_pk.isdigit():
        raise Http404
    root = selectors.export_root(request.user, layout, root_pk)
    fmt = params.get("format") or XLSX
    if fmt not in (XLSX, GEOJSON) or (fmt == GEOJSON and not layout.geojson):
        raise Http404
    if request.method == "POST" and params.get("reveal") in {"on", "1", "true"}:
        if not can_reveal(request.user, root):  # the service records the refusal and answers 403
            transfer_export(user=request.user, kind=kind, root=root, reveal=True, fmt=fmt, request=request)
        # full numbers in bulk are never immediate: a request a second person approves
        return redirect(f"{reverse('transfer:request_new')}?root={root.pk}", permanent=False)
    result = transfer_export(user=request.user, kind=kind, root=root, fmt=fmt, request=request)
    return _download(result)


@requires(Capability.DATA_IMPORT)
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest, kind: str) -> HttpResponse:
    layout = _layout_or_404(kind)
    if not can_import(request.user, kind):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "transfer/import.html", {"layout": layout, "form": ImportForm(layout)})
    form = ImportForm(layout, request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "transfer/import.html", {"layout": layout, "form": form}, status=400)
    upload = form.cleaned_data["file"]
    # one byte over the limit is enough for the service to refuse the file
    data = upload.read(MAX_BYTES + 1)
    report = transfer_import(
        user=request.user,
        kind=kind,
        data=data,
        filename=upload.name or "",
        dry_run=form.cleaned_data["dry_run"],
        request=request,
    )
    context = {"layout": layout, "report": report, "form": ImportForm(layout)}
    return render(request, "transfer/result.html", context, status=200 if report.ok else 422)
