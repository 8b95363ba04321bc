"""The case list as an Excel workbook: the rows of the list page, with the same filters and scope.

The reporter's name and phone are left out: the file is for counting and follow-up, not for
contacting residents (reveal a number on the case page, where it is audited)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from tongxin.audit.exports import xlsx_response
from tongxin.cases.models import OPEN_STATUSES, Case
from tongxin.cases.views import _filtered
from tongxin.core.access import requires
from tongxin.core.roles import Capability
from tongxin.core.xlsx import Column, field, related_name


def _overdue(case: Any) -> bool:
    return bool(case.status in OPEN_STATUSES and case.handling_due and case.handling_due < timezone.now())


COLUMNS = [
    field(Case, "tracking_code", width=18),
    field(Case, "reported_at", width=17),
    field(Case, "kind", width=16),
    field(Case, "source", width=12),
    Column(_lazy("Category"), related_name("category.name"), width=18),
    Column(_lazy("Community"), related_name("community.name"), width=16),
    Column(_lazy("Grid"), related_name("grid.name"), width=20),
    field(Case, "address", width=24),
    field(Case, "description", width=48),
    field(Case, "status", width=12),
    Column(_lazy("Dispatched at"), lambda c: c.dispatched_at, width=17),
    Column(_lazy("Handling due"), lambda c: c.handling_due, width=17),
    Column(_lazy("Overdue"), _overdue, width=8),
    field(Case, "supervised", width=10),
    Column(_lazy("Closed at"), lambda c: c.closed_at, width=17),
    field(Case, "rating", width=10),
    field(Case, "hotline_ticket", width=16),
]


@requires(Capability.CASES_VIEW)
@require_GET
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered list of the page (status, kind, category, area, period of reporting, …)."""

    form, cases, _without_status = _filtered(request)
    cases = cases.select_related("category", "community", "grid").order_by("-reported_at", "-id")
    return xlsx_response(
        request, form, cases, COLUMNS, name="cases", title=_("Cases"), back=reverse("cases:list")
    )
