"""Co-building pages: the hub, partner units, alliances, pairings and agreements, the duty check."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import requires
from tongxin.core.pages import form_page, int_param, paginate
from tongxin.core.roles import Capability
from tongxin.partners import services
from tongxin.partners.duty import duty_check
from tongxin.partners.files import serve
from tongxin.partners.forms import (
    AgreementForm,
    AllianceForm,
    DutyFilterForm,
    EndForm,
    LiaisonsForm,
    MemberForm,
    PairingForm,
    UnitForm,
)
from tongxin.partners.models import AllianceKind, AllianceMember, UnitKind
from tongxin.partners.selectors import (
    agreement_current,
    agreement_get,
    agreements_current,
    agreements_expiring,
    alliance_get,
    alliance_members_current,
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


# ---- hub ------------------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The co-building hub: the three lists, meetings and duties at a glance; a liaison's own work."""
    from tongxin.lists.models import NeedStatus, ProjectStatus
    from tongxin.lists.selectors import needs_claimable, needs_visible, project_counts, projects_visible
    from tongxin.meetings.models import MeetingStatus
    from tongxin.meetings.selectors import alliance_rhythms, meetings_visible, tasks_mine

    user = request.user
    reach = reach_for(user)
    today = timezone.localdate()
    rules = rules_current()
    needs = needs_visible(user)
    context: dict[str, Any] = {
        "reach": reach,
        "year": today.year,
        "need_counts": needs.aggregate(
            open=Count("pk", filter=Q(status=NeedStatus.OPEN)),
            claimed=Count("pk", filter=Q(status__in=[NeedStatus.CLAIMED, NeedStatus.IN_PROJECT])),
            done=Count("pk", filter=Q(status=NeedStatus.DONE, done_at__year=today.year)),
        ),
        "project_counts": project_counts(projects_visible(user)),
        "unit_count": units_visible(user).filter(active=True).count(),
        "alliance_count": alliances_visible(user).filter(active=True).count(),
        "meetings_upcoming": list(
            meetings_visible(user)
            .filter(
                status__in=[MeetingStatus.PLANNED, MeetingStatus.CALLED], scheduled_at__gte=timezone.now()
            )
            .order_by("scheduled_at")[:5]
        ),
        "meetings_held": meetings_visible(user)
        .filter(status=MeetingStatus.HELD, held_at__year=today.year)
        .count(),
        "tasks": list(tasks_mine(user)[:8]),
        "can_manage": not reach.manage.is_empty,
        "today": today,
    }
    if reach.is_official:
        context["expiring"] = list(agreements_expiring(user, within_days=rules.agreement_warn_days)[:8])
        context["warn_days"] = rules.agreement_warn_days
        rhythms = alliance_rhythms(alliances_visible(user).filter(active=True)[:50], year=today.year)
        context["alliances_behind"] = [r for r in rhythms if r.behind]
    if reach.is_liaison:
        context["my_units"] = list(units_visible(user).filter(pk__in=list(reach.unit_ids)))
        context["claimable"] = list(needs_claimable(user).order_by("-created_at")[:10])
        context["my_projects"] = list(
            projects_visible(user)
            .filter(owner_unit_id__in=list(reach.unit_ids), status=ProjectStatus.ACTIVE)
            .order_by("due_on")[:10]
        )
    return render(request, "partners/index.html", context)


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


@requires(VIEW)
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from tongxin.lists.selectors import projects_visible, resources_visible

    user = request.user
    unit = unit_get(user, pk)
    reach = reach_for(user)
    today = timezone.localdate()
    return render(
        request,
        "partners/unit.html",
        {
            "unit": unit,
            "liaisons": list(unit.liaisons.filter(is_active=True)) if reach.is_official else [],
            "pairings": list(pairings_visible(user).filter(unit=unit).order_by("ended_on", "region__path")),
            "seats": list(
                AllianceMember.objects.filter(
                    unit=unit, left_on__isnull=True, alliance__in=alliances_visible(user)
                ).select_related("alliance")
            ),
            "resources": list(resources_visible(user).filter(unit=unit)),
            "projects": list(projects_visible(user).filter(owner_unit=unit).order_by("-claimed_at")[:20]),
            "can_edit": reach.manages(unit.region),
            "speaks_for": reach.speaks_for(unit),
            "today": today,
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
        success=lambda unit: unit,
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


@requires(VIEW)
@require_GET
def alliance_list(request: HttpRequest) -> HttpResponse:
    from tongxin.meetings.selectors import alliance_rhythms

    user = request.user
    year = timezone.localdate().year
    queryset = (
        alliances_visible(user)
        .filter(active=True)
        .annotate(member_count=Count("members", filter=Q(members__left_on__isnull=True)))
    )
    kind = request.GET.get("kind", "")
    if kind in AllianceKind.values:
        queryset = queryset.filter(kind=kind)
    page = paginate(request, queryset.order_by("region__path", "name"))
    rows = [(r.alliance, r) for r in alliance_rhythms(page, year=year)]
    return render(
        request,
        "partners/alliances.html",
        {
            "page": page,
            "rows": rows,
            "kinds": AllianceKind.choices,
            "kind": kind,
            "year": year,
            "can_create": not reach_for(user).manage.is_empty,
        },
    )


@requires(VIEW)
@require_GET
def alliance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from tongxin.meetings.selectors import alliance_rhythm, meetings_visible

    user = request.user
    alliance = alliance_get(user, pk)
    year = timezone.localdate().year
    can_edit = reach_for(user).manages(alliance.region)
    return render(
        request,
        "partners/alliance.html",
        {
            "alliance": alliance,
            "members": list(alliance_members_current(alliance)),
            "rhythm": alliance_rhythm(alliance, year=year),
            "meetings": list(meetings_visible(user).filter(alliance=alliance).order_by("-scheduled_at")[:12]),
            "can_edit": can_edit,
            "member_form": MemberForm(user=user) if can_edit else None,
            "year": year,
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def alliance_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        AllianceForm(request.POST or None, user=user),
        save=lambda form: services.alliance_create(actor=user, **form.cleaned_data),
        success=lambda alliance: alliance,
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
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return redirect(member.alliance)
    try:
        services.alliance_member_end(member=member, actor=user, left_on=form.cleaned_data["day"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s left the alliance.") % {"name": member.label})
    return redirect(member.alliance)


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
        success=lambda pairing: pairing,
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
    user = request.user
    pairing = pairing_get(user, pk)
    require_manages(user, pairing.region)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return redirect(pairing)
    try:
        services.pairing_end(pairing=pairing, actor=user, ended_on=form.cleaned_data["day"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The pairing has ended."))
    return redirect(pairing)


@requires(MANAGE)
@require_POST
def agreement_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pairing = pairing_get(user, pk)
    require_manages(user, pairing.region)

    def save(form: AgreementForm) -> None:
        data = form.cleaned_data
        services.agreement_add(
            pairing=pairing,
            actor=user,
            title=data["title"],
            signed_on=data["signed_on"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            commitments=data["commitments"],
            upload=data["file"],
        )

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


# ---- duty check -----------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def duty(request: HttpRequest) -> HttpResponse:
    """Who is behind on the annual duties, per street and community."""
    user = request.user
    form = DutyFilterForm(request.GET or None, initial={"year": timezone.localdate().year}, user=user)
    area = form.cleaned_data.get("area") if form.is_bound and form.is_valid() else None
    year = form.year_or_current()
    report = duty_check(user, year=year, area=area)
    return render(
        request,
        "partners/duty.html",
        {"form": form, "report": report, "area": area, "year": year, "can_export": True},
    )
