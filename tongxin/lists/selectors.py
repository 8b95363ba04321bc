"""Reads of the three lists through the user's reach (see tongxin.partners.selectors).

Officials see what lies in their subtree; a liaison sees the needs of the areas their units are
paired with (and the needs those units claimed), their units' own resources and projects.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.cases.models import Case
from tongxin.core.periods import at_days
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.terms import shared_terms
from tongxin.lib.tree import subtree_range
from tongxin.lists.models import Need, NeedSource, NeedStatus, Project, ProjectStatus, Resource
from tongxin.lists.services import CASE_STATUSES_FOR_NEEDS
from tongxin.organisations.models import PartyOrganisation
from tongxin.partners.models import Alliance, AllianceMember, Pairing, PartnerUnit
from tongxin.partners.selectors import pairings_in_force, reach_for, units_visible
from tongxin.people.models import Person, PositionKind


def needs_visible(user: Any) -> QuerySet[Need]:
    reach = reach_for(user)
    condition = reach.scope.q("region__path") | Q(claimed_by_unit_id__in=list(reach.unit_ids))
    if not reach.paired.is_empty:
        condition |= reach.paired.q("region__path")
    return Need.objects.filter(condition).select_related("region", "claimed_by_unit")


def need_get(user: Any, pk: Any) -> Need:
    return get_object_or_404(needs_visible(user).select_related("case", "claimed_meeting"), pk=pk)


def needs_claimable(user: Any) -> QuerySet[Need]:
    """Open needs in the areas the user's units are paired with (the liaison's list to claim from)."""
    reach = reach_for(user)
    if reach.paired.is_empty:
        return Need.objects.none()
    return Need.objects.filter(reach.paired.q("region__path"), status=NeedStatus.OPEN).select_related(
        "region"
    )


def needs_filter(
    qs: QuerySet[Need],
    *,
    status: str = "",
    source: str = "",
    category: str = "",
    region: Any = None,
    unit: Any = None,
    q: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Need]:
    """`since`/`until`: published (created_at) on a local day in the period."""

    qs = at_days(qs, "created_at", since, until)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if category:
        qs = qs.filter(category=category)
    if region is not None:
        low, high = subtree_range(region.path)
        qs = qs.filter(region__path__gte=low, region__path__lt=high)
    if unit is not None:
        qs = qs.filter(claimed_by_unit=unit)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs


def needs_listed(user: Any, **filters: Any) -> QuerySet[Need]:
    """The needs list (page, count, export, API): needs_visible narrowed by needs_filter."""
    return needs_filter(needs_visible(user), **filters).order_by("-created_at", "-id")


def need_counts(qs: QuerySet[Need]) -> dict[str, int]:
    return qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=NeedStatus.OPEN)),
        claimed=Count("pk", filter=Q(status__in=[NeedStatus.CLAIMED, NeedStatus.IN_PROJECT])),
        done=Count("pk", filter=Q(status=NeedStatus.DONE)),
    )


def problems_visible(user: Any) -> QuerySet[Need]:
    """问题清单: needs that came from cases the community could not solve."""
    return needs_visible(user).filter(source=NeedSource.CASE).select_related("case")


def results_visible(user: Any, *, year: int | None = None) -> QuerySet[Need]:
    """实效清单: needs met by a delivered project (the same rows as the needs and problem lists)."""
    qs = needs_visible(user).filter(status=NeedStatus.DONE).select_related("project", "case")
    if year:
        start, end = year_bounds(year)
        qs = qs.filter(done_at__gte=start, done_at__lt=end)
    return qs.order_by("-done_at", "-id")


def cases_for_needs(user: Any) -> QuerySet[Any]:
    """Cases the user's community could not solve (closed unsolved, or whistled upward) that are not
    on the needs list yet, inside both the user's cases scope and co-building scope."""

    manage = reach_for(user).manage
    return (
        Case.objects.filter(scope_for(user, Capability.CASES_VIEW).q("region_path"))
        .filter(manage.q("region_path"))
        .filter(status__in=CASE_STATUSES_FOR_NEEDS, need__isnull=True)
        .select_related("category", "community", "grid")
        .order_by("-reported_at")
    )


# ---- resources ------------------------------------------------------------------------------------


def resources_visible(user: Any) -> QuerySet[Resource]:
    return Resource.objects.filter(unit__in=units_visible(user).values("pk")).select_related("unit")


def resources_listed(
    user: Any,
    *,
    since: date | None = None,
    until: date | None = None,
    kind: str = "",
    unit: Any = None,
    available: bool = False,
) -> QuerySet[Resource]:
    """The resources list (page, count, export, API): put on the list (created_at) in the period."""
    resources = at_days(resources_visible(user), "created_at", since, until)
    if kind:
        resources = resources.filter(kind=kind)
    if unit is not None:
        resources = resources.filter(unit=unit)
    if available:
        resources = resources.filter(available=True)
    return resources.order_by("unit__name", "kind", "title", "id")


def resource_get(user: Any, pk: Any) -> Resource:
    return get_object_or_404(resources_visible(user), pk=pk)


@dataclass
class Suggestion:
    resource: Resource
    score: int
    reasons: list[str]


