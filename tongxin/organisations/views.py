"""Party-organisation pages: list, detail with rule warnings, create, edit and move."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.core.access import requires
from tongxin.core.pages import CHOICES_LIMIT, form_page, int_param, paginate, posted
from tongxin.core.permissions import can, get_for_user
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.lib.tree import ancestor_ids
from tongxin.organisations import services
from tongxin.organisations.forms import (
    OrganisationEditForm,
    OrganisationFilterForm,
    OrganisationForm,
    OrganisationMoveForm,
)
from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.organisations.selectors import (
    organisation_choices,
    organisation_get,
    organisations_in_subtree,
    organisations_visible,
    organisations_with_member_count,
)
from tongxin.people.models import PartyStatus
from tongxin.people.selectors import people_visible, position_sort_key, positions_visible
from tongxin.regions.models import Level
from tongxin.regions.selectors import editable_region, region_get

EDIT = Capability.STRUCTURE_EDIT
MEMBER_LIMIT = 100

# the usual organisation at each level, offered first on the create form
DEFAULT_KIND = {
    Level.CITY: OrgKind.COMMITTEE,
    Level.COUNTY: OrgKind.COMMITTEE,
    Level.STREET: OrgKind.WORKING_COMMITTEE,
    Level.COMMUNITY: OrgKind.COMMITTEE,
    Level.GRID: OrgKind.GRID_BRANCH,
    Level.BUILDING: OrgKind.GROUP,
}


def organisation_for(user: Any, pk: Any) -> tuple[PartyOrganisation, bool]:
    """The organisation (404 outside the user's scope) and whether the user may change it."""
    return get_for_user(
        PartyOrganisation.objects.select_related("region"),
        pk,
        user,
        view=Capability.STRUCTURE_VIEW,
        edit=EDIT,
    )


def editable_organisation(user: Any, pk: Any) -> PartyOrganisation:
    """404 outside the user's scope; 403 if they may only look at it."""
    org, may_edit = organisation_for(user, pk)
    if not may_edit:
        raise PermissionDenied
    return org


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = OrganisationFilterForm(request.GET or None)
    node_id = int_param(request, "node")
    node = region_get(user, node_id) if node_id is not None else None
    queryset = organisations_in_subtree(user, node) if node is not None else organisations_visible(user)
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            queryset = queryset.filter(Q(name__icontains=q) | Q(code__startswith=q))
        if form.cleaned_data["kind"]:
            queryset = queryset.filter(kind=form.cleaned_data["kind"])
    page = paginate(request, organisations_with_member_count(queryset).order_by("path"))
    return render(
        request,
        "organisations/list.html",
        {"form": form, "page": page, "node": node, "can_create": has_capability(user, EDIT)},
    )


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org, can_edit = organisation_for(user, pk)
    visible = organisations_visible(user)
    context: dict[str, Any] = {
        "org": org,
        "ancestors": list(visible.filter(pk__in=ancestor_ids(org.path)[:-1]).order_by("depth")),
        "children": list(organisations_with_member_count(visible.filter(parent=org)).order_by("path")),
        "warnings": services.organisation_warnings(org),
        "can_edit": can_edit,
        "can_see_people": has_capability(user, Capability.PEOPLE_VIEW),
        "can_add_people": can(user, Capability.PEOPLE_EDIT, org.region.path),
    }
    if context["can_see_people"]:
        members = people_visible(user).filter(branch=org)
        context["member_counts"] = members.aggregate(
            total=Count("pk"),
            full=Count("pk", filter=Q(party_status=PartyStatus.FULL)),
            probationary=Count("pk", filter=Q(party_status=PartyStatus.PROBATIONARY)),
        )
        context["members"] = list(members.select_related("region").order_by("name")[:MEMBER_LIMIT])
        today = timezone.localdate()
        positions = sorted(positions_visible(user).filter(organisation=org), key=position_sort_key)
        context["positions"] = [(p, p.is_current(today)) for p in positions]
    return render(request, "organisations/detail.html", context)


@requires(Capability.STRUCTURE_VIEW)
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_capability(user, EDIT):
        raise PermissionDenied
    parent_id, region_id = int_param(request, "parent"), int_param(request, "region")
    parent = editable_organisation(user, parent_id) if parent_id is not None else None
    region = editable_region(user, region_id) if region_id is not None else None
    initial: dict[str, Any] = {"parent": parent, "region": region or (parent.region if parent else None)}
    if region is not None:
        initial["kind"] = DEFAULT_KIND.get(Level(region.level))
    if parent is not None and parent.is_branch:
        initial["kind"] = OrgKind.GROUP
    form = OrganisationForm(posted(request), initial=initial, user=user, capability=EDIT)

    return form_page(
        request,
        form,
        save=lambda form: services.organisation_create(**form.cleaned_data),
        message=lambda org: _("%(name)s was created.") % {"name": org.name},
        template="organisations/form.html",
        context={"org": None, "parent": parent},
    )


@requires(Capability.STRUCTURE_VIEW)
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = editable_organisation(user, pk)
    form = OrganisationEditForm(
        posted(request), initial=OrganisationEditForm.initial_for(org), user=user, capability=EDIT
    )
    return form_page(
        request,
        form,
        save=lambda form: services.organisation_update(organisation=org, actor=user, **form.cleaned_data),
        success=reverse("organisations:detail", args=[org.pk]),
        message=lambda _saved: _("%(name)s was saved.") % {"name": form.cleaned_data["name"]},
        template="organisations/form.html",
        context={"org": org, "parent": org.parent},
    )


@requires(Capability.STRUCTURE_VIEW)
@require_http_methods(["GET", "POST"])
def organisation_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = editable_organisation(user, pk)
    form = OrganisationMoveForm(posted(request), user=user, capability=EDIT, organisation=org)
    return form_page(
        request,
        form,
        save=lambda form: services.organisation_move(
            organisation=org, new_parent=form.cleaned_data["new_parent"]
        ),
        field_map={"parent": "new_parent"},
        success=reverse("organisations:detail", args=[org.pk]),
        message=lambda _moved: (
            _("%(name)s now belongs to %(parent)s.")
            % {"name": org.name, "parent": form.cleaned_data["new_parent"].name}
        ),
        template="organisations/move.html",
        context={"org": org},
    )


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def organisation_choices_partial(request: HttpRequest) -> HttpResponse:
    """htmx: <option>s for an organisation picker, searched by name or code inside the user's scope."""
    user = request.user
    capability = request.GET.get("cap", "")
    if capability not in Capability.values:
        raise Http404
    kinds = [k for k in (request.GET.get("kinds") or "").split(",") if k in OrgKind.values]
    not_within_id = int_param(request, "not_within")
    queryset = organisation_choices(
        user,
        capability=capability,
        kinds=kinds or None,
        not_within=organisation_get(user, not_within_id) if not_within_id is not None else None,
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(code__startswith=q))
    options = [(o.pk, f"{o.name} · {o.get_kind_display()}") for o in queryset[:CHOICES_LIMIT]]
    return render(request, "regions/_options.html", {"options": options})
