"""Reads for exports: what lies under the chosen root, inside the user's scope."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.households.models import Household
from tongxin.lib.tree import subtree_range
from tongxin.organisations.models import PartyOrganisation
from tongxin.people.models import Person, Position
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import region_get, region_subtree
from tongxin.transfer.layouts import Layout

MAX_ROOT_CHOICES = 2000


def export_scope_contains(user: Any, layout: Layout, path: str) -> bool:
    return scope_for(user, Capability.DATA_EXPORT).contains(path) and scope_for(
        user, layout.view_capability
    ).contains(path)


def export_root(user: Any, layout: Layout, pk: Any) -> Region:
    """The region to export under, or 404 when it lies outside what the user may export and see."""
    region = region_get(user, pk, capability=Capability.DATA_EXPORT)
    if not scope_for(user, layout.view_capability).contains(region.path):
        raise Http404
    return region


def export_root_choices(user: Any, layout: Layout) -> list[Region]:
    """Regions the user may pick as the root of an export, in tree order (buildings left out)."""
    export_q = scope_for(user, Capability.DATA_EXPORT).q("path")
    view_q = scope_for(user, layout.view_capability).q("path")
    return list(
        Region.objects.filter(export_q)
        .filter(view_q)
        .exclude(level=Level.BUILDING)
        .only("id", "name", "code", "level", "depth", "path")
        .order_by("path")[:MAX_ROOT_CHOICES]
    )


def regions_under(root: Region, *, level: str | None = None) -> QuerySet[Region]:
    queryset = region_subtree(root).select_related("parent")
    if level is not None:
        queryset = queryset.filter(level=level)
    return queryset.order_by("depth", "code")


def organisations_under(root: Region) -> QuerySet[PartyOrganisation]:
    low, high = subtree_range(root.path)
    return (
        PartyOrganisation.objects.filter(region__path__gte=low, region__path__lt=high)
        .select_related("region", "parent")
        .order_by("depth", "code")
    )


def people_under(root: Region) -> QuerySet[Person]:
    low, high = subtree_range(root.path)
    return (
        Person.objects.filter(region__path__gte=low, region__path__lt=high)
        .select_related("region", "branch")
        .order_by("id")
    )


def positions_under(root: Region) -> QuerySet[Position]:
    low, high = subtree_range(root.path)
    return (
        Position.objects.filter(region__path__gte=low, region__path__lt=high)
        .select_related("person", "region", "organisation")
        .order_by("region__code", "kind", "starts_on", "id")
    )


def households_under(root: Region) -> QuerySet[Household]:
    low, high = subtree_range(root.path)
    return (
        Household.objects.filter(region_path__gte=low, region_path__lt=high, active=True)
        .select_related("building")
        .order_by("region_path", "house_number", "unit", "room", "id")
    )
