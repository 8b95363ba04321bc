"""Which configuration row is in force at a node: for each code, the row of the nearest node on its
path (the node itself, then its ancestors), else the versioned default. Read by the services (to
record with the kind in force at the grid) and by the selectors and pages."""

from django.db.models import Q

from tongxin.gridwork.models import ChecklistTemplate, LogKind
from tongxin.lib.tree import ancestor_ids
from tongxin.regions.models import Region


def kinds_in_force(region: Region | None, *, active_only: bool = True) -> list[LogKind]:
    ids = ancestor_ids(region.path) if region is not None and region.path else []
    depth = {pk: i for i, pk in enumerate(ids, start=1)}
    best: dict[str, LogKind] = {}
    for row in LogKind.objects.filter(Q(region__isnull=True) | Q(region_id__in=ids)).select_related("region"):
        current = best.get(row.code)
        if current is None or depth.get(row.region_id or 0, 0) > depth.get(current.region_id or 0, 0):
            best[row.code] = row
    kinds = [k for k in best.values() if k.active or not active_only]
    return sorted(kinds, key=lambda k: (k.sort_order, k.code))


def kind_in_force(region: Region, code: str) -> LogKind | None:
    return next((k for k in kinds_in_force(region) if k.code == code), None)


def checklists_in_force(region: Region | None, *, active_only: bool = True) -> list[ChecklistTemplate]:
    """The checklists a node may start a campaign from: the default and those kept by the node and
    the nodes above it, each changed only where it is kept."""
    ids = ancestor_ids(region.path) if region is not None and region.path else []
    rows = ChecklistTemplate.objects.filter(Q(region__isnull=True) | Q(region_id__in=ids)).select_related(
        "region"
    )
    found = [t for t in rows if t.active or not active_only]
    return sorted(found, key=lambda t: (t.sort_order, t.id))
