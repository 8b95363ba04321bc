"""Writes of the statistics app: annual targets, and the kept figures the worker computes."""

import time
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor, user_or_none
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.regions.models import Region
from tongxin.statistics import indicators, kept, selectors  # noqa: F401  (indicators fill the registry)
from tongxin.statistics.models import KeptFigures, Target
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import REGISTRY, memo_scope
from tongxin.statistics.report import MONTHLY_CODES


@transaction.atomic
def target_set(
    *, actor: Actor, indicator: str, region: Region, year: int, value: Decimal, note: str = ""
) -> Target:
    """Set (or change) the annual target of an indicator at a node; audited with old and new value."""

    if not scope_for(actor, Capability.STATISTICS_TARGETS).contains(region.path):
        raise PermissionDenied
    found = REGISTRY.get(indicator)
    if found is None or not found.targeted:
        raise ValidationError({"indicator": [_("This figure does not take a target.")]})
    if value < 0:
        raise ValidationError({"value": [_("A target cannot be negative.")]})
    target = Target.objects.select_for_update().filter(indicator=indicator, region=region, year=year).first()
    old = None if target is None else str(target.value)
    if target is not None and target.value == value and target.note == note:
        return target
    if target is None:
        target = Target(indicator=indicator, region=region, year=year)
    target.value, target.note, target.set_by, target.set_at = value, note, user_or_none(actor), timezone.now()
    target.save()
    audit_record(
        action=Action.TARGET_SET,
        actor=actor,
        region=region,
        target=f"target:{target.pk}",
        detail={"indicator": indicator, "year": year, "old": old, "new": str(value)},
    )
    return target


def figures_keep(*, node: Region, period: Period, now: datetime | None = None) -> KeptFigures:
    """Compute every figure of the node over the period (and the monthly lines of the overview and
    the report) and keep them in the node's row for that period."""
    started = time.perf_counter()
    computed_at = now or timezone.now()
    every = list(REGISTRY.values())
    with memo_scope():
        values = selectors.compute(node, period, every)
        series = {}
        if len(period.months()) > 1:
            lines = [i for i in every if i.trend or i.code in MONTHLY_CODES]
            series = selectors.monthly_values(node, period, lines)
    row, _created = KeptFigures.objects.update_or_create(
        node=node,
        since=period.since,
        until=period.until,
        defaults={
            "values": {code: kept.encode(v) for code, v in values.items()},
            "series": series,
            "computed_at": computed_at,
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return row


def figures_keep_sweep(
    *,
    now: datetime | None = None,
    shard: int = 0,
    shards: int = 1,
    budget: float | None = None,
    levels: tuple[str, ...] = kept.KEEP_LEVELS,
) -> int:
    """Keep the figures of every node above the grids for the standard periods, where a row is
    missing or half its age is spent: the city first (the dearest to count live), then each level
    down; the nodes are split in `shards` by id. With a `budget` (seconds) the sweep stops after the
    row that spends it, and the next run goes on from there. Returns the rows computed."""
    started = time.perf_counter()
    now = now or timezone.now()
    periods = kept.standard_periods(timezone.localdate(now))
    nodes = list(Region.objects.filter(level__in=levels).order_by("path"))
    nodes.sort(key=lambda n: kept.KEEP_LEVELS.index(n.level))
    have = {
        (r.node_id, r.since, r.until): r
        for r in KeptFigures.objects.filter(since__in={p.since for p in periods}).only(
            "node_id", "since", "until", "computed_at"
        )
    }
    done = 0
    for node in nodes:
        if node.pk % shards != shard:
            continue
        for period in periods:
            if kept.due(have.get((node.pk, period.since, period.until)), now):
                figures_keep(node=node, period=period, now=timezone.now())
                done += 1
                if budget is not None and time.perf_counter() - started >= budget:
                    return done
    return done
