from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.jobs.services import prune_finished


@job("jobs.prune", every=timedelta(days=1))
def prune(payload: dict[str, Any]) -> None:
    prune_finished()
