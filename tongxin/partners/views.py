"""Pages of partner units, alliances, pairings and agreements.

The pages that also show needs, projects or meetings (the hub, a unit's page, the alliances with
their meeting rhythm, the duty check) are in tongxin.cobuilding.pages, above meetings."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import requires
from tongxin.core.pages import form_page, int_param, paginate, post_action
from tongxin.core.roles import Capability
from tongxin.partners import services
from tongxin.partners.files import serve
from tongxin.partners.forms import (
    AgreementForm,
    AllianceForm,
    EndForm,
    LiaisonsForm,
    MemberForm,
    PairingForm,
    UnitForm,
)
from tongxin.partners.models import AllianceMember, UnitKind
from tongxin.partners.selectors import (
    agreement_current,
    agreement_get,
    agreements_current,
    agreements_expiring,
    alliance_get,
    alliances_visible,
    pairing_get,
    pairings_in_force,
    pairings_visible,
    reach_for,
    require_manages,
    rules_current,
    unit_get,
    units_visible,
)

VIEW, MANAGE = Capability.PARTNERS_VIEW, Capability.PARTNERS_MANAGE


def require_official_keeper(user: Any) -> None:
    if reach_for(user).manage.is_empty:
        raise PermissionDenied


# ---- partner units --------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queryset = units_visible(user).annotate(
        pairing_count=Count("pairings", filter=Q(pairings__ended_on__isnull=True), distinct=True),
        resource_count=Count("resources", distinct=True),
    )
    kind = request.GET.get("kind", "")
    if kind in UnitKind.values:
        queryset = queryset.filter(kind=kind)
    q = (request.GET.get("q") or "").strip()
    if q:
        queryset = queryset.filter(name__icontains=q)
    if request.GET.get("inactive") != "1":
        queryset = queryset.filter(active=True)
    return render(
        request,
        "partners/units.html",
        {
            "page": paginate(request, queryset.order_by("name")),
            "kinds": UnitKind.choices,
            "kind": kind,
            "q": q,
            "can_create": not reach_for(user).manage.is_empty,
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        UnitForm(request.POST or None, user=user),
        save=lambda form: services.unit_create(actor=user, **form.cleaned_data),
        message=lambda unit: _("%(name)s was registered.") % {"name": unit.name},
        template="partners/form.html",
        context={"title": _("Register a partner unit")},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = unit_get(user, pk)
    require_manages(user, unit.region)
    form = UnitForm(request.POST or None, initial=UnitForm.initial_for(unit), user=user)
    return form_page(
        request,
        form,
        save=lambda form: services.unit_update(unit=unit, actor=user, **form.cleaned_data),
        success=unit.get_absolute_url(),
        message=lambda _saved: _("%(name)s was saved.") % {"name": form.cleaned_data["name"]},
        template="partners/form.html",
        context={"title": _("Edit %(name)s") % {"name": unit.name}, "cancel": unit.get_absolute_url()},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def unit_liaisons(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = unit_get(user, pk)
    require_manages(user, unit.region)
    current = list(unit.liaisons.all())
    return form_page(
        request,
        LiaisonsForm(request.POST or None, initial={"liaisons": current}, user=user, current=current),
        save=lambda form: services.unit_liaisons_set(
            unit=unit, liaisons=form.cleaned_data["liaisons"], actor=user
        ),
        success=unit.get_absolute_url(),
        message=_("The liaisons of %(name)s were saved.") % {"name": unit.name},
        template="partners/form.html",
        context={"title": _("Liaisons of %(name)s") % {"name": unit.name}, "cancel": unit.get_absolute_url()},
    )


# ---- alliances ------------------------------------------------------------------------------------


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def alliance_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        AllianceForm(request.POST or None, user=user),
        save=lambda form: services.alliance_create(actor=user, **form.cleaned_data),
        message=lambda alliance: _("%(name)s was formed.") % {"name": alliance.name},
        template="partners/form.html",
        context={"title": _("Form an alliance")},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def alliance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    alliance = alliance_get(user, pk)
    require_manages(user, alliance.region)
    form = AllianceForm(
        request.POST or None, initial=AllianceForm.initial_for(alliance), user=user, editing=True
    )
    return form_page(
        request,
        form,
        save=lambda form: services.alliance_update(alliance=alliance, actor=user, **form.cleaned_data),
        success=alliance.get_absolute_url(),
        message=lambda _saved: _("%(name)s was saved.") % {"name": form.cleaned_data["name"]},
        template="partners/form.html",
        context={
            "title": _("Edit %(name)s") % {"name": alliance.name},
            "cancel": alliance.get_absolute_url(),
        },
    )


@requires(MANAGE)
@require_POST
def alliance_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    alliance = alliance_get(user, pk)
    require_manages(user, alliance.region)
    return form_page(
        request,
        MemberForm(request.POST, user=user),
        save=lambda form: services.alliance_member_add(alliance=alliance, actor=user, **form.cleaned_data),
        success=alliance.get_absolute_url(),
        message=_("The member was seated."),
        template="partners/form.html",
        context={
            "title": _("Seat a member on %(name)s") % {"name": alliance.name},
            "cancel": alliance.get_absolute_url(),
        },
        status=400,
    )


@requires(MANAGE)
@require_POST
def alliance_member_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    member = get_object_or_404(AllianceMember.objects.filter(alliance__in=alliances_visible(user)), pk=pk)
    require_manages(user, member.alliance.region)
    form = EndForm(request.POST)
    return post_action(
        request,
        lambda: services.alliance_member_end(member=member, actor=user, left_on=form.cleaned_data["day"]),
        back=member.alliance,
        ok=_("%(name)s left the alliance.") % {"name": member.label},
        form=form,
        invalid=_("Enter a valid date."),
    )


# ---- pairings and agreements ----------------------------------------------------------------------


@requires(VIEW)
@require_GET
def pairing_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queryset = pairings_visible(user)
    if request.GET.get("ended") != "1":
        queryset = queryset.filter(pairings_in_force())
    page = paginate(request, queryset.order_by("region__path", "unit__name"))
    current = agreements_current(page)
    rows = [(p, current.get(p.pk)) for p in page]
    return render(
        request,
        "partners/pairings.html",
        {
            "page": page,
            "rows": rows,
            "can_create": not reach_for(user).manage.is_empty,
            "today": timezone.localdate(),
        },
    )


@requires(VIEW)
@require_GET
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pairing = pairing_get(user, pk)
    can_edit = reach_for(user).manages(pairing.region)
    return render(
        request,
        "partners/pairing.html",
        {
            "pairing": pairing,
            "agreements": list(pairing.agreements.all()),
            "current": agreement_current(pairing),
            "can_edit": can_edit,
            "agreement_form": AgreementForm() if can_edit and not pairing.ended_on else None,
            "end_form": EndForm() if can_edit and not pairing.ended_on else None,
            "today": timezone.localdate(),
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def pairing_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {}
    unit_id = int_param(request, "unit")
    if unit_id is not None:
        initial["unit"] = unit_get(user, unit_id)
    return form_page(
        request,
        PairingForm(request.POST or None, initial=initial, user=user),
        save=lambda form: services.pairing_create(actor=user, **form.cleaned_data),
        message=lambda pairing: (
            _("%(unit)s is paired with %(region)s.")
            % {"unit": pairing.unit.name, "region": pairing.region.name}
        ),
        template="partners/form.html",
        context={"title": _("Pair a unit with a community")},
    )


@requires(MANAGE)
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = pairing_get(request.user, pk)
    require_manages(request.user, pairing.region)
    form = EndForm(request.POST)
    return post_action(
        request,
        lambda: services.pairing_end(pairing=pairing, actor=request.user, ended_on=form.cleaned_data["day"]),
        back=pairing,
        ok=_("The pairing has ended."),
        form=form,
        invalid=_("Enter a valid date."),
    )


@requires(MANAGE)
@require_POST
def agreement_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pairing = pairing_get(user, pk)
    require_manages(user, pairing.region)

    def save(form: AgreementForm) -> None:
        data = dict(form.cleaned_data)
        services.agreement_add(pairing=pairing, actor=user, upload=data.pop("file"), **data)

    return form_page(
        request,
        AgreementForm(request.POST, request.FILES),
        save=save,
        success=pairing.get_absolute_url(),
        message=_("The agreement was recorded."),
        template="partners/form.html",
        context={
            "title": _("Agreement of %(unit)s with %(region)s")
            % {"unit": pairing.unit.name, "region": pairing.region.name},
            "cancel": pairing.get_absolute_url(),
            "multipart": True,
            "action": request.path,
        },
        status=400,
    )


@requires(VIEW)
@require_GET
def agreement_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed copy, only for those who may see the pairing; never a public file."""
    agreement = agreement_get(request.user, pk)
    if not agreement.file:
        raise Http404
    return serve(agreement.file, content_type=agreement.content_type, name=agreement.file_name)


@requires(VIEW)
@require_GET
def agreements_expiring_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    rules = rules_current()
    days = int_param(request, "days")
    days = rules.agreement_warn_days if days is None else min(days, 3650)
    today = timezone.localdate()
    return render(
        request,
        "partners/expiring.html",
        {
            "agreements": list(agreements_expiring(user, within_days=days, today=today)),
            "days": days,
            "today": today,
            "soon": today + timedelta(days=days),
        },
    )
