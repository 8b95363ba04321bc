"""Reads of households, care tags and 联户 links, always through the user's scope.

Care tags are sensitive (PIPL art. 28): they are read only here, and only for households inside
the user's `care_tags.view` scope (the grid's own workers, its community's staff). A list filtered
by a tag keeps to that scope too, so a filter never tells who carries a tag outside it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.core.roles import Capability
from tongxin.core.scope import Scope, scope_for
from tongxin.households.models import CareTag, Household, HouseholdTag, Link, Relation, Residence
from tongxin.lib.tree import ancestor_ids, subtree_range
from tongxin.regions.models import Level, Region

VIEW = Capability.HOUSEHOLDS_VIEW
EDIT = Capability.HOUSEHOLDS_EDIT
TAGS = Capability.CARE_TAGS_VIEW
CONFIGURE = Capability.CARE_TAGS_CONFIGURE


def households_visible(user: Any, *, capability: str = VIEW) -> QuerySet[Household]:
    """Households in buildings inside the user's scope for `capability`."""
    return Household.objects.filter(scope_for(user, capability).q("region_path"))


def households_in(region: Region) -> QuerySet[Household]:
    """Every household in `region`'s subtree (no scope: callers have checked it)."""
    low, high = subtree_range(region.path)
    return Household.objects.filter(region_path__gte=low, region_path__lt=high)


def households_list(
    user: Any,
    *,
    node: Region | None = None,
    tag: CareTag | None = None,
    q: str = "",
    inactive: bool = False,
    **_ignored: Any,
) -> QuerySet[Household]:
    """The household list: in `node`'s subtree, carrying `tag` (only where the user sees tags)."""
    queryset = households_visible(user)
    if node is not None:
        low, high = subtree_range(node.path)
        queryset = queryset.filter(region_path__gte=low, region_path__lt=high)
    if tag is not None:
        queryset = queryset.filter(scope_for(user, TAGS).q("region_path")).filter(
            pk__in=HouseholdTag.objects.filter(tag__code=tag.code).values("household_id")
        )
    if q:
        queryset = queryset.filter(address__icontains=q.strip())
    if not inactive:
        queryset = queryset.filter(active=True)
    return queryset.select_related("building", "grid").order_by("region_path", "unit", "room", "pk")


@dataclass(frozen=True)
class Access:
    """What a user may do with one household."""

    edit: bool
    tags: bool


def household_get(user: Any, pk: Any, *, capability: str = VIEW) -> tuple[Household, Access]:
    """The household (404 outside the user's scope) and what the user may do with it."""
    household = get_object_or_404(
        households_visible(user, capability=capability).select_related("building", "grid", "community"),
        pk=pk,
    )
    path = household.region_path
    access = Access(
        edit=scope_for(user, EDIT).contains(path),
        tags=scope_for(user, TAGS).contains(path),
    )
    return household, access


def tag_scope(user: Any) -> Scope:
    return scope_for(user, TAGS)


def tags_of(user: Any, households: Iterable[Household]) -> dict[int, list[CareTag]]:
    """The care tags of each household the user may see tags of (one query); others get none."""
    scope = tag_scope(user)
    ids = [h.pk for h in households if scope.contains(h.region_path)]
    found: dict[int, list[CareTag]] = defaultdict(list)
    if not ids:
        return found
    for row in (
        HouseholdTag.objects.filter(household_id__in=ids)
        .select_related("tag")
        .order_by("tag__sort_order", "tag__code")
    ):
        found[row.household_id].append(row.tag)
    return found


def household_tags(household: Household) -> QuerySet[HouseholdTag]:
    """A household's tag rows (callers check `Access.tags`)."""
    return household.tags.select_related("tag").order_by("tag__sort_order", "tag__code")


def is_tagged(household: Household) -> bool:
    return household.tags.exists()


def residents(household: Household, *, past: bool = False) -> QuerySet[Residence]:
    rows = household.residences.select_related("person")
    return rows if past else rows.filter(moved_out_on__isnull=True)


def resident_counts(households: Iterable[Household]) -> dict[int, int]:
    """How many live in each household now (one query for a page: never a join under a count)."""
    ids = [h.pk for h in households]
    rows = (
        Residence.objects.filter(household_id__in=ids, moved_out_on__isnull=True)
        .values("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n")
    )
    return dict(rows) if ids else {}


def residents_in_order(household: Household) -> list[Residence]:
    """Everyone who lives or lived there: those living there first, the head first, then by relation."""
    order = {value: i for i, value in enumerate(Relation.values)}
    rows = residents(household, past=True)
    return sorted(rows, key=lambda r: (r.moved_out_on is not None, order.get(r.relation, 99), r.pk))


