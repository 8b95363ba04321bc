from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.statistics.services import figures_keep_sweep

# each run computes for at most about BUDGET seconds, so a worker is never held for long by the
# figures (deadlines and notifications run between two runs); the next run goes on from there
BUDGET = 20.0


@job("statistics.keep_figures", every=timedelta(minutes=1), shards=2)
def keep_figures(payload: dict[str, Any]) -> None:
    """Keep the figures of every node above the grids (statistics/kept.py): what is due this round."""
    figures_keep_sweep(
        shard=int(payload.get("shard", 0)), shards=int(payload.get("shards", 1)), budget=BUDGET
    )
