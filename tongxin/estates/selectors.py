"""Reads of estates, always given the user.

Officials reach the estates of their `estates.view` subtree. A property firm's liaison (a partner
liaison named on the firm, while they hold partners.claim) reaches the estates their firm serves and
the firm's own evaluation, nothing else. Anything outside is a 404, in lists, counts and files alike.
Rankings of firms are never listed: a firm's evaluation is read one firm at a time.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.cases.models import OPEN_STATUSES, Case
from tongxin.core.scope import Scope, scope_for
from tongxin.estates.defaults import ESTATE_RULES
from tongxin.estates.models import (
    BuildingHeadDuty,
    CommitteeMember,
    Estate,
    EstateRules,
    GroupFund,
    OwnersCommittee,
    ProjectLocation,
    SubsidyRow,
    SubsidyRun,
)
from tongxin.estates.services import MANAGE, VIEW, is_red_committee, rules_in_force
from tongxin.lists.models import Project
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.partners.selectors import reach_for
from tongxin.people.models import Position, PositionKind
from tongxin.regions.models import Level, Region


@dataclass(frozen=True)
class EstateReach:
    scope: Scope  # officials: estates.view
    manage: Scope  # officials: estates.manage
    firm_ids: frozenset[int]  # liaisons: their property firms

    @property
    def is_empty(self) -> bool:
        return self.scope.is_empty and not self.firm_ids


def reach(user: Any) -> EstateReach:
    firms: frozenset[int] = frozenset()
    unit_ids = reach_for(user).unit_ids
    if unit_ids:
        firms = frozenset(
            PartnerUnit.objects.filter(pk__in=list(unit_ids), kind=UnitKind.PROPERTY_FIRM).values_list(
                "pk", flat=True
            )
        )
    return EstateReach(scope_for(user, VIEW), scope_for(user, MANAGE), firms)


def may_manage(user: Any, path: str) -> bool:
    return scope_for(user, MANAGE).contains(path)


# ---- estates --------------------------------------------------------------------------------------


def estates_visible(user: Any) -> QuerySet[Estate]:
    r = reach(user)
    condition = r.scope.q("region_path") | Q(property_firm_id__in=list(r.firm_ids))
    return Estate.objects.filter(condition)


def open_cases_q() -> Q:
    return Q(status__in=list(OPEN_STATUSES))


def estates_list(user: Any, *, community: Region | None = None) -> QuerySet[Estate]:
    rows = estates_visible(user)
    if community is not None:
        rows = rows.filter(region_path__gte=community.path, region_path__lt=community.path + "~")
    return (
        rows.select_related("community", "property_firm", "firm_branch")
        .annotate(building_count=Count("buildings", distinct=True))
        .prefetch_related(Prefetch("committees", queryset=_committees()))
        .order_by("region_path", "name", "id")
    )


def _committees() -> QuerySet[OwnersCommittee]:
    return OwnersCommittee.objects.prefetch_related(
        Prefetch("members", queryset=CommitteeMember.objects.select_related("person"))
    ).order_by("-term_starts_on")


def estate_get(user: Any, pk: Any) -> Estate:
    return get_object_or_404(
        estates_visible(user).select_related("community", "property_firm", "firm_branch"), pk=pk
    )


def committee_in_force(estate: Estate, on: Any = None) -> OwnersCommittee | None:
    """The estate's committee whose term covers `on` (today), from the prefetched terms."""
    day = on or timezone.localdate()
    for committee in estate.committees.all():
        if committee.term_starts_on <= day <= committee.term_ends_on:
            return committee
    return None


def badges(estates: list[Estate], on: Any = None) -> None:
    """Mark each estate with its 红色物业 and 红色业委会 badges and its committee in force."""
    day = on or timezone.localdate()
    versions = list(EstateRules.objects.select_related("region")) if estates else []
    for estate in estates:
        rules = rules_in_force(versions, day, estate.region_path) or EstateRules(**ESTATE_RULES)
        committee = committee_in_force(estate, day)
        estate.committee = committee  # type: ignore[attr-defined]
        estate.red_property = estate.is_red_property(day)  # type: ignore[attr-defined]
        estate.red_committee = committee is not None and is_red_committee(  # type: ignore[attr-defined]
            list(committee.members.all()), rules
        )


def communities_of(user: Any) -> QuerySet[Region]:
    """Communities inside the user's estates.view scope (the filter of the estates page)."""
    return Region.objects.filter(reach(user).scope.q("path"), level=Level.COMMUNITY).order_by("path")


