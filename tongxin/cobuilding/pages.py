"""Co-building pages that compose partners, lists and meetings: the hub, a unit's page, the alliances
with their meeting rhythm, the duty check and the 台账 ledger.

tongxin/urls.py joins them to the "partners" and "lists" namespaces (cobuilding/urls.py), so their
addresses and URL names are those of the apps they show; their templates stay with those apps.
"""

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.cobuilding.duty import duty_check
from tongxin.cobuilding.ledger import XLSX, ledger_workbook
from tongxin.core.access import requires
from tongxin.core.pages import paginate
from tongxin.core.roles import Capability
from tongxin.lists.forms import LedgerForm
from tongxin.lists.models import NeedStatus, ProjectStatus
from tongxin.lists.selectors import (
    needs_claimable,
    needs_visible,
    project_counts,
    projects_visible,
    resources_visible,
)
from tongxin.meetings.models import MeetingStatus
from tongxin.meetings.selectors import alliance_rhythm, alliance_rhythms, meetings_visible, tasks_mine
from tongxin.partners.forms import DutyFilterForm, MemberForm
from tongxin.partners.models import AllianceKind, AllianceMember
from tongxin.partners.selectors import (
    agreements_expiring,
    alliance_get,
    alliance_members_current,
    alliances_visible,
    pairings_visible,
    reach_for,
    rules_current,
    unit_get,
    units_visible,
)

VIEW = Capability.PARTNERS_VIEW


# ---- hub -----------------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The co-building hub: the three lists, meetings and duties at a glance; a liaison's own work."""
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


# ---- partner units and alliances -----------------------------------------------------------------


@requires(VIEW)
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
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


@requires(VIEW)
@require_GET
def alliance_list(request: HttpRequest) -> HttpResponse:
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


# ---- duty check and ledger -----------------------------------------------------------------------


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


@requires(VIEW)
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """台账: the three lists, the meetings and the duty check as one Excel workbook."""
    user = request.user
    form = LedgerForm(request.GET or None, initial={"year": timezone.localdate().year}, user=user)
    if request.GET.get("download") and form.is_valid():
        year, area = form.cleaned_data["year"], form.cleaned_data["area"]
        content, counts = ledger_workbook(user, year=year, area=area)
        audit_record(
            action=Action.EXPORT,
            actor=user,
            request=request,
            region=area,
            target="cobuilding-ledger",
            detail={"year": year, "area": area.code if area else "", "rows": counts},
        )
        response = HttpResponse(content, content_type=XLSX)
        name = f"cobuilding-ledger-{year}{'-' + area.code if area else ''}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "lists/ledger.html", {"form": form})
