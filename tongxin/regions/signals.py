"""Signals of the region tree, for the apps above it that keep a copy of a region's path.

`region_moved` is sent inside region_move's transaction, after the subtree's paths are rewritten:
a receiver that copies paths (households, grid work) rewrites its own rows in the same transaction,
so a moved grid never leaves a household or a log entry under its old path."""

from django.dispatch import Signal

# kwargs: region (the moved node, refreshed), old_path, new_path
region_moved = Signal()
