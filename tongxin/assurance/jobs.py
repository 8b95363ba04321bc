import logging
from datetime import timedelta
from typing import Any

from django.conf import settings

from tongxin.assurance.backups import backup_create, restore_drill
from tongxin.jobs.registry import job

log = logging.getLogger(__name__)


def _drill(payload: dict[str, Any]) -> None:
    """A fresh backup, then the drill on it (SECURITY.md row 21): the record says how it went."""
    manifest = backup_create()
    drill = restore_drill(backup_id=manifest["id"], ran_by="worker")
    if drill.problems:
        log.error("restore drill of backup %s failed: %s", drill.backup_id, "; ".join(drill.problems))


if settings.TONGXIN_RESTORE_DRILL_DAYS:
    drill = job("assurance.restore_drill", every=timedelta(days=settings.TONGXIN_RESTORE_DRILL_DAYS))(_drill)
else:
    drill = job("assurance.restore_drill")(_drill)  # not scheduled; can still be queued by hand
