from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job


@job("members.service_record", every=timedelta(minutes=5))
def service_record(payload: dict[str, Any]) -> None:
    """Bring every service record in line with the verified outcomes of its sources."""
    from tongxin.members.services import service_record_refresh

    service_record_refresh()


@job("members.rereport_reminders", every=timedelta(hours=6))
def rereport_reminders(payload: dict[str, Any]) -> None:
    """Remind members once per due date that their six-monthly re-report is due."""
    from tongxin.members.services import rereport_reminders_send

    rereport_reminders_send()
