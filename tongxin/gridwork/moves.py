"""When a region moves, the log entries of its grids and the campaigns it started follow: their
copied path is rewritten in region_move's transaction (regions.signals.region_moved)."""

from typing import Any

from tongxin.gridwork.models import Campaign, LogEntry
from tongxin.households.moves import rewrite_paths
from tongxin.regions.models import Region


def gridwork_follows(*, region: Region, old_path: str, new_path: str, **_kwargs: Any) -> None:
    rewrite_paths(LogEntry, "region_path", old_path, new_path)
    rewrite_paths(Campaign, "region_path", old_path, new_path)
