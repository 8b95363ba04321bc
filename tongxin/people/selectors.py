from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import subtree_range
from tongxin.people.models import Person, Position, PositionKind


def people_visible(user: Any, *, capability: str = Capability.PEOPLE_VIEW) -> QuerySet[Person]:
    """People whose home region lies inside the user's scope."""
    return Person.objects.filter(scope_for(user, capability).q("region__path"))


def person_get(user: Any, pk: Any, *, capability: str = Capability.PEOPLE_VIEW) -> Person:
    return get_object_or_404(
        people_visible(user, capability=capability).select_related("region", "branch"), pk=pk
    )


def positions_visible(user: Any, *, capability: str = Capability.PEOPLE_VIEW) -> QuerySet[Position]:
    """Positions held at a region inside the user's scope."""
    return Position.objects.filter(scope_for(user, capability).q("region__path")).select_related(
        "person", "region", "organisation"
    )


def position_get(user: Any, pk: Any, *, capability: str = Capability.PEOPLE_VIEW) -> Position:
    return get_object_or_404(positions_visible(user, capability=capability), pk=pk)


def people_in_subtree(
    user: Any, region: Any, *, capability: str = Capability.PEOPLE_VIEW
) -> QuerySet[Person]:
    """Visible people living anywhere in `region`'s subtree (an indexed range on the region path)."""

    low, high = subtree_range(region.path)
    return people_visible(user, capability=capability).filter(region__path__gte=low, region__path__lt=high)


def people_counts(user: Any, region: Any) -> dict[str, int]:
    """People and Party members in the subtree that the user may see, in one query."""

    return people_in_subtree(user, region).aggregate(
        people=Count("pk"), members=Count("pk", filter=~Q(party_status=""))
    )


def position_sort_key(position: Any) -> tuple[int, Any]:
    """Positions in the order of their kind (secretary first), then by start."""
    order = PositionKind.values
    return (order.index(position.kind) if position.kind in order else len(order), position.starts_on)


def positions_current(user: Any, *, on: Any = None) -> QuerySet[Position]:
    """Visible positions held today (or on `on`)."""

    day = on or timezone.localdate()
    return positions_visible(user).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)
