"""The worker's part of the exchange: collect new events, then send what is due."""

from datetime import timedelta
from typing import Any

from tongxin.exchange.feed import collect
from tongxin.exchange.sending import hotline_send_all, robots_send
from tongxin.exchange.services import signatures_prune
from tongxin.jobs.registry import job


@job("exchange.deliver", every=timedelta(seconds=10))
def deliver(payload: dict[str, Any]) -> None:
    """Messages to 12345 platforms and group robots, after the changes they tell of committed."""
    collect()
    hotline_send_all()
    robots_send()
    signatures_prune()
