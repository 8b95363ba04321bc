"""When a region moves, its households and 联户 links follow: their stored path, grid and community
are rewritten in region_move's transaction (regions.signals.region_moved)."""

from typing import Any

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from tongxin.households.models import Household, Link
from tongxin.lib.tree import subtree_range
from tongxin.regions.models import Level, Region


def rewrite_paths(model: Any, field: str, old_path: str, new_path: str) -> int:
    """Rewrite a copied path column under `old_path` to lie under `new_path` (one statement)."""
    low, high = subtree_range(old_path)
    return model.objects.filter(**{f"{field}__gte": low, f"{field}__lt": high}).update(
        **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
    )


def households_follow(*, region: Region, old_path: str, new_path: str, **_kwargs: Any) -> None:
    rewrite_paths(Household, "region_path", old_path, new_path)
    rewrite_paths(Link, "region_path", old_path, new_path)
    low, high = subtree_range(new_path)
    buildings = Region.objects.filter(path__gte=low, path__lt=high, level=Level.BUILDING).select_related(
        "parent"
    )
    for building in buildings:
        grid = building.parent
        if grid is None:
            continue
        Household.objects.filter(building=building).exclude(
            grid_id=grid.pk, community_id=grid.parent_id
        ).update(grid_id=grid.pk, community_id=grid.parent_id)
    # households of a village group (村民小组) hang on the grid itself: their community follows it
    groups = Region.objects.filter(
        path__gte=low, path__lt=high, level=Level.GRID, parent__level=Level.COMMUNITY
    )
    for grid in groups:
        Household.objects.filter(building=grid).exclude(community_id=grid.parent_id).update(
            community_id=grid.parent_id
        )
