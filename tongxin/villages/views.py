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
from tongxin.core.pages import form_page, int_param, post_action
from tongxin.core.permissions import can
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.villages import selectors
from tongxin.villages.forms import (
    EconomyForm,
    EnterpriseForm,
    ImportForm,
    ProjectForm,
    ReturnForm,
    TierSchemeForm,
)
from tongxin.villages.importer import ImportFailed, economy_import
from tongxin.villages.models import INCOME_FIELDS, ProjectStatus, VillageEconomy
from tongxin.villages.services import (
    FIRST_YEAR,
    economy_record,
    enterprise_create,
    enterprise_update,
    project_create,
    project_return_record,
    project_update,
    tier_scheme_create,
)

VIEW = Capability.VILLAGES_VIEW
MANAGE = Capability.VILLAGES_MANAGE
CONFIGURE = Capability.VILLAGES_CONFIGURE


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


def _village_back(region: Any, anchor: str) -> str:
    return reverse("villages:village", args=[region.pk]) + anchor


def _managed_village(request: HttpRequest, pk: int) -> Any:
    region = selectors.village_get(request.user, pk)
    if not can(request.user, MANAGE, region.path):
        raise Http404
    return region


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    region = _managed_village(request, pk)
    form = ProjectForm(request.POST or None, initial={"year": timezone.localdate().year})
    back = _village_back(region, "#projects")

    def save(f: ProjectForm) -> Any:
        return project_create(actor=user, region=region, **f.cleaned_data)

    return form_page(
        request,
        form,
        save=save,
        success=lambda _p: back,
        template="villages/project_form.html",
        context={"village": region, "back": back},
        message=_("The project is saved."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = selectors.project_get(user, pk)
    if not can(user, MANAGE, project.region.path):
        raise Http404
    fields = ("name", "investment", "status")
    form = ProjectForm(request.POST or None, editing=True, initial=initial_from(project, fields))
    back = _village_back(project.region, "#projects")
    return form_page(
        request,
        form,
        save=lambda f: project_update(actor=user, project=project, changes=f.cleaned_data),
        success=lambda _p: back,
        template="villages/project_form.html",
        context={
            "village": project.region,
            "project": project,
            "returns": project.returns.order_by("-year"),
            "return_form": ReturnForm(initial={"year": timezone.localdate().year}),
            "back": back,
        },
        message=_("The project is saved."),
    )


@requires(MANAGE)
@require_http_methods(["POST"])
def project_return(request: HttpRequest, pk: int) -> HttpResponse:
    """What the project returned in a year, from the project's page."""
    user = request.user
    project = selectors.project_get(user, pk)
    if not can(user, MANAGE, project.region.path):
        raise Http404
    form = ReturnForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    return post_action(
        request,
        lambda: project_return_record(actor=user, project=project, year=data["year"], amount=data["amount"]),
        back=reverse("villages:project_edit", args=[project.pk]),
        ok=lambda r: _("Returns of %(year)s saved: %(amount)s 万元.") % {"year": r.year, "amount": r.amount},
        form=form,
        invalid=lambda: " ".join(str(e) for errors in form.errors.values() for e in errors),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def enterprise_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    region = _managed_village(request, pk)
    form = EnterpriseForm(request.POST or None)
    back = _village_back(region, "#enterprises")
    return form_page(
        request,
        form,
        save=lambda f: enterprise_create(actor=user, region=region, **f.cleaned_data),
        success=lambda _e: back,
        template="villages/enterprise_form.html",
        context={"village": region, "back": back},
        message=_("The company or cooperative is saved."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = selectors.enterprise_get(user, pk)
    if not can(user, MANAGE, enterprise.region.path):
        raise Http404
    fields = ("name", "kind", "registered_capital", "founded_on", "active")
    form = EnterpriseForm(request.POST or None, editing=True, initial=initial_from(enterprise, fields))
    back = _village_back(enterprise.region, "#enterprises")
    return form_page(
        request,
        form,
        save=lambda f: enterprise_update(actor=user, enterprise=enterprise, changes=f.cleaned_data),
        success=lambda _e: back,
        template="villages/enterprise_form.html",
        context={"village": enterprise.region, "enterprise": enterprise, "back": back},
        message=_("The company or cooperative is saved."),
    )


@requires(VIEW)
@require_GET
def tiers(request: HttpRequest) -> HttpResponse:
    """Every version of the income tiers; the county department writes a new one."""
    return render(
        request,
        "villages/tiers.html",
        {
            "schemes": selectors.schemes(),
            "in_force": selectors.scheme_for(timezone.localdate().year),
            "can_configure": has_capability(request.user, CONFIGURE),
        },
    )


@requires(CONFIGURE)
@require_http_methods(["GET", "POST"])
def tiers_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    this = timezone.localdate().year
    current = selectors.tiers_for(this)
    form = TierSchemeForm(request.POST or None, initial=TierSchemeForm.initial_from(current, this + 1))

    def save(f: TierSchemeForm) -> Any:
        return tier_scheme_create(
            actor=user,
            year_from=f.cleaned_data["year_from"],
            tiers=f.tiers(),
            source=f.cleaned_data["source"],
        )

    return form_page(
        request,
        form,
        save=save,
        success="villages:tiers",
        template="villages/tiers_form.html",
        context={"current": current},
        message=lambda s: _("Version %(v)s of the tiers is saved.") % {"v": s.version},
    )
