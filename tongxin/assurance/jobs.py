import logging
from datetime import timedelta
from typing import Any

from django.conf import settings

from tongxin.assurance.backups import backup_create, restore_drill
from tongxin.jobs.registry import job

log = logging.getLogger(__name__)

# TONGXIN_RESTORE_DRILL_DAYS = 0: not scheduled (it can still be queued by hand)
EVERY = timedelta(days=settings.TONGXIN_RESTORE_DRILL_DAYS) if settings.TONGXIN_RESTORE_DRILL_DAYS else None


@job("assurance.restore_drill", every=EVERY)
def drill(payload: dict[str, Any]) -> None:
    """A fresh backup, then the drill on it (SECURITY.md row 21): the record says how it went."""
    manifest = backup_create()
    done = restore_drill(backup_id=manifest["id"], ran_by="worker")
    if done.problems:
        log.error("restore drill of backup %s failed: %s", done.backup_id, "; ".join(done.problems))
