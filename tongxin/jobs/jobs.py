from datetime import timedelta
from typing import Any

from tongxin.core import ratelimit
from tongxin.jobs.registry import job
from tongxin.jobs.services import prune_finished


@job("jobs.prune", every=timedelta(days=1))
def prune(payload: dict[str, Any]) -> None:
    prune_finished()


# the rate limits' counters whose window has ended (core/ratelimit.py; the cache expired them before)
@job("core.rate_counters_prune", every=timedelta(hours=1))
def rate_counters_prune(payload: dict[str, Any]) -> None:
    ratelimit.prune()
