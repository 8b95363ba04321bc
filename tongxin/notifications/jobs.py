from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.notifications.outbox import outbox_process
from tongxin.notifications.services import deliveries_send, release_stuck


@job("notifications.send", every=timedelta(seconds=10))
def send(payload: dict[str, Any]) -> None:
    release_stuck()
    deliveries_send()


@job("notifications.outbox", every=timedelta(seconds=10))
def outbox(payload: dict[str, Any]) -> None:
    """Tell whom each new transition of every workflow concerns (cases, needs, projects)."""
    outbox_process()
