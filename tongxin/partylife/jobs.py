from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.partylife.services import development_deadlines_notify


@job("partylife.development_deadlines", every=timedelta(hours=6))
def development_deadlines(payload: dict[str, Any]) -> None:
    """Refresh each open development file and warn its branch's officials before a limit passes."""

    development_deadlines_notify()
