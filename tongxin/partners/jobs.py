from datetime import timedelta
from typing import Any

from tongxin.jobs.registry import job
from tongxin.partners.services import agreements_remind_due


@job("partners.agreement_reminders", every=timedelta(hours=6))
def agreement_reminders(payload: dict[str, Any]) -> None:
    """Agreements about to end: their unit's liaisons and the community hear once (agreement-due:<id>)."""
    agreements_remind_due()
