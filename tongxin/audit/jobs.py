import logging
from datetime import timedelta
from typing import Any

from tongxin.audit.services import audit_check
from tongxin.jobs.registry import job

log = logging.getLogger(__name__)


@job("audit.verify_chain", every=timedelta(hours=1))
def verify_chain(payload: dict[str, Any]) -> None:
    intact, first_bad = audit_check(full=True)
    if not intact:
        log.error("the audit hash chain is broken at event %s", first_bad)
