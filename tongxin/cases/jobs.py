from datetime import timedelta
from typing import Any

from django.utils import timezone

from tongxin.cases.archive import archive_cutoff, cases_archive
from tongxin.cases.escalation import escalate_due
from tongxin.cases.idempotency import idempotency_keys_prune
from tongxin.core.actors import SYSTEM
from tongxin.jobs.registry import job


# two shards, so two workers share the sweep (each shard is queued once at a time)
@job("cases.deadlines", every=timedelta(seconds=15), shards=2)
def deadlines(payload: dict[str, Any]) -> None:
    escalate_due(shard=payload.get("shard", 0), shards=payload.get("shards", 1))


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
