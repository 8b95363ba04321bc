"""Collective-economy pages: the overview of a township or county (per village: income and tier;
totals and the per-village average), a village's page by year, the township's form for a village's
year, and the import of the Excel ledger. Views stay thin: selectors read, services write."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.core.access import requires
from tongxin.core.forms import initial_from
from tongxin.core.pages import form_page, int_param
from tongxin.core.permissions import can
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.villages import selectors
from tongxin.villages.forms import EconomyForm, ImportForm
from tongxin.villages.importer import ImportFailed, economy_import
from tongxin.villages.models import INCOME_FIELDS, ProjectStatus, VillageEconomy
from tongxin.villages.services import FIRST_YEAR, economy_record

VIEW = Capability.VILLAGES_VIEW
MANAGE = Capability.VILLAGES_MANAGE


def _year(request: HttpRequest) -> int:
    this = timezone.localdate().year
    year = int_param(request, "year")
    return year if year is not None and FIRST_YEAR <= year <= this else this


@requires(VIEW)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    node_id = int_param(request, "node")
    node = selectors.node_get(user, node_id) if node_id else selectors.home_node(user)
    if node is None:
        return render(request, "villages/overview.html", {"empty": True})
    if selectors.villages(None).filter(pk=node.pk).exists():
        return redirect(reverse("villages:village", args=[node.pk]))
    year = _year(request)
    this = timezone.localdate().year
    return render(
        request,
        "villages/overview.html",
        {
            "node": node,
            "year": year,
            "years": range(this, this - 6, -1),
            "data": selectors.overview(user, node, year),
            "can_import": has_capability(user, MANAGE),
        },
    )


@requires(VIEW)
@require_GET
def village(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    region = selectors.village_get(user, pk)
    year = _year(request)
    economy = selectors.economy_get(user, region, year)
    tiers = selectors.tiers_for(year)
    sources = (
        [
            (getattr(VillageEconomy._meta.get_field(name), "verbose_name", name), getattr(economy, name))
            for name in INCOME_FIELDS
        ]
        if economy
        else []
    )
    this = timezone.localdate().year
    return render(
        request,
        "villages/village.html",
        {
            "village": region,
            "year": year,
            "years": range(this, this - 6, -1),
            "economy": economy,
            "sources": sources,
            "tier": selectors.tier_of(economy.total_income, tiers) if economy else None,
            "projects": selectors.projects_of(region),
            "enterprises": selectors.enterprises_of(region),
            "can_edit": can(user, MANAGE, region.path),
            "operating": ProjectStatus.OPERATING,
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def economy_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    user = request.user
    region = selectors.village_get(user, pk)
    if not can(user, MANAGE, region.path) or not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    economy = VillageEconomy.objects.filter(region=region, year=year).first()
    fields = [*EconomyForm.base_fields]
    form = EconomyForm(request.POST or None, initial=initial_from(economy, fields) if economy else None)

    def save(f: EconomyForm) -> Any:
        return economy_record(actor=user, region=region, year=year, values=f.cleaned_data)

    back = reverse("villages:village", args=[region.pk]) + f"?year={year}"
    return form_page(
        request,
        form,
        save=save,
        success=lambda _e: back,
        template="villages/economy_form.html",
        context={"village": region, "year": year, "back": back},
        message=_("The village's year is saved."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def economy_import_view(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            n = economy_import(actor=request.user, file=form.cleaned_data["file"])
        except ImportFailed as failed:
            errors = failed.errors
        else:
            messages.success(request, _("%(n)s village years imported.") % {"n": n})
            return redirect("villages:overview")
    return render(
        request, "villages/import.html", {"form": form, "errors": errors}, status=400 if errors else 200
    )
