"""A year of life in the demo district up to today, once its places and people exist.

The steps run in this order, each written through the services with a moving clock and seeded on
its own (`<seed>:<label>`), so one step's changes do not reshuffle the next. Co-building turns
some of the cases into needs; the targets count the members that member life reports.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.utils import timezone

from tongxin.demo.assessment import generate_assessment
from tongxin.demo.cadres import generate_cadres
from tongxin.demo.cases.year import generate_demo_cases
from tongxin.demo.cobuilding import generate_cobuilding
from tongxin.demo.economy import generate_economy
from tongxin.demo.estates import generate_estates
from tongxin.demo.exchange import generate_exchange
from tongxin.demo.gridwork import generate_gridwork
from tongxin.demo.households import generate_households
from tongxin.demo.memberlife import generate_member_life
from tongxin.demo.open311 import generate_open311
from tongxin.demo.privacy import generate_privacy_requests
from tongxin.demo.targets import generate_targets
from tongxin.demo.venues import generate_venues
from tongxin.notifications.outbox import outbox_mark_processed


class Summary(Protocol):
    def lines(self) -> list[str]: ...


@dataclass(frozen=True)
class Step:
    label: str
    write: Callable[..., Summary]  # called with keyword arguments rng and now


STEPS = (
    Step("cases", generate_demo_cases),
    Step("co-building", generate_cobuilding),
    Step("member life", generate_member_life),
    Step("targets", generate_targets),
    Step("privacy requests", generate_privacy_requests),
    Step("households", generate_households),
    Step("grid work", generate_gridwork),
    Step("Open311 clients", generate_open311),
    Step("venues, bookings and services", generate_venues),
    Step("collective economy and 两新", generate_economy),
    Step("cadre roster and 换届", generate_cadres),
    Step("annual assessment and 擂台比武", generate_assessment),
    Step("12345 hotline exchange", generate_exchange),
    Step("estates, subsidies and 自治金", generate_estates),
)


# steps older than this were "told" when they happened: the inboxes start with recent news only
TOLD_BEFORE = timedelta(days=3)


class StepFailed(Exception):
    def __init__(self, label: str, error: Exception) -> None:
        super().__init__(f"The demo step '{label}' failed: {type(error).__name__}: {error}")
        self.label = label


def write_history(
    *, seed: int, now: datetime | None = None, log: Callable[[str], None] | None = None
) -> None:
    """Run every step up to `now` (default: this moment); a step that fails raises StepFailed."""
    now = now or timezone.now()
    for step in STEPS:
        started = time.monotonic()
        try:
            summary = step.write(rng=random.Random(f"{seed}:{step.label}"), now=now)
        except Exception as exc:
            raise StepFailed(step.label, exc) from exc
        if log is not None:
            log(f"  {step.label} ({time.monotonic() - started:.1f} s):")
            for line in summary.lines():
                log(f"    {line}")
    outbox_mark_processed(before=now - TOLD_BEFORE)
