from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tongxin.accounts.roles import Capability
from tongxin.accounts.scope import scope_for
from tongxin.organisations.models import PartyOrganisation


def organisations_visible(user: Any, *, capability: str = Capability.STRUCTURE_VIEW) -> QuerySet[PartyOrganisation]:
    """Organisations attached to a region inside the user's scope."""
    return PartyOrganisation.objects.filter(scope_for(user, capability).q("region__path")).select_related("region")


def organisation_get(user: Any, pk: Any, *, capability: str = Capability.STRUCTURE_VIEW) -> PartyOrganisation:
    return get_object_or_404(organisations_visible(user, capability=capability), pk=pk)


def organisations_of_region(region: Any) -> QuerySet[PartyOrganisation]:
    return PartyOrganisation.objects.filter(region=region).order_by("path")
