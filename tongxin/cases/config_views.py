"""Configuration pages (cases.configure): categories and limits, whistle types and routes, holidays,
the rules of the three rates.

A change applies to cases dispatched after it; cases on the clock keep the limits they were given.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.cases import config_services
from tongxin.cases.archive import archive_state
from tongxin.cases.forms import (
    CalendarDayForm,
    CategoryForm,
    RateRulesForm,
    RouteStepFormSet,
    WhistleTypeForm,
)
from tongxin.cases.models import CalendarDay, CaseCategory, WhistleType
from tongxin.cases.selectors import rate_rule_sets, rate_rules_for
from tongxin.core.access import requires
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import form_page
from tongxin.core.roles import Capability

CONFIGURE = Capability.CASES_CONFIGURE


def _form_status(request: HttpRequest) -> int:
    """A configuration form shown again after a POST answers 400."""
    return 400 if request.method == "POST" else 200


@requires(CONFIGURE)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    categories = list(CaseCategory.objects.select_related("parent").order_by("code"))
    tree = [
        (parent, [c for c in categories if c.parent_id == parent.pk])
        for parent in categories
        if parent.parent_id is None
    ]
    whistles = WhistleType.objects.prefetch_related("steps").order_by("code")
    return render(
        request, "cases/config/index.html", {"tree": tree, "whistles": whistles, "archive": archive_state()}
    )


@requires(CONFIGURE)
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    category = get_object_or_404(CaseCategory, pk=pk) if pk is not None else None
    initial: dict[str, Any] = {"warn_share": "0.80", "active": True}
    if category is not None:
        initial = {name: getattr(category, name) for name in config_services.CATEGORY_FIELDS}
    elif (request.GET.get("parent") or "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = CategoryForm(request.POST or None, initial=initial)
    if category is not None:
        parents = CaseCategory.objects.filter(parent__isnull=True).exclude(pk=category.pk)
        form.fields["parent"].queryset = parents  # type: ignore[attr-defined]
    return form_page(
        request,
        form,
        save=lambda form: config_services.category_save(category=category, **form.cleaned_data),
        success="cases:config",
        message=lambda saved: (
            _("Category %(name)s is saved. Its limits apply to cases dispatched from now on.")
            % {"name": saved.name}
        ),
        template="cases/config/category_form.html",
        context={"category": category},
        status=_form_status(request),
    )


def _steps_initial(whistle_type: WhistleType | None) -> list[dict[str, Any]]:
    if whistle_type is None:
        return []
    return [
        {"target": s.target, "responder_kind": s.responder_kind, "report_hours": s.report_hours}
        for s in whistle_type.steps.order_by("step")
    ]


@requires(CONFIGURE)
@require_http_methods(["GET", "POST"])
def whistle_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    whistle_type = get_object_or_404(WhistleType, pk=pk) if pk is not None else None
    initial = (
        {
            "code": whistle_type.code,
            "name": whistle_type.name,
            "description": whistle_type.description,
            "active": whistle_type.active,
        }
        if whistle_type is not None
        else {"active": True}
    )
    form = WhistleTypeForm(request.POST or None, initial=initial)
    steps = RouteStepFormSet(request.POST or None, initial=_steps_initial(whistle_type), prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        kept = [
            f.cleaned_data
            for f in steps.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("target")
        ]
        try:
            saved = config_services.whistle_type_save(
                whistle_type=whistle_type, steps=kept, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Whistle %(name)s is saved.") % {"name": saved.name})
            return redirect("cases:config")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/config/whistle_form.html",
        {"form": form, "steps": steps, "whistle_type": whistle_type},
        status=status,
    )


@requires(CONFIGURE)
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = (
        int(request.GET.get("year") or today.year)
        if (request.GET.get("year") or "").isdigit()
        else today.year
    )
    return form_page(
        request,
        CalendarDayForm(request.POST or None),
        save=lambda form: config_services.calendar_day_save(**form.cleaned_data),
        success=lambda entry: f"{reverse('cases:config_calendar')}?year={entry.day.year}",
        message=lambda entry: (
            _("%(day)s is now: %(kind)s.") % {"day": entry.day, "kind": entry.get_kind_display()}
        ),
        template="cases/config/calendar.html",
        context={
            "days": CalendarDay.objects.filter(day__year=year).order_by("day"),
            "year": year,
            "years": [year - 1, year, year + 1],
        },
        status=_form_status(request),
    )


@requires(CONFIGURE)
@require_POST
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(CalendarDay, pk=pk)
    year = entry.day.year
    config_services.calendar_day_delete(entry=entry)
    messages.success(request, _("The calendar entry is removed."))
    return redirect(f"{reverse('cases:config_calendar')}?year={year}")


@requires(CONFIGURE)
@require_http_methods(["GET", "POST"])
def rate_rules(request: HttpRequest) -> HttpResponse:
    """The versions of the rules of the three rates, and a form to add the next one."""
    today = timezone.localdate()
    return form_page(
        request,
        RateRulesForm(request.POST or None, initial={"valid_from": today}),
        save=lambda form: config_services.rate_rules_add(actor=request.user, **form.cleaned_data),
        success="cases:config_rates",
        message=lambda added: (
            _("Version %(version)s is saved: “basically satisfied” counts at %(weight)s from %(day)s.")
            % {
                "version": added.version,
                "weight": format(added.basically_weight.normalize(), "f"),
                "day": added.valid_from,
            }
        ),
        template="cases/config/rates.html",
        context={"versions": rate_rule_sets(), "current": rate_rules_for(today), "today": today},
        status=_form_status(request),
    )
