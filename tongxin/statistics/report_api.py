"""The work report (工作综述) through the API: /api/v1/statistics/reports/ (the structure as JSON),
/docx and /pdf (the files). Node and period as in /api/v1/statistics/values; a node outside the
caller's scope is 404, a period that cannot be read is 422."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from tongxin.core.api import ApiError, require_capability
from tongxin.core.dbrouter import may_lag
from tongxin.core.roles import Capability
from tongxin.core.schemas import ErrorOut
from tongxin.statistics.periods import PeriodError
from tongxin.statistics.report import Report, build_report
from tongxin.statistics.report_docx import DOCX_CONTENT_TYPE, report_docx
from tongxin.statistics.report_pdf import PDF_CONTENT_TYPE, PdfFontMissing, report_pdf
from tongxin.statistics.report_views import attachment, audit_export, node_and_period
from tongxin.statistics.schemas import PeriodQuery

router = Router()
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _report(request: HttpRequest, query: PeriodQuery) -> Report:
    require_capability(request.user, Capability.STATISTICS_VIEW)
    params = {k: v for k, v in query.dict().items() if v is not None}
    try:
        node, period = node_and_period(request.user, params)
    except PeriodError as exc:
        raise ApiError(422, "invalid_period", str(exc))
    return build_report(request.user, node, period)


@router.get("/", response={200: dict[str, Any], **ERRORS}, summary="The work report as a structure")
@may_lag
def report_json(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    """Title, sections of paragraphs, tables and charts (data only), and the appendix that gives each
    figure's definition and how to reproduce it."""
    return _report(request, query).to_dict()


@router.get("/docx", response={200: None, **ERRORS}, summary="The work report as a Word document")
@may_lag
def report_docx_file(request: HttpRequest, query: Query[PeriodQuery]) -> HttpResponse:
    built = _report(request, query)
    content = report_docx(built)
    audit_export(request, built, "docx")
    return attachment(content, DOCX_CONTENT_TYPE, f"{built.filename}.docx")


@router.get("/pdf", response={200: None, **{**ERRORS, 503: ErrorOut}}, summary="The work report as PDF")
@may_lag
def report_pdf_file(request: HttpRequest, query: Query[PeriodQuery]) -> HttpResponse:
    built = _report(request, query)
    try:
        content = report_pdf(built)
    except PdfFontMissing as exc:
        raise ApiError(503, "no_font", str(exc))
    audit_export(request, built, "pdf")
    return attachment(content, PDF_CONTENT_TYPE, f"{built.filename}.pdf")
