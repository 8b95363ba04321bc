import logging
from datetime import timedelta
from typing import Any

from django.conf import settings

from tongxin.audit.integrity import seal_missing
from tongxin.audit.services import audit_check
from tongxin.audit.trail import audit_archive, checkpoint_write, trail_verify
from tongxin.jobs.registry import job

log = logging.getLogger(__name__)


@job("audit.verify_chain", every=timedelta(hours=1))
def verify_chain(payload: dict[str, Any]) -> None:
    intact, first_bad = audit_check(full=True)
    if not intact:
        log.error("the audit hash chain is broken at event %s", first_bad)
    for problem in trail_verify().problems:
        log.error("audit trail: %s", problem)


@job("audit.checkpoint", every=timedelta(minutes=settings.TONGXIN_AUDIT_CHECKPOINT_MINUTES))
def checkpoint(payload: dict[str, Any]) -> None:
    checkpoint_write()


@job("audit.archive", every=timedelta(days=1))
def archive(payload: dict[str, Any]) -> None:
    audit_archive()


SEAL_PER_RUN = 100_000


@job("audit.seal", every=timedelta(minutes=settings.TONGXIN_AUDIT_CHECKPOINT_MINUTES))
def seal(payload: dict[str, Any]) -> None:
    """Seal the rows of the important tables written in bulk since the last run (at most
    SEAL_PER_RUN a run: the rest the next time)."""
    seal_missing(at_most=SEAL_PER_RUN)
