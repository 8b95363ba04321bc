from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.meetings.services import tasks_remind_due


@job("meetings.task_reminders", every=timedelta(hours=1))
def task_reminders(payload: dict[str, Any]) -> None:
    """Follow-up tasks due soon (task-due:<id>) or overdue (task-overdue:<id>): each owner hears once."""
    tasks_remind_due()
