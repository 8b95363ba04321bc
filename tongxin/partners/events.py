"""Co-building notifications: sent once per event (the event key), only after the write commits."""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from tongxin.accounts.models import RoleAssignment, User
from tongxin.accounts.roles import ROLE_CAPABILITIES, Capability


def announce(
    *, users: Callable[[], Iterable[Any]], event_key: str, title: str, body: str = "", url: str = ""
) -> None:
    """Notify `users()` of an event after commit (the recipients are read then, too)."""

    def send() -> None:
        from tongxin.notifications.services import notify

        notify(users=list(users()), event_key=event_key[:80], title=title, body=body, url=url)

    transaction.on_commit(send)


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
