"""The retention schedule, run daily by the worker."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tongxin.core.actors import SYSTEM
from tongxin.jobs.registry import job
from tongxin.privacy.erasure import retention_run


@job("privacy.retention", every=timedelta(days=1))
def retention(payload: dict[str, Any]) -> None:
    retention_run(actor=SYSTEM, now=timezone.now())
