"""Reads of the collective economy, always given the user: the villages a user sees, the tiers in
force for a year, a village's year, and the overview of a node (per village: income and tier;
totals and the per-village average)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import PATH_END
from tongxin.regions.models import Kind, Level, Region
from tongxin.villages.models import ZERO, EconomyProject, Enterprise, Tier, TierScheme, VillageEconomy

VIEW = Capability.VILLAGES_VIEW
CENT = Decimal("0.01")


def villages(node: Region | None = None) -> QuerySet[Region]:
    rows = Region.objects.filter(level=Level.COMMUNITY, kind=Kind.VILLAGE)
    if node is not None:
        rows = rows.filter(path__gte=node.path, path__lt=node.path + PATH_END)
    return rows.order_by("path")


def villages_visible(user: Any, node: Region | None = None) -> QuerySet[Region]:
    return villages(node).filter(scope_for(user, VIEW).q("path"))


def village_get(user: Any, pk: Any) -> Region:
    found = villages_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def nodes_visible(user: Any) -> QuerySet[Region]:
    """The nodes an overview may be asked for: the user's scope roots and everything under them that
    holds villages (county, township), villages included."""
    return Region.objects.filter(
        scope_for(user, VIEW).q("path"), level__in=[Level.COUNTY, Level.STREET, Level.CITY]
    )


def node_get(user: Any, pk: Any) -> Region:
    found = Region.objects.filter(scope_for(user, VIEW).q("path"), pk=pk).first()
    if found is None:
        raise Http404
    return found


def home_node(user: Any) -> Region | None:
    """Where the overview opens: the user's highest scope root."""
    roots = scope_for(user, VIEW).roots
    if not roots:
        return None
    return Region.objects.filter(path__in=roots).order_by("depth", "path").first()


def scheme_for(year: int) -> TierScheme | None:
    return TierScheme.objects.filter(year_from__lte=year).order_by("-year_from", "-version").first()


def tiers_for(year: int) -> list[Tier]:
    scheme = scheme_for(year)
    return list(scheme.tiers.order_by("rank")) if scheme is not None else []


def tier_of(income: Decimal, tiers: list[Tier]) -> Tier | None:
    """The highest tier whose threshold the income reaches (thresholds inclusive: exactly 100万 is
    in the ≥100万 tier)."""
    for tier in tiers:
        if income >= tier.min_income:
            return tier
    return None


def economies(node: Region, year: int) -> QuerySet[VillageEconomy]:
    return VillageEconomy.objects.filter(
        year=year, region__path__gte=node.path, region__path__lt=node.path + PATH_END
    ).select_related("region")


def tier_rows(node: Region, year: int, rank: int) -> list[VillageEconomy]:
    """The village years of the node in the tier of `rank` (the scheme in force for the year)."""
    tiers = tiers_for(year)
    return [
        e
        for e in economies(node, year).order_by("region__path")
        if (t := tier_of(e.total_income, tiers)) and t.rank == rank
    ]


def economy_get(user: Any, region: Region, year: int) -> VillageEconomy | None:
    if not scope_for(user, VIEW).contains(region.path):
        raise Http404
    return VillageEconomy.objects.filter(region=region, year=year).first()


@dataclass
class VillageLine:
    village: Region
    economy: VillageEconomy | None
    tier: Tier | None


@dataclass
class Overview:
    node: Region
    year: int
    lines: list[VillageLine]
    tiers: list[Tier]
    per_tier: list[tuple[Tier, int]] = field(default_factory=list)
    total: Decimal = ZERO
    reported: int = 0
    projects: int = 0
    investment: Decimal = ZERO
    enterprises: int = 0

    @property
    def average(self) -> Decimal | None:
        """Income per village: the total over the villages with the year entered."""
        if not self.reported:
            return None
        return (self.total / self.reported).quantize(CENT)

    @property
    def missing(self) -> int:
        return len(self.lines) - self.reported


def overview(user: Any, node: Region, year: int) -> Overview:
    tiers = tiers_for(year)
    found = {e.region_id: e for e in economies(node, year).filter(scope_for(user, VIEW).q("region__path"))}
    lines = []
    for village in villages_visible(user, node):
        economy = found.get(village.pk)
        lines.append(VillageLine(village, economy, tier_of(economy.total_income, tiers) if economy else None))
    result = Overview(node=node, year=year, lines=lines, tiers=tiers)
    result.reported = sum(1 for line in lines if line.economy is not None)
    result.total = sum((line.economy.total_income for line in lines if line.economy), ZERO)
    result.per_tier = [(t, sum(1 for line in lines if line.tier == t)) for t in tiers]
    in_node = {"region__path__gte": node.path, "region__path__lt": node.path + PATH_END}
    scoped = scope_for(user, VIEW).q("region__path")
    projects = EconomyProject.objects.filter(scoped, year__lte=year, **in_node)
    result.projects = projects.count()
    result.investment = sum((p.investment for p in projects.only("investment")), ZERO)
    result.enterprises = Enterprise.objects.filter(scoped, active=True, **in_node).count()
    return result


def projects_of(village: Region) -> QuerySet[EconomyProject]:
    return EconomyProject.objects.filter(region=village).prefetch_related("returns").order_by("-year", "name")


def enterprises_of(village: Region) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(region=village).order_by("name")


def years_of(village: Region) -> list[int]:
    return list(
        VillageEconomy.objects.filter(region=village).order_by("-year").values_list("year", flat=True)
    )


def project_get(user: Any, pk: Any) -> EconomyProject:
    found = (
        EconomyProject.objects.filter(scope_for(user, VIEW).q("region__path"), pk=pk)
        .select_related("region")
        .first()
    )
    if found is None:
        raise Http404
    return found


def enterprise_get(user: Any, pk: Any) -> Enterprise:
    found = (
        Enterprise.objects.filter(scope_for(user, VIEW).q("region__path"), pk=pk)
        .select_related("region")
        .first()
    )
    if found is None:
        raise Http404
    return found


def schemes() -> QuerySet[TierScheme]:
    """Every version of the tiers, the newest first, with their tiers."""
    return TierScheme.objects.prefetch_related("tiers").order_by("-year_from", "-version")
