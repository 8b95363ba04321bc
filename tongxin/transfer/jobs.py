from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.transfer.requests import export_requests_expire


@job("transfer.expire_exports", every=timedelta(minutes=15))
def expire_exports(payload: dict[str, Any]) -> None:
    export_requests_expire()
