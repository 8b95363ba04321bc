"""Pages of the work report (工作综述): read it, download it as .docx or PDF, and keep its wording."""

from datetime import date
from typing import Any
from urllib.parse import quote

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.access import requires
from tongxin.core.dbrouter import may_lag
from tongxin.core.pages import form_page
from tongxin.core.roles import Capability
from tongxin.regions.models import Region
from tongxin.statistics import kept, selectors, wording
from tongxin.statistics.forms import PeriodForm
from tongxin.statistics.models import ReportWording
from tongxin.statistics.periods import Period, PeriodError, from_params
from tongxin.statistics.registry import REGISTRY
from tongxin.statistics.report import Report, build_report
from tongxin.statistics.report_docx import DOCX_CONTENT_TYPE, report_docx
from tongxin.statistics.report_pdf import PDF_CONTENT_TYPE, PdfFontMissing, report_pdf

VIEW, CONFIGURE = Capability.STATISTICS_VIEW, Capability.STATISTICS_CONFIGURE
PERIOD_KEYS = ("period", "year", "q", "month", "since", "until")


def node_and_period(user: Any, params: Any) -> tuple[Region, Period]:
    """The node (default: the user's first root; 404 outside scope) and the period (PeriodError)."""
    if params.get("node"):
        node = selectors.node_get(user, params.get("node"))
    else:
        roots = selectors.node_roots(user)
        if not roots:
            raise Http404
        node = roots[0]
    return node, from_params(params)


def _query(node: Region, period: Period) -> str:
    return urlencode({"node": str(node.pk), **period.query()})


@requires(VIEW)
@require_GET
@may_lag
def report(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        node, period = node_and_period(request.user, request.GET)
    except PeriodError as exc:
        error = str(exc)
        node, period = node_and_period(request.user, {"node": request.GET.get("node")})
    with kept.reading():  # the kept figures where fresh; the report says when they were counted
        built = build_report(request.user, node, period)
    roots = selectors.node_roots(request.user)
    return render(
        request,
        "statistics/report.html",
        {
            "report": built,
            "node": node,
            "period": period,
            "error": error,
            "roots": roots,
            "parent": node.parent if node.parent_id and node not in roots else None,
            "query": _query(node, period),
            "period_query": urlencode(period.query()),
            "form": PeriodForm(initial={**period.query(), "since": period.since, "until": period.until}),
        },
    )


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        node, period = node_and_period(request.user, request.GET)
    except PeriodError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    with kept.reading():  # the kept figures where fresh; the report says when they were counted
        built = build_report(request.user, node, period)
    if kind == "pdf":
        try:
            content, content_type = report_pdf(built), PDF_CONTENT_TYPE
        except PdfFontMissing as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    else:
        content, content_type = report_docx(built), DOCX_CONTENT_TYPE
    audit_export(request, built, kind)
    return attachment(content, content_type, f"{built.filename}.{kind}")


def audit_export(request: HttpRequest, built: Report, kind: str) -> None:
    audit_record(
        action=Action.EXPORT,
        actor=request.user,
        request=request,
        region=built.node,
        target=f"statistics:report:{kind}",
        detail={"since": built.period.since.isoformat(), "until": built.period.until.isoformat()},
    )


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    ascii_name = "work-report." + filename.rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@requires(VIEW)
@require_GET
@may_lag
def report_docx_view(request: HttpRequest) -> HttpResponse:
    return _download(request, "docx")


@requires(VIEW)
@require_GET
@may_lag
def report_pdf_view(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")


# ---- the wording ---------------------------------------------------------------------------------------


class WordingForm(forms.Form):
    valid_from = forms.DateField(
        label=gettext_lazy("In force from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Reports whose period ends on or after this day use the new version."),
    )
    note = forms.CharField(label=gettext_lazy("Reason for the change"), max_length=200, required=False)

    def __init__(self, *args: Any, sentences: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sentence in wording.SENTENCES:
            self.fields[sentence.key] = forms.CharField(
                label=sentence.label,
                initial=sentences[sentence.key],
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def sentence_fields(self) -> list[forms.BoundField]:
        return [self[s.key] for s in wording.SENTENCES]


@requires(CONFIGURE)
@require_GET
def wording_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    in_force = wording.wording_in_force(today)
    texts = wording.sentences_of(in_force)
    return render(
        request,
        "statistics/report_wording.html",
        {
            "versions": ReportWording.objects.select_related("created_by").order_by(
                "-valid_from", "-version"
            ),
            "in_force": in_force,
            "sentences": [(s, texts[s.key]) for s in wording.SENTENCES],
            "placeholders": placeholders(),
        },
    )


def placeholders() -> list[tuple[str, str]]:

    found = [
        ("{node}", _("the node's name")),
        ("{period}", _("the period, e.g. 今年以来 or 2026年第三季度")),
        ("{since}", _("the first day, e.g. 2026年1月1日")),
        ("{until}", _("the last day")),
    ]
    found += [("{" + code + "}", str(indicator.name)) for code, indicator in sorted(REGISTRY.items())]
    return found


@requires(CONFIGURE)
@require_http_methods(["GET", "POST"])
def wording_new(request: HttpRequest) -> HttpResponse:
    current = wording.wording_latest()
    sentences = wording.sentences_of(current)
    today = timezone.localdate()
    initial_day: date = max(today, current.valid_from) if current is not None else today
    return form_page(
        request,
        WordingForm(request.POST or None, sentences=sentences, initial={"valid_from": initial_day}),
        save=lambda form: wording.wording_create(
            actor=request.user,
            sentences={s.key: form.cleaned_data[s.key] for s in wording.SENTENCES},
            valid_from=form.cleaned_data["valid_from"],
            note=form.cleaned_data["note"],
        ),
        success="statistics:wording",
        message=lambda created: (
            _("Version %(version)s of the report's wording is saved.") % {"version": created.version}
        ),
        template="statistics/report_wording_form.html",
        context={"current": current, "placeholders": placeholders()},
    )
