import logging
from datetime import timedelta
from typing import Any

from tongxin.accounts.services import accounts_disable_inactive
from tongxin.jobs.registry import job

log = logging.getLogger(__name__)


@job("accounts.disable_inactive", every=timedelta(days=1))
def disable_inactive(payload: dict[str, Any]) -> None:
    """等保: accounts unused for TONGXIN_ACCOUNT_INACTIVE_DAYS are deactivated."""
    names = accounts_disable_inactive()
    if names:
        log.warning("deactivated %d inactive accounts", len(names))
