"""Who reaches which venue.

Officials reach the venues of their subtree (venues.view to see, venues.manage to keep them). A
partner unit's liaison (venues.keep) keeps the venues their own unit opens (共享家园), and nothing
else: their role's region does not widen it. Residents see public venues only, and their own
booking through its private link.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from tongxin.core.actors import SYSTEM, Actor, is_user
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for
from tongxin.partners.models import PartnerUnit

if TYPE_CHECKING:
    from tongxin.venues.models import Venue

VIEW, MANAGE, KEEP = Capability.VENUES_VIEW, Capability.VENUES_MANAGE, Capability.VENUES_KEEP


def kept_unit_ids(user: Any) -> list[int]:
    """The active partner units whose venues this liaison keeps."""
    if not is_user(user) or not has_capability(user, KEEP):
        return []
    cache = getattr(user, "_venue_units", None)
    if cache is None:
        cache = list(PartnerUnit.objects.filter(liaisons=user, active=True).values_list("pk", flat=True))
        user._venue_units = cache  # type: ignore[attr-defined]
    return cache


def venue_q(user: Any, *, manage: bool = False, prefix: str = "") -> Q:
    """Venues (at `prefix`, e.g. "venue__") the user sees, or keeps with `manage`."""
    scope = scope_for(user, MANAGE if manage else VIEW)
    condition = scope.q(f"{prefix}region__path")
    units = kept_unit_ids(user)
    if units:
        condition |= Q(**{f"{prefix}unit__in": units})
    return condition


def may_keep(actor: Actor, venue: "Venue") -> bool:
    """The venue's keeper: venues.manage where it is, or a liaison of the unit that opens it."""
    if actor == SYSTEM:
        return True
    if not is_user(actor):
        return False
    if scope_for(actor, MANAGE).contains(venue.region.path):
        return True
    return venue.unit_id is not None and venue.unit_id in kept_unit_ids(actor)


def may_see(user: Any, venue: Any) -> bool:
    if not is_user(user):
        return False
    return scope_for(user, VIEW).contains(venue.region.path) or may_keep(user, venue)


def is_staff(user: Any) -> bool:
    """Holds any venue capability (the staff pages' gate)."""
    return is_user(user) and any(has_capability(user, c) for c in (VIEW, MANAGE, KEEP))
