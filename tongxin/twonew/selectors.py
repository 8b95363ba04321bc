"""Reads of the 两新 Party facts, always given the user (scoped by the unit's region)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.twonew.models import NewOrganisation, Post, RectificationItem

VIEW = Capability.TWONEW_VIEW


def organisations_visible(user: Any, *, standing: str = "", q: str = "") -> QuerySet[NewOrganisation]:
    rows = (
        NewOrganisation.objects.filter(scope_for(user, VIEW).q("unit__region__path"))
        .select_related("unit__region", "party_organisation", "instructor")
        .annotate(
            items=Count("rectifications", distinct=True),
            items_done=Count(
                "rectifications", filter=Q(rectifications__done_on__isnull=False), distinct=True
            ),
        )
        .order_by("unit__region__path", "unit__name")
    )
    if standing:
        rows = rows.filter(standing=standing)
    if q:
        rows = rows.filter(unit__name__icontains=q)
    return rows


def organisation_get(user: Any, pk: Any) -> NewOrganisation:
    found = organisations_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def units_without_facts(user: Any) -> QuerySet[PartnerUnit]:
    """两新 partner units in the user's scope whose facts are not recorded yet."""
    return PartnerUnit.objects.filter(
        scope_for(user, Capability.TWONEW_MANAGE).q("region__path"),
        kind=UnitKind.NEW_ORGANISATION,
        active=True,
        twonew__isnull=True,
    ).order_by("name")


def posts_of(organisation: NewOrganisation) -> QuerySet[Post]:
    return organisation.posts.prefetch_related("members").order_by("kind", "name")


def rectifications_of(organisation: NewOrganisation) -> QuerySet[RectificationItem]:
    return organisation.rectifications.select_related("owner").order_by("deadline", "id")


@dataclass
class Progress:
    done: int
    total: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress(items: list[RectificationItem], today: date) -> Progress:
    return Progress(
        done=sum(1 for i in items if i.done_on is not None),
        total=len(items),
        overdue=sum(1 for i in items if i.overdue(today)),
    )
