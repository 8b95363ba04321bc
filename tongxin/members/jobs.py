from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.members.services import rereport_reminders_send, service_record_refresh


@job("members.service_record", every=timedelta(minutes=5))
def service_record(payload: dict[str, Any]) -> None:
    """Bring every service record in line with the verified outcomes of its sources."""

    service_record_refresh()


@job("members.rereport_reminders", every=timedelta(hours=6))
def rereport_reminders(payload: dict[str, Any]) -> None:
    """Remind members once per due date that their six-monthly re-report is due."""

    rereport_reminders_send()
