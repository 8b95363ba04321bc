"""Reads of co-building, always through the user's reach.

Officials reach a subtree of the region tree (partners.view from any role but the liaison's).
A liaison reaches their own units (PartnerUnit.liaisons, while they hold partners.claim) and the
areas those units are paired with (pairings in force, alliances they sit on) — nothing else:
another unit's resources or an unpaired community's needs are a 404, in lists, counts and exports.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core.roles import Capability, Role
from tongxin.core.scope import EMPTY, Scope, scope_for, scope_for_roles
from tongxin.lib.tree import minimal_roots
from tongxin.partners.models import (
    Agreement,
    Alliance,
    AllianceMember,
    CoBuildingRules,
    Pairing,
    PartnerUnit,
)

_CACHE_ATTR = "_tongxin_cobuilding_reach"


@dataclass(frozen=True)
class Reach:
    scope: Scope  # officials: the subtree they see
    manage: Scope  # officials: the subtree they keep (partners.manage)
    unit_ids: frozenset[int]  # liaisons: their units
    paired: Scope  # liaisons: the areas their units are paired with

    @property
    def is_empty(self) -> bool:
        return self.scope.is_empty and not self.unit_ids

    @property
    def is_official(self) -> bool:
        return not self.scope.is_empty

    @property
    def is_liaison(self) -> bool:
        return bool(self.unit_ids)

    def manages(self, region: Any) -> bool:
        return region is not None and self.manage.contains(region.path)

    def sees_region(self, region: Any) -> bool:
        return region is not None and (self.scope.contains(region.path) or self.paired.contains(region.path))

    def speaks_for(self, unit: Any) -> bool:
        """May act as this unit's liaison (claim, keep its resources, report its projects)."""
        return unit is not None and unit.pk in self.unit_ids


NOBODY = Reach(EMPTY, EMPTY, frozenset(), EMPTY)


def pairings_in_force(on: date | None = None) -> Q:
    day = on or timezone.localdate()
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def reach_for(user: Any) -> Reach:
    """What co-building `user` reaches; computed once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = scope_for_roles(user, Capability.PARTNERS_VIEW, exclude={Role.PARTNER_LIAISON})
    manage = scope_for(user, Capability.PARTNERS_MANAGE)
    unit_ids: frozenset[int] = frozenset()
    paired = EMPTY
    if not scope_for(user, Capability.PARTNERS_CLAIM).is_empty:
        unit_ids = frozenset(
            PartnerUnit.objects.filter(liaisons=user, active=True).values_list("pk", flat=True)
        )
        if unit_ids:
            paths = list(
                Pairing.objects.filter(pairings_in_force(), unit_id__in=unit_ids).values_list(
                    "region__path", flat=True
                )
            )
            paths += list(
                AllianceMember.objects.filter(
                    unit_id__in=unit_ids, left_on__isnull=True, alliance__active=True
                ).values_list("alliance__region__path", flat=True)
            )
            paired = Scope(tuple(minimal_roots([p for p in paths if p])))
    reach = Reach(scope, manage, unit_ids, paired)
    setattr(user, _CACHE_ATTR, reach)
    return reach


def require_manages(user: Any, region: Any) -> None:
    """403 for an object the user may see but not keep (partners.manage does not reach its region)."""
    if not reach_for(user).manages(region):
        raise PermissionDenied


def forget_reach(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# ---- partner units --------------------------------------------------------------------------------


def units_visible(user: Any) -> QuerySet[PartnerUnit]:
    """Units an official sees (registered in their subtree, or paired or allied there); a liaison's own."""
    reach = reach_for(user)
    condition = Q(pk__in=list(reach.unit_ids))
    if reach.is_official:
        condition |= reach.scope.q("region__path")
        paired = Pairing.objects.filter(reach.scope.q("region__path"), unit_id=OuterRef("pk"))
        allied = AllianceMember.objects.filter(
            reach.scope.q("alliance__region__path"), unit_id=OuterRef("pk")
        )
        condition |= Q(Exists(paired)) | Q(Exists(allied))
    return PartnerUnit.objects.filter(condition).select_related("region", "party_organisation")


def unit_get(user: Any, pk: Any) -> PartnerUnit:
    return get_object_or_404(units_visible(user), pk=pk)


def unit_choices(user: Any) -> QuerySet[PartnerUnit]:
    """Units a form may offer an official (their visible active units) or a liaison (their own)."""
    return units_visible(user).filter(active=True).order_by("name")


