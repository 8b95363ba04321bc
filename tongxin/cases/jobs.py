from datetime import timedelta
from typing import Any

from tongxin.cases.escalation import escalate_due
from tongxin.cases.idempotency import idempotency_keys_prune
from tongxin.jobs.registry import job


@job("cases.deadlines", every=timedelta(minutes=1))
def deadlines(payload: dict[str, Any]) -> None:
    escalate_due()


@job("cases.idempotency_prune", every=timedelta(hours=1))
def idempotency_prune(payload: dict[str, Any]) -> None:
    idempotency_keys_prune()
