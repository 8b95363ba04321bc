"""Region pages: list, create, edit and move of regions, and the tree and picker partials. The start
page, a region's page and the map show people and organisations too: they are in tongxin.structure."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.core.access import requires
from tongxin.core.pages import CHOICES_LIMIT, form_page, int_param, paginate, posted
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for
from tongxin.regions import services
from tongxin.regions.forms import RegionEditForm, RegionFilterForm, RegionForm, RegionMoveForm
from tongxin.regions.models import ALLOWED_PARENT_LEVELS, LEVEL_ORDER, Level, Region
from tongxin.regions.selectors import (
    editable_region,
    region_ancestors,
    region_children,
    region_choices,
    region_get,
    regions_visible,
    regions_with_child_flag,
)

EDIT = Capability.STRUCTURE_EDIT


# ---- helpers ------------------------------------------------------------------------------------


def map_region_for(region: Region, ancestors: list[Region]) -> Region | None:
    """The community whose map shows this region (the map page is per community)."""
    if region.level == Level.COMMUNITY:
        return region
    if region.level in (Level.GRID, Level.BUILDING):
        return next((a for a in reversed(ancestors) if a.level == Level.COMMUNITY), None)
    return None


def child_levels(region: Region) -> list[Level]:
    return [level for level in LEVEL_ORDER if region.level in ALLOWED_PARENT_LEVELS[level]]


# ---- trees ----------------------------------------------------------------------------------------


@dataclass
class TreeItem:
    obj: Any
    children: list["TreeItem"] | None = None  # None: not loaded yet (expanded over htmx)
    current: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _region_tree(
    roots: list[Region], loaded: list[Region], expanded: set[int], current: Region
) -> list[TreeItem]:
    by_parent: dict[int | None, list[Region]] = {}
    for region in loaded:
        by_parent.setdefault(region.parent_id, []).append(region)

    def build(region: Region) -> TreeItem:
        children = None
        if region.pk in expanded:
            children = [build(child) for child in by_parent.get(region.pk, [])]
        return TreeItem(region, children, current=region.pk == current.pk)

    return [build(root) for root in roots]


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def region_children_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the <ul> of a tree node's children, loaded when the node is expanded."""
    region = region_get(request.user, pk)
    children = regions_with_child_flag(region_children(region))
    return render(request, "regions/_tree_children.html", {"items": [TreeItem(child) for child in children]})


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def region_choices_partial(request: HttpRequest) -> HttpResponse:
    """htmx: <option>s for a region picker, searched by name or code inside the user's scope."""
    user = request.user
    capability = request.GET.get("cap", "")
    if capability not in Capability.values:
        raise Http404
    within_id, not_within_id = int_param(request, "within"), int_param(request, "not_within")
    levels = [lv for lv in (request.GET.get("levels") or "").split(",") if lv in Level.values]
    queryset = region_choices(
        user,
        capability=capability,
        levels=levels or None,
        within=region_get(user, within_id) if within_id is not None else None,
        not_within=region_get(user, not_within_id) if not_within_id is not None else None,
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(code__startswith=q))
    options = [(r.pk, f"{r.name} · {r.get_level_display()} · {r.code}") for r in queryset[:CHOICES_LIMIT]]
    return render(request, "regions/_options.html", {"options": options})


# ---- list and detail ------------------------------------------------------------------------------


def _filtered_regions(request: HttpRequest) -> tuple[RegionFilterForm, QuerySet[Region]]:
    form = RegionFilterForm(request.GET or None)
    queryset = regions_visible(request.user).select_related("parent")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            queryset = queryset.filter(Q(name__icontains=q) | Q(code__startswith=q))
        if form.cleaned_data["level"]:
            queryset = queryset.filter(level=form.cleaned_data["level"])
    return form, queryset.order_by("path")


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def region_list(request: HttpRequest) -> HttpResponse:
    form, queryset = _filtered_regions(request)
    page = paginate(request, queryset)
    return render(
        request,
        "regions/list.html",
        {"form": form, "page": page, "can_create": has_capability(request.user, EDIT)},
    )


# ---- changes --------------------------------------------------------------------------------------


@requires(Capability.STRUCTURE_VIEW)
@require_http_methods(["GET", "POST"])
def region_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_capability(user, EDIT):
        raise PermissionDenied
    parent_id = int_param(request, "parent")
    parent = editable_region(user, parent_id) if parent_id is not None else None
    level = request.GET.get("level")
    if level not in Level.values:
        levels = child_levels(parent) if parent is not None else []
        level = levels[0] if levels else None
    form = RegionForm(posted(request), initial={"parent": parent, "level": level}, user=user, capability=EDIT)
    form.fields["parent"].required = True  # a top-level region is the system administrator's

    def save(form: RegionForm) -> Region:
        data = form.cleaned_data
        return services.region_create(
            actor=user,
            name=data["name"],
            level=data["level"],
            code=data["code"].strip(),
            parent=data["parent"],
            kind=data["kind"] or None,
            geometry=data["geometry"],
            address=data["address"],
            centre=form.centre,
        )

    return form_page(
        request,
        form,
        save=save,
        message=lambda region: _("%(name)s was created.") % {"name": region.name},
        template="regions/form.html",
        context={"parent": parent, "region": None},
    )


@requires(Capability.STRUCTURE_VIEW)
@require_http_methods(["GET", "POST"])
def region_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    region = editable_region(user, pk)
    form = RegionEditForm(
        posted(request),
        initial=RegionEditForm.initial_for(region),
        user=user,
        capability=EDIT,
        region=region,
    )

    def save(form: RegionEditForm) -> None:
        data = form.cleaned_data
        geometry: Any = data.get("geometry") if "geometry" in form.fields else ...
        if geometry == region.geometry:
            geometry = ...  # unchanged: keep the centre and the cell index as they are
        services.region_update(
            region=region,
            actor=request.user,
            name=data["name"],
            code=data["code"].strip(),
            kind=data["kind"] or None,
            address=data["address"],
            geometry=geometry,
            centre=form.centre,
        )

    return form_page(
        request,
        form,
        save=save,
        success=reverse("regions:detail", args=[region.pk]),
        message=lambda _saved: _("%(name)s was saved.") % {"name": form.cleaned_data["name"]},
        template="regions/form.html",
        context={"region": region, "parent": region.parent},
    )


@requires(Capability.STRUCTURE_VIEW)
@require_http_methods(["GET", "POST"])
def region_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    region = editable_region(user, pk)
    if not ALLOWED_PARENT_LEVELS[region.level]:
        raise Http404  # a city has nowhere to go
    form = RegionMoveForm(posted(request), user=user, capability=EDIT, region=region)
    return form_page(
        request,
        form,
        save=lambda form: services.region_move(
            region=region,
            new_parent=form.cleaned_data["new_parent"],
            new_code=(form.cleaned_data["new_code"] or "").strip() or None,
        ),
        field_map={"parent": "new_parent", "code": "new_code"},
        success=reverse("regions:detail", args=[region.pk]),
        message=lambda _moved: (
            _("%(name)s now belongs to %(parent)s.")
            % {"name": region.name, "parent": form.cleaned_data["new_parent"].name}
        ),
        template="regions/move.html",
        context={
            "region": region,
            "breadcrumb": region_ancestors(region, within=scope_for(user, Capability.STRUCTURE_VIEW)),
        },
    )