def units_of_liaison(user: Any) -> QuerySet[PartnerUnit]:
    return PartnerUnit.objects.filter(pk__in=list(reach_for(user).unit_ids)).order_by("name")


def liaison_accounts(user: Any) -> QuerySet[Any]:
    """Accounts an official may name as a unit's liaison: holding the liaison role in their subtree."""

    manage = reach_for(user).manage
    return (
        # one filter() call: the role and its region must be the same assignment
        User.objects.filter(
            manage.q("role_assignments__region__path"),
            is_active=True,
            role_assignments__role=Role.PARTNER_LIAISON,
        )
        .distinct()
        .order_by("username")
    )


# ---- alliances ------------------------------------------------------------------------------------


def alliances_visible(user: Any) -> QuerySet[Alliance]:
    reach = reach_for(user)
    seated = AllianceMember.objects.filter(
        alliance_id=OuterRef("pk"), unit_id__in=list(reach.unit_ids), left_on__isnull=True
    )
    condition = reach.scope.q("region__path") | Q(Exists(seated))
    return Alliance.objects.filter(condition).select_related("region", "organisation")


def alliance_get(user: Any, pk: Any) -> Alliance:
    return get_object_or_404(alliances_visible(user), pk=pk)


def alliance_members_current(alliance: Alliance) -> QuerySet[AllianceMember]:
    return (
        alliance.members.filter(left_on__isnull=True)
        .select_related("unit", "organisation", "person")
        .order_by("role", "id")
    )


# ---- pairings and agreements ----------------------------------------------------------------------


def pairings_visible(user: Any) -> QuerySet[Pairing]:
    reach = reach_for(user)
    condition = Q(unit_id__in=list(reach.unit_ids))
    if reach.is_official:
        condition |= reach.scope.q("region__path")
    return Pairing.objects.filter(condition).select_related("unit", "region", "host_organisation")


def pairing_get(user: Any, pk: Any) -> Pairing:
    return get_object_or_404(pairings_visible(user), pk=pk)


def agreement_current(pairing: Pairing) -> Agreement | None:
    return pairing.agreements.order_by("-starts_on", "-id").first()


def agreements_current(pairings: Iterable[Pairing]) -> dict[int, Agreement]:
    """`agreement_current` of each pairing (by id), in one query for a list of them."""
    current: dict[int, Agreement] = {}
    for agreement in Agreement.objects.filter(pairing__in=list(pairings)).order_by(
        "pairing_id", "-starts_on", "-id"
    ):
        current.setdefault(agreement.pairing_id, agreement)
    return current


def agreements_in_force() -> QuerySet[Agreement]:
    """The newest agreement of each pairing that has not ended (a renewal supersedes the old one)."""
    newer = Agreement.objects.filter(pairing_id=OuterRef("pairing_id"), starts_on__gt=OuterRef("starts_on"))
    return Agreement.objects.filter(pairing__ended_on__isnull=True).exclude(Exists(newer))


def agreements_expiring(user: Any, *, within_days: int, today: date | None = None) -> QuerySet[Agreement]:
    """Agreements in force whose term ends within `within_days` (or has just ended, unrenewed)."""
    today = today or timezone.localdate()
    visible = pairings_visible(user).values("pk")
    return (
        agreements_in_force()
        .filter(pairing_id__in=visible, ends_on__lte=today + timedelta(days=within_days))
        .filter(ends_on__gte=today - timedelta(days=within_days))
        .select_related("pairing", "pairing__unit", "pairing__region")
        .order_by("ends_on", "id")
    )


def agreement_get(user: Any, pk: Any) -> Agreement:
    return get_object_or_404(
        Agreement.objects.filter(pairing_id__in=pairings_visible(user).values("pk")).select_related(
            "pairing", "pairing__unit", "pairing__region"
        ),
        pk=pk,
    )


# ---- rules ----------------------------------------------------------------------------------------

DEFAULT_RULES = CoBuildingRules(
    version="tongxin-2026.1",
    agreement_warn_days=60,
    task_warn_days=3,
    practical_per_unit=1,
    secretary_projects=1,
    due_if_joined_by_month=7,
    due_if_joined_by_day=1,
)


def rules_current() -> CoBuildingRules:
    """The newest rules row; the national default if none was ever saved."""
    return CoBuildingRules.objects.order_by("-id").first() or DEFAULT_RULES
