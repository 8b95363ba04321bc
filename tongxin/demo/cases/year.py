"""A year of cases in the demo district up to today: the step `tongxin demo` runs.

The one planner (planner.py) decides what happens to each case; the services writer
(writers.apply_with_services) carries it out through case_intake and case_transition with a moving
clock, so every timeline, deadline and rate on the demo pages is real. The demo accounts act where
they hold their roles: in 文昌社区 the secretary accepts, dispatches to the staff member, follows
up and archives, the grid worker verifies in the first grid, the member takes pooled orders and the
street official supervises; the street's other communities get a few fresh cases of the last days.
"""

import random
import time
from dataclasses import replace
from datetime import datetime

from tongxin.accounts.models import RoleAssignment
from tongxin.cases import clock
from tongxin.cases.escalation import escalate_due
from tongxin.core.roles import Role
from tongxin.demo.cases.planner import Place, ensure_duty_accounts, places, plan_cases
from tongxin.demo.cases.writers import CasesSummary, apply_with_services
from tongxin.regions.models import Level, Region

RECENT_DAYS, RECENT_CASES = 10, 8  # besides the year's own, in the demo community
FRESH_DAYS = 3  # the other communities' cases are this recent
FRESH_CASES = 12


def generate_demo_cases(*, rng: random.Random, now: datetime, per_month: int = 30) -> CasesSummary:
    """The last twelve months of cases in the demo secretary's community (about `per_month` a
    month), up to `now`, and a few fresh ones in the other communities of its street.

    It reads like a live street on the day it runs: cases reported weeks ago are concluded (a few
    closed as not fixed, most rated, archived after a month), while the last days' cases are on
    their way, left in turn at every open stage (planner.SHOWCASE). Nothing happens after `now`.
    """
    started = time.monotonic()
    summary = CasesSummary()
    home = (
        RoleAssignment.objects.filter(user__username="shequ_shuji", role=Role.COMMUNITY_SECRETARY)
        .select_related("region")
        .first()
    )
    if home is None:
        return summary
    community = home.region
    street = list(
        Region.objects.filter(level=Level.COMMUNITY, parent_id=community.parent_id).order_by("path")
    )
    ensure_duty_accounts(street)  # someone verifies where no demo account does
    with clock.calendar_held():
        here = places([community], rng)
        others = places([c for c in street if c.pk != community.pk], rng)
        plans = list(
            plan_cases(rng=rng, where=here, now=now, days=365, total=per_month * 12, references=True)
        )
        # a busy last week and a half in the grids whose worker logs in: enough recent cases to
        # leave one at every open stage where the demo accounts see them
        staffed = [_staffed(place) for place in here]
        plans += plan_cases(
            rng=rng,
            where=[p for p in staffed if p.grids] or here,
            now=now,
            days=RECENT_DAYS,
            total=RECENT_CASES,
            references=False,
        )
        if others:
            plans += plan_cases(
                rng=rng, where=others, now=now, days=FRESH_DAYS, total=FRESH_CASES, references=False
            )
        apply_with_services(plans, summary)
        # the worker's deadline pass as of now: warnings, 督办 and whistles still due
        escalate_due(now=now)
    summary.seconds = time.monotonic() - started
    return summary


def _staffed(place: Place) -> Place:
    """The place with only the grids whose verifier is a real account (not a duty stand-in)."""
    grids = [
        (grid, points)
        for grid, points in place.grids
        if (verifier := place.verifiers.get(grid.pk)) is not None
        and not verifier.username.startswith("duty-")
    ]
    return replace(place, grids=grids)
