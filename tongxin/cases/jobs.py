from datetime import timedelta
from typing import Any

from django.utils import timezone

from tongxin.cases.archive import archive_cutoff, cases_archive
from tongxin.cases.escalation import escalate_due
from tongxin.cases.idempotency import idempotency_keys_prune
from tongxin.core.actors import SYSTEM
from tongxin.jobs.registry import job


@job("cases.deadlines", every=timedelta(minutes=1))
def deadlines(payload: dict[str, Any]) -> None:
    escalate_due()


@job("cases.idempotency_prune", every=timedelta(hours=1))
def idempotency_prune(payload: dict[str, Any]) -> None:
    idempotency_keys_prune()


# daily, but the day before which it archives moves once a month (archive_cutoff): a month of
# closures at a time, nothing to do on the other days
@job("cases.archive", every=timedelta(days=1))
def archive(payload: dict[str, Any]) -> None:
    before = archive_cutoff(timezone.localdate())
    if before is not None:
        cases_archive(before=before, actor=SYSTEM)
