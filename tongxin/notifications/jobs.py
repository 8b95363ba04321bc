from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.notifications.services import deliveries_send, release_stuck


@job("notifications.send", every=timedelta(seconds=10))
def send(payload: dict[str, Any]) -> None:
    release_stuck()
    deliveries_send()
