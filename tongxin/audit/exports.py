"""Exports of list pages: the workbook of exactly the rows the page counts, and an audit row for every
download (who, which list, which filters, how many rows)."""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.dbrouter import may_lag
from tongxin.core.xlsx import MAX_ROWS, XLSX_CONTENT_TYPE, Column, workbook_bytes


def xlsx_response(
    request: HttpRequest,
    form: Any,
    queryset: QuerySet[Any],
    columns: list[Column],
    *,
    name: str,
    title: str,
    back: str,
    rows: Callable[[QuerySet[Any]], Iterable[Any]] | None = None,
) -> HttpResponse:
    """The export of a list page: `form` and `queryset` are the page's own (a PeriodForm and the
    scoped, filtered, ordered rows), so the file holds exactly what the page counts.

    `name` is the file name's stem and the audit target; `back` is the page (without its query),
    where a form with errors or a list too long sends the user; `rows` turns the queryset into the
    rows to write (default: its objects)."""
    query = request.GET.urlencode()
    back = f"{back}?{query}" if query else back
    if form.is_bound and not form.is_valid():
        return redirect(back)
    total = queryset.count()
    if total > MAX_ROWS:
        messages.error(
            request,
            _("%(n)s rows are too many for one workbook (at most %(max)s). Choose a shorter period.")
            % {"n": total, "max": MAX_ROWS},
        )
        return redirect(back)
    items = rows(queryset) if rows is not None else queryset.iterator(chunk_size=2000)
    content, count = workbook_bytes(items, columns, title=title)
    filters = form.values()
    audit_record(
        action=Action.EXPORT,
        actor=request.user,
        request=request,
        target=f"{name}:xlsx",
        detail={"filters": {k: str(v) for k, v in filters.items()}, "rows": count},
    )
    stem = "-".join([name, *(str(filters[k]) for k in ("since", "until") if filters.get(k))])
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


def export_view(
    selection: Callable[[HttpRequest], tuple[Any, QuerySet[Any]]],
    columns: list[Column],
    *,
    name: str,
    title: Any,
    back: str,
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
    rows: Callable[[QuerySet[Any]], Iterable[Any]] | None = None,
) -> Callable[[HttpRequest], HttpResponse]:
    """The Excel download of a list page, from the page's own `selection(request) -> (form, rows)`:
    `title` is lazy (read in the user's language), `back` the page's URL name, `prepare` adds what
    the columns read. The caller wraps the view in the page's access decorator."""

    @require_GET
    @may_lag
    def export(request: HttpRequest) -> HttpResponse:
        form, queryset = selection(request)
        if prepare is not None:
            queryset = prepare(queryset)
        return xlsx_response(
            request, form, queryset, columns, name=name, title=str(title), back=reverse(back), rows=rows
        )

    export.__name__ = export.__qualname__ = f"{name.replace('-', '_')}_export"
    return export