def buildings_of(estate: Estate) -> QuerySet[Region]:
    return estate.buildings.select_related("parent").order_by("path")


def joint_meetings_of(estate: Estate) -> Any:
    return estate.joint_meetings.select_related("meeting").prefetch_related("meeting__decisions__tasks")


# ---- firms ----------------------------------------------------------------------------------------


def firms_visible(user: Any) -> QuerySet[PartnerUnit]:
    """Property firms serving an estate the user sees (officials), or the liaison's own firms."""
    r = reach(user)
    serving = Estate.objects.filter(r.scope.q("region_path"), property_firm_id=OuterRef("pk"))
    return PartnerUnit.objects.filter(
        Q(pk__in=list(r.firm_ids)) | Q(Exists(serving)), kind=UnitKind.PROPERTY_FIRM
    ).order_by("name")


def firm_get(user: Any, pk: Any) -> PartnerUnit:
    return get_object_or_404(firms_visible(user), pk=pk)


# ---- building heads and subsidies -----------------------------------------------------------------


def heads_visible(user: Any) -> QuerySet[Position]:
    return Position.objects.filter(
        reach(user).scope.q("region__path"), kind=PositionKind.BUILDING_HEAD
    ).select_related("person", "region")


def duties_of(position: Position) -> QuerySet[BuildingHeadDuty]:
    return position.duties.select_related("verified_by").order_by("-done_on", "-id")


def runs_visible(user: Any) -> QuerySet[SubsidyRun]:
    return SubsidyRun.objects.filter(reach(user).scope.q("region_path")).select_related(
        "community", "rules", "approved_by", "computed_by"
    )


def run_get(user: Any, pk: Any) -> SubsidyRun:
    return get_object_or_404(runs_visible(user), pk=pk)


def run_rows(run: SubsidyRun) -> QuerySet[SubsidyRow]:
    return run.rows.select_related("position__person", "position__region").order_by("region_path", "id")


def payment_rows(user: Any, *, year: int) -> QuerySet[SubsidyRow]:
    """The rows of the approved runs of `year` in the user's scope: what is paid."""
    return (
        SubsidyRow.objects.filter(
            reach(user).scope.q("run__region_path"), run__year=year, run__status="approved"
        )
        .select_related("position__person", "position__region", "run__community")
        .order_by("run__region_path", "region_path", "id")
    )


# ---- funds ----------------------------------------------------------------------------------------


def funds_visible(user: Any) -> QuerySet[GroupFund]:
    return GroupFund.objects.filter(reach(user).scope.q("region_path")).select_related("community")


def fund_get(user: Any, pk: Any) -> GroupFund:
    return get_object_or_404(funds_visible(user), pk=pk)


# ---- projects on the map --------------------------------------------------------------------------


def located_projects(user: Any) -> QuerySet[ProjectLocation]:
    """Co-building projects with a place, in the user's estates.view scope."""
    return (
        ProjectLocation.objects.filter(reach(user).scope.q("project__region__path"))
        .select_related("project", "project__region", "project__owner_unit")
        .order_by("project__status", "project__title")
    )


def projects_to_locate(user: Any) -> QuerySet[Project]:
    return Project.objects.filter(scope_for(user, MANAGE).q("region__path")).order_by("-claimed_at")


def open_case_count(case_ids: list[int]) -> int:
    return Case.objects.filter(open_cases_q(), pk__in=case_ids).count()


# ---- rule sets ------------------------------------------------------------------------------------


def rules_places(user: Any) -> QuerySet[Region]:
    """The county and streets whose rules the user may read: those inside their estates.view scope and
    those above it (a community's staff read their street's and county's rules)."""
    scope = scope_for(user, VIEW)
    above = {int(i) for root in scope.roots for i in root.strip("/").split("/")}
    return Region.objects.filter(
        scope.q("path") | Q(pk__in=above), level__in=[Level.COUNTY, Level.STREET]
    ).order_by("path")


def rules_versions(model: Any, place: Region) -> list[Any]:
    """The versions that apply at a place (its own, its county's, the default), newest first."""
    ids = [int(i) for i in place.path.strip("/").split("/")]
    return list(
        model.objects.filter(Q(region__isnull=True) | Q(region_id__in=ids))
        .select_related("region")
        .order_by("-valid_from", "-id")
    )