def residences_of_person(user: Any, person: Any) -> QuerySet[Residence]:
    """The households a person lives or lived in, among those the user may see."""
    return (
        Residence.objects.filter(person=person)
        .filter(scope_for(user, VIEW).q("household__region_path"))
        .select_related("household")
        .order_by("moved_out_on", "-pk")
    )


# ---- care tags (configuration) --------------------------------------------------------------------


def care_tags_in_force(region: Region | None, *, active_only: bool = True) -> list[CareTag]:
    """The tags in force at a node: for each code, the row of the nearest node on its path (the node
    itself, then its ancestors), else the national default."""
    ids = ancestor_ids(region.path) if region is not None and region.path else []
    rows = CareTag.objects.filter(Q(region__isnull=True) | Q(region_id__in=ids))
    depth = {pk: i for i, pk in enumerate(ids, start=1)}
    best: dict[str, CareTag] = {}
    for row in rows:
        rank = depth.get(row.region_id, 0) if row.region_id else 0
        current = best.get(row.code)
        current_rank = depth.get(current.region_id, 0) if current and current.region_id else 0
        if current is None or rank > current_rank:
            best[row.code] = row
    tags = [t for t in best.values() if t.active or not active_only]
    return sorted(tags, key=lambda t: (t.sort_order, t.code))


def care_tag_nodes(user: Any) -> QuerySet[Region]:
    """The streets and communities whose care tags the user may configure."""
    return (
        Region.objects.filter(scope_for(user, CONFIGURE).q("path"))
        .filter(level__in=[Level.STREET, Level.COMMUNITY])
        .order_by("path")
    )


def care_tag_get(user: Any, pk: Any) -> CareTag:
    """A tag row the user may change: one kept at a node inside their configure scope."""
    return get_object_or_404(
        CareTag.objects.filter(scope_for(user, CONFIGURE).q("region__path")).select_related("region"), pk=pk
    )


# ---- links ----------------------------------------------------------------------------------------


def links_visible(user: Any, *, capability: str = VIEW) -> QuerySet[Link]:
    return Link.objects.filter(scope_for(user, capability).q("region_path"))


def links_list(
    user: Any,
    *,
    kind: str = "",
    node: Region | None = None,
    current: bool = False,
    since: date | None = None,
    until: date | None = None,
    **_ignored: Any,
) -> QuerySet[Link]:
    queryset = links_visible(user)
    if kind:
        queryset = queryset.filter(kind=kind)
    if node is not None:
        low, high = subtree_range(node.path)
        queryset = queryset.filter(region_path__gte=low, region_path__lt=high)
    if current:
        queryset = current_only(queryset)
    if until is not None:
        queryset = queryset.filter(starts_on__lte=until)
    if since is not None:
        queryset = queryset.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=since))
    return queryset.select_related("person", "partner", "region").order_by(
        "region_path", "kind", "-starts_on", "pk"
    )


def current_only(queryset: QuerySet[Link], on: date | None = None) -> QuerySet[Link]:
    day = on or timezone.localdate()
    return queryset.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


def link_get(user: Any, pk: Any) -> tuple[Link, bool]:
    """The link (404 outside the user's scope) and whether the user may change it."""
    link = get_object_or_404(links_visible(user).select_related("person", "partner", "region"), pk=pk)
    return link, scope_for(user, EDIT).contains(link.region_path)


def links_of_household(user: Any, household: Household) -> QuerySet[Link]:
    return links_visible(user).filter(households=household).select_related("person", "partner")


def links_of_grid(user: Any, grid: Region) -> QuerySet[Link]:
    """Links kept at the grid (十联户, 党员联户 of its households) and links to it (干部联网格, 1+1)."""
    linked = Link.objects.filter(grids=grid).values("pk")
    return (
        links_visible(user)
        .filter(Q(region=grid) | Q(pk__in=linked))
        .select_related("person", "partner")
        .order_by("kind", "-starts_on", "pk")
    )


def links_of_person(user: Any, person: Any) -> QuerySet[Link]:
    return (
        links_visible(user).filter(Q(person=person) | Q(partner=person)).select_related("person", "partner")
    )


def households_covered(user: Any, region: Region, *, on: date | None = None) -> int:
    """Households in `region`'s subtree covered by a current 十联户 or 党员联户 link."""
    low, high = subtree_range(region.path)
    links = current_only(links_visible(user), on)
    return (
        households_visible(user)
        .filter(region_path__gte=low, region_path__lt=high, active=True, links__in=links)
        .distinct()
        .count()
    )
