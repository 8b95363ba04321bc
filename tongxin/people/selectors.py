from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tongxin.accounts.roles import Capability
from tongxin.accounts.scope import scope_for
from tongxin.people.models import Person, Position


def people_visible(user: Any, *, capability: str = Capability.PEOPLE_VIEW) -> QuerySet[Person]:
    """People whose home region lies inside the user's scope."""
    return Person.objects.filter(scope_for(user, capability).q("region__path"))


def person_get(user: Any, pk: Any, *, capability: str = Capability.PEOPLE_VIEW) -> Person:
    return get_object_or_404(people_visible(user, capability=capability).select_related("region", "branch"), pk=pk)


def positions_visible(user: Any, *, capability: str = Capability.PEOPLE_VIEW) -> QuerySet[Position]:
    """Positions held at a region inside the user's scope."""
    return Position.objects.filter(scope_for(user, capability).q("region__path")).select_related(
        "person", "region", "organisation"
    )


def position_get(user: Any, pk: Any, *, capability: str = Capability.PEOPLE_VIEW) -> Position:
    return get_object_or_404(positions_visible(user, capability=capability), pk=pk)
