"""Scope: which part of the region tree a user reaches for a capability.

Everything an official sees is filtered through a Scope; an object outside it is a 404.
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q

from tongxin.core.roles import capabilities_of
from tongxin.lib.tree import PATH_END, minimal_roots


@dataclass(frozen=True)
class Scope:
    """A set of subtree roots, as region paths. Empty = nothing."""

    roots: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.roots

    def q(self, field: str = "path") -> Q:
        """Filter for objects whose region path (at `field`) lies inside the scope."""
        if not self.roots:
            return Q(pk__in=[])
        condition = Q()
        for root in self.roots:
            condition |= Q(**{f"{field}__gte": root, f"{field}__lt": root + PATH_END})
        return condition

    def contains(self, path: str | None) -> bool:
        return bool(path) and any(path.startswith(r) for r in self.roots)  # type: ignore[union-attr]


EMPTY = Scope(())


def _assignments(user: Any) -> list[tuple[str, str]]:
    cache = getattr(user, "_tongxin_roles", None)
    if cache is None:
        # by name: the access vocabulary sits below the accounts app that stores the assignments
        RoleAssignment = apps.get_model("accounts", "RoleAssignment")
        cache = list(
            RoleAssignment.objects.filter(user_id=user.pk, user__is_active=True).values_list(
                "role", "region__path"
            )
        )
        user._tongxin_roles = cache
    return cache


def scope_for(user: Any, capability: str) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY
    paths = [path for role, path in _assignments(user) if capability in capabilities_of(role)]
    return Scope(tuple(minimal_roots(paths)))


def has_capability(user: Any, capability: str) -> bool:
    return not scope_for(user, capability).is_empty


def capabilities(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    result: set[str] = set()
    for role, _path in _assignments(user):
        result |= capabilities_of(role)
    return result


def roles(user: Any) -> set[str]:
    """The roles the user holds anywhere (for the start page and the phone's tab bar)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {role for role, _path in _assignments(user)}


def forget_cached_roles(user: Any) -> None:
    if hasattr(user, "_tongxin_roles"):
        del user._tongxin_roles


def scope_for_roles(user: Any, capability: str, *, exclude: Any = ()) -> Scope:
    """Like scope_for, leaving out the roles in `exclude`.

    A partner liaison's role grants partners.view at a region, but what the liaison sees is set
    by their unit, not by that region: co-building selectors ask for the officials' scope only.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY
    left_out = set(exclude)
    paths = [
        path
        for role, path in _assignments(user)
        if role not in left_out and capability in capabilities_of(role)
    ]
    return Scope(tuple(minimal_roots(paths)))
