"""Configuration the intake reads on every report, kept per process (BENCHMARKS.md, intake through
gunicorn): the active second-level categories by code, and the community of a grid.

Both are configuration, written by an administrator now and then and read by every resident's
report. A save or delete through the application empties this process's copy at once (the signals
below); another web process sees the change when its copy is older than `TTL` seconds. The
community of a grid is keyed by the grid's id *and path*: a grid moved in the tree (the regions
services rewrite paths with `update()`, which sends no signal) has a new path, so its old entry is
never read again in any process.
"""

import time
from typing import Any

from django.db.models.signals import post_delete, post_save

from tongxin.cases.models import CaseCategory
from tongxin.regions.models import Region

TTL = 10.0  # seconds another process may keep a copy after a change made elsewhere
MAX_ENTRIES = 100_000  # a bound per process (a city has about 10,000 grids and 100 categories)


class Memo:
    """A per-process map whose entries expire after `ttl` seconds."""

    def __init__(self, ttl: float = TTL, max_entries: int = MAX_ENTRIES):
        self.ttl, self.max_entries = ttl, max_entries
        self._items: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any) -> tuple[bool, Any]:
        found = self._items.get(key)
        if found is None or found[0] < time.monotonic():
            return False, None
        return True, found[1]

    def put(self, key: Any, value: Any) -> None:
        if len(self._items) >= self.max_entries:
            self._items.clear()
        self._items[key] = (time.monotonic() + self.ttl, value)

    def clear(self, **_signal: Any) -> None:
        self._items.clear()


categories = Memo()
communities = Memo()


def active_category(code: str) -> CaseCategory | None:
    """The active second-level category with this code, or None (what a resident may report in)."""
    hit, found = categories.get(code)
    if not hit:
        found = CaseCategory.objects.filter(code=code, active=True, parent__isnull=False).first()
        categories.put(code, found)
    return found


def community_of(grid: Region) -> Region | None:
    """The community a grid belongs to (Region.community, kept by the grid's id and path)."""
    key = (grid.pk, grid.path)
    hit, found = communities.get(key)
    if not hit:
        found = grid.community()
        communities.put(key, found)
    return found


post_save.connect(categories.clear, sender=CaseCategory, dispatch_uid="cases-config-cache-category-save")
post_delete.connect(categories.clear, sender=CaseCategory, dispatch_uid="cases-config-cache-category-delete")
post_save.connect(communities.clear, sender=Region, dispatch_uid="cases-config-cache-region-save")
post_delete.connect(communities.clear, sender=Region, dispatch_uid="cases-config-cache-region-delete")
