from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import subtree_range
from tongxin.organisations.models import PartyOrganisation


def organisations_visible(
    user: Any, *, capability: str = Capability.STRUCTURE_VIEW
) -> QuerySet[PartyOrganisation]:
    """Organisations attached to a region inside the user's scope."""
    return PartyOrganisation.objects.filter(scope_for(user, capability).q("region__path")).select_related(
        "region"
    )


def organisation_get(user: Any, pk: Any, *, capability: str = Capability.STRUCTURE_VIEW) -> PartyOrganisation:
    return get_object_or_404(organisations_visible(user, capability=capability), pk=pk)


def organisations_of_region(region: Any) -> QuerySet[PartyOrganisation]:
    return PartyOrganisation.objects.filter(region=region).order_by("path")


def organisations_with_member_count(queryset: QuerySet[PartyOrganisation]) -> QuerySet[PartyOrganisation]:

    return queryset.annotate(member_count=Count("members"))


def organisations_in_subtree(user: Any, region: Any) -> QuerySet[PartyOrganisation]:
    """Visible organisations attached anywhere in `region`'s subtree, in tree order."""

    low, high = subtree_range(region.path)
    return organisations_visible(user).filter(region__path__gte=low, region__path__lt=high).order_by("path")


def organisation_choices(
    user: Any, *, capability: str, kinds: Any = None, not_within: PartyOrganisation | None = None
) -> QuerySet[PartyOrganisation]:
    """Organisations a form may offer: attached to a region inside the user's scope for `capability`."""

    queryset = organisations_visible(user, capability=capability)
    if kinds:
        queryset = queryset.filter(kind__in=list(kinds))
    if not_within is not None:
        low, high = subtree_range(not_within.path)
        queryset = queryset.exclude(path__gte=low, path__lt=high)
    return queryset.order_by("path")
