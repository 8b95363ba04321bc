"""Who is told of an event: the officials at a node, the liaisons of partner units, the community's
own staff. The case notifier and every app's services pick their recipients here."""

from collections.abc import Iterable
from typing import Any

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.roles import ROLE_CAPABILITIES, Capability


def officials_at(region_ids: Iterable[int], capability: str = Capability.PARTNERS_MANAGE) -> list[User]:
    """Accounts holding `capability` exactly at these nodes (the community's own staff)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    user_ids = RoleAssignment.objects.filter(region_id__in=list(region_ids), role__in=roles).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def liaisons_of(*units: Any) -> list[User]:
    ids = [u.pk for u in units if u is not None]
    return list(User.objects.filter(partner_units__pk__in=ids, is_active=True).distinct())


def community_officials(region: Any) -> list[User]:
    """Who keeps the lists for a region: the officials at its community (or the region itself)."""
    community = region.community() if region is not None else None
    target = community or region
    return officials_at([target.pk]) if target is not None else []