def resource_suggestions(
    user: Any, need: Need, *, today: date | None = None, limit: int = 8
) -> list[Suggestion]:
    """Resources (that the user may see, available now) which match a need, best first.

    A resource matches by its category (the need's), the kind of help the need wants, or words it
    shares with the need's title and description (Chinese by character bigrams); a unit paired
    with the need's area ranks higher but is no match on its own. Each suggestion says why.
    """

    today = today or timezone.localdate()
    candidates = (
        resources_visible(user)
        .filter(available=True, unit__active=True)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=today))
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
        .exclude(quantity=0)
    )
    paired_units = set(
        Pairing.objects.filter(pairings_in_force(today), unit__active=True).values_list(
            "unit_id", "region__path"
        )
    )
    allied_units = set(
        AllianceMember.objects.filter(
            left_on__isnull=True, unit__isnull=False, alliance__active=True
        ).values_list("unit_id", "alliance__region__path")
    )
    near = {unit for unit, path in paired_units | allied_units if need.region.path.startswith(path)}
    need_text = f"{need.title}\n{need.description}"
    found = []
    for resource in candidates:
        if resource.category and resource.category != need.category:
            continue  # made for other needs
        score, reasons = 0, list[str]()
        if resource.category == need.category:
            score += 3
            reasons.append(_("Same category: %(name)s") % {"name": resource.get_category_display()})
        if need.wanted_kind and resource.kind == need.wanted_kind:
            score += 2
            reasons.append(_("The kind of help wanted: %(name)s") % {"name": resource.get_kind_display()})
        words = shared_terms(need_text, f"{resource.title}\n{resource.description}")
        if words:
            score += 2 * len(words)
            reasons.append(_("Words in common: %(words)s") % {"words": "、".join(words)})
        if not score:
            continue  # nothing of the need in it
        if resource.unit_id in near:
            score += 1
            reasons.append(_("The unit is paired with this area"))
        found.append(Suggestion(resource, score, reasons))
    found.sort(key=lambda s: (-s.score, s.resource.unit.name, s.resource.title))
    return found[:limit]


def projects_visible(user: Any) -> QuerySet[Project]:
    reach = reach_for(user)
    condition = Q(owner_unit_id__in=list(reach.unit_ids))
    if reach.is_official:
        condition |= reach.scope.q("region__path") | reach.scope.q("owner_unit__region__path")
    return Project.objects.filter(condition).select_related("region", "owner_unit", "secretary", "need")


def projects_listed(
    user: Any,
    *,
    since: date | None = None,
    until: date | None = None,
    kind: str = "",
    status: str = "",
    unit: Any = None,
) -> QuerySet[Project]:
    """The projects list (page, count, export, API): claimed (claimed_at) in the period."""
    projects = at_days(projects_visible(user), "claimed_at", since, until)
    if kind:
        projects = projects.filter(kind=kind)
    if status:
        projects = projects.filter(status=status)
    if unit is not None:
        projects = projects.filter(owner_unit=unit)
    return projects.order_by("-claimed_at", "-id")


def project_get(user: Any, pk: Any) -> Project:
    return get_object_or_404(projects_visible(user).select_related("parent"), pk=pk)


def project_counts(qs: QuerySet[Project]) -> dict[str, Any]:
    return qs.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=ProjectStatus.ACTIVE)),
        closed=Count("pk", filter=Q(status=ProjectStatus.CLOSED)),
        budget=Sum("budget"),
        beneficiaries=Sum("beneficiaries_count", filter=Q(status=ProjectStatus.CLOSED)),
    )


def units_of(user: Any) -> QuerySet[PartnerUnit]:
    return PartnerUnit.objects.filter(pk__in=list(reach_for(user).unit_ids)).order_by("name")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(date(year, 1, 1), time.min, tzinfo=tz), datetime.combine(
        date(year + 1, 1, 1), time.min, tzinfo=tz
    )


def secretary_candidates(*, unit: Any = None, region: Any = None, on: date | None = None) -> QuerySet[Any]:
    """Party secretaries who may claim a 书记项目 here: of the owner unit's organisation, of the
    organisations of the region and the regions above it, and of the alliances serving it."""

    day = on or timezone.localdate()
    org_ids: list[int] = []
    if unit is not None and unit.party_organisation_id:
        org_ids.append(unit.party_organisation_id)
    if region is not None:
        ids = [*region.ancestor_ids(), region.pk]
        org_ids += list(PartyOrganisation.objects.filter(region_id__in=ids).values_list("pk", flat=True))
        org_ids += [
            pk
            for pk in Alliance.objects.filter(region_id__in=ids, organisation__isnull=False).values_list(
                "organisation_id", flat=True
            )
            if pk is not None
        ]
    return (
        # one filter() call: the conditions must hold for the same position
        Person.objects.filter(
            Q(positions__ends_on__isnull=True) | Q(positions__ends_on__gte=day),
            positions__kind=PositionKind.SECRETARY,
            positions__organisation_id__in=org_ids,
            positions__starts_on__lte=day,
        )
        .distinct()
        .order_by("name")
    )
