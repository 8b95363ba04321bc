"""The pages of the structure as a whole: the start page (the user's part of the region tree, the
selected node, its people and its Party organisations) and a region's page. They read regions,
organisations and people, so they sit above all three (docs/architecture.md)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongxin.core.access import login_only, requires
from tongxin.core.pages import int_param
from tongxin.core.permissions import can
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for
from tongxin.organisations.selectors import (
    organisations_in_subtree,
    organisations_of_region,
    organisations_with_member_count,
)
from tongxin.people.selectors import people_counts, position_sort_key, positions_current
from tongxin.regions.models import ALLOWED_PARENT_LEVELS
from tongxin.regions.selectors import (
    region_ancestors,
    region_children,
    region_counts,
    region_get,
    regions_visible,
    regions_with_child_flag,
)
from tongxin.regions.views import EDIT, TreeItem, _region_tree, child_levels, map_region_for

# the home page draws at most this many organisations; the list page has the rest
HOME_ORG_LIMIT = 300


def _organisation_tree(orgs: list[Any]) -> list[TreeItem]:
    """Nest a flat list in path order; organisations whose parent is not in the list are roots."""
    items = {org.pk: TreeItem(org, []) for org in orgs}
    roots: list[TreeItem] = []
    for org in orgs:
        parent = items.get(org.parent_id)
        siblings = parent.children if parent is not None and parent.children is not None else roots
        siblings.append(items[org.pk])
    return roots


@login_only
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the user's part of the region tree, the selected node, its people and its
    Party organisations."""
    return render(request, "regions/home.html", _home_context(request))


def _home_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    scope = scope_for(user, Capability.STRUCTURE_VIEW)
    if scope.is_empty:
        return {"no_scope": True}
    roots = list(regions_with_child_flag(regions_visible(user).filter(path__in=scope.roots)).order_by("path"))
    node_id = int_param(request, "node")
    node = region_get(user, node_id) if node_id is not None else roots[0]
    ancestors = region_ancestors(node, within=scope)
    chain = [*ancestors, node]
    loaded = list(
        regions_with_child_flag(regions_visible(user).filter(parent_id__in=[r.pk for r in chain])).order_by(
            "code"
        )
    )
    tree = _region_tree(roots, loaded, {r.pk for r in chain}, node)

    orgs = list(organisations_with_member_count(organisations_in_subtree(user, node))[: HOME_ORG_LIMIT + 1])
    context: dict[str, Any] = {
        "node": node,
        "breadcrumb": ancestors,
        "map_region": map_region_for(node, ancestors),
        "tree": tree,
        "org_tree": _organisation_tree(orgs[:HOME_ORG_LIMIT]),
        "orgs_truncated": len(orgs) > HOME_ORG_LIMIT,
        "counts": region_counts(node),
        "can_edit": can(user, EDIT, node.path),
        "can_see_people": has_capability(user, Capability.PEOPLE_VIEW),
        "can_add_people": can(user, Capability.PEOPLE_EDIT, node.path),
        "child_levels": child_levels(node),
    }
    if context["can_see_people"]:
        context["people_counts"] = people_counts(user, node)
        context["positions"] = sorted(positions_current(user).filter(region=node), key=position_sort_key)
    return context


@requires(Capability.STRUCTURE_VIEW)
@require_GET
def region_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    region = region_get(user, pk)
    ancestors = region_ancestors(region, within=scope_for(user, Capability.STRUCTURE_VIEW))
    context: dict[str, Any] = {
        "region": region,
        "breadcrumb": ancestors,
        "map_region": map_region_for(region, ancestors),
        "children": list(regions_with_child_flag(region_children(region))),
        "counts": region_counts(region),
        "organisations": list(organisations_with_member_count(organisations_of_region(region))),
        "can_edit": can(user, EDIT, region.path),
        "can_add_people": can(user, Capability.PEOPLE_EDIT, region.path),
        "can_see_people": has_capability(user, Capability.PEOPLE_VIEW),
        "child_levels": child_levels(region),
        "can_move": bool(ALLOWED_PARENT_LEVELS[region.level]),
    }
    if context["can_see_people"]:
        context["people_counts"] = people_counts(user, region)
        context["positions"] = sorted(positions_current(user).filter(region=region), key=position_sort_key)
    return render(request, "regions/detail.html", context)
