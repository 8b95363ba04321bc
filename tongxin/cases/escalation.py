"""Deadlines enforce themselves: the worker warns, supervises (督办) and whistles without anyone
pressing a button. Every step goes through case_transition, so it is on the timeline."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.cases.models import CLOCKED_STATUSES, Case, CaseStatus, Whistle, WhistleType
from tongxin.cases.services import CaseConflict, IllegalTransition, case_transition
from tongxin.cases.workflow import Action
from tongxin.core.actors import SYSTEM

log = logging.getLogger(__name__)
CLOCKED = CLOCKED_STATUSES
AUTO_WHISTLE = "escalate"
# cases changed in one transaction: a worker killed mid-batch leaves none of them changed (the
# batch rolls back, its row locks go with the connection) and the next sweep takes them all again
BATCH = 50


def _apply(case_id: int, version: int, action: str, reason: str, now: datetime, **params: Any) -> Case | None:
    """The sweep's conditional claim: the change applies only to the case as the sweep read it
    (its version), so two workers sweeping at once never warn, supervise or whistle a case twice."""
    try:
        return case_transition(
            case=case_id,
            action=action,
            actor=SYSTEM,
            reason=reason,
            now=now,
            expected_version=version,
            **params,
        )
    except (IllegalTransition, CaseConflict, ValidationError) as exc:
        log.info("escalation %s on case %s skipped: %s", action, case_id, exc)
        return None


def _shard(queryset: Any, shard: int, shards: int) -> Any:
    """One of `shards` disjoint parts of the cases (by id), so several workers share a sweep."""
    if shards <= 1:
        return queryset
    return queryset.annotate(shard=Mod("pk", shards)).filter(shard=shard)


def _sweep(
    queue: Any,
    order: str,
    fields: tuple[str, ...],
    handle: Callable[[datetime, tuple[Any, ...]], None],
    *,
    now: datetime | None,
    shard: int,
    shards: int,
    batch: int,
) -> None:
    """`handle(at, row)` each due case of `queue`, oldest deadline first, `batch` at a time, each
    batch in one transaction. On PostgreSQL the batch's rows are locked with SKIP LOCKED, so the
    shards are not fixed parts: each sweep takes the due cases no other sweep holds, and a dead
    worker's cases are free again the moment its connection closes. Elsewhere (SQLite: one writer,
    no row locks) each shard keeps its part by id. A case left due (its change refused) is passed
    over by the keyset (deadline, id), so a sweep ends."""
    locking = connection.features.has_select_for_update_skip_locked
    queue = queue.order_by(order, "pk")
    if not locking:
        queue = _shard(queue, shard, shards)
    after: tuple[Any, int] | None = None
    while True:
        with transaction.atomic():
            page = queue
            if after is not None:
                page = page.filter(
                    Q(**{f"{order}__gt": after[0]}) | Q(**{order: after[0], "pk__gt": after[1]})
                )
            if locking:
                page = page.select_for_update(skip_locked=True, of=("self",))
            rows = list(page.values_list(order, "pk", *fields)[:batch])
            at = now or timezone.now()
            for row in rows:
                handle(at, row[1:])
        if len(rows) < batch:
            return
        after = (rows[-1][0], rows[-1][1])


def escalate_due(
    *, now: datetime | None = None, shard: int = 0, shards: int = 1, batch: int = BATCH
) -> dict[str, int]:
    """Warn the cases whose warning time has come, supervise (督办) and, where the category says
    so, whistle the overdue ones, and escalate the whistles nobody reported to in time. Each case is
    claimed by the version the sweep read, so two sweeps never change one case twice."""
    counts = {"warned": 0, "supervised": 0, "whistled": 0}
    # the partial indexes case_warn_queue and case_overdue_queue hold exactly these queues (an
    # overdue case is not warned: overdue_at is cleared with the deadline, so it means "passed")
    start = now or timezone.now()
    warn = Case.objects.filter(
        status__in=CLOCKED,
        warned_at__isnull=True,
        overdue_at__isnull=True,
        warn_at__lte=start,
        handling_due__gt=start,
    )

    def warn_one(at: datetime, row: tuple[Any, ...]) -> None:
        case_id, version = row
        counts["warned"] += bool(
            _apply(case_id, version, Action.WARN, _("Most of the handling time is used up."), at)
        )

    _sweep(warn, "warn_at", ("version",), warn_one, now=now, shard=shard, shards=shards, batch=batch)
    start = now or timezone.now()
    overdue = Case.objects.filter(status__in=CLOCKED, overdue_at__isnull=True, handling_due__lte=start)
    escalate = WhistleType.objects.filter(code=AUTO_WHISTLE, active=True).first()

    def supervise_one(at: datetime, row: tuple[Any, ...]) -> None:
        case_id, version, auto_whistle = row
        supervised = _apply(
            case_id,
            version,
            Action.SUPERVISE,
            _("The handling time limit has passed: supervised automatically."),
            at,
            overdue=True,
        )
        if supervised is None:
            return  # another worker got there first (or the case moved on)
        counts["supervised"] += 1
        if auto_whistle and escalate is not None and supervised.status != CaseStatus.WHISTLED:
            counts["whistled"] += bool(
                _apply(
                    case_id,
                    supervised.version,
                    Action.WHISTLE,
                    _("Overdue: whistled automatically to the next level."),
                    at,
                    whistle_type=escalate,
                )
            )

    fields = ("version", "category__auto_whistle")
    _sweep(overdue, "handling_due", fields, supervise_one, now=now, shard=shard, shards=shards, batch=batch)
    start = now or timezone.now()
    whistles = Whistle.objects.filter(
        reported_at__isnull=True,
        superseded_at__isnull=True,
        escalated_at__isnull=True,
        report_due__lte=start,
        case__status=CaseStatus.WHISTLED,
    )
    if shards > 1 and not connection.features.has_select_for_update_skip_locked:
        whistles = whistles.annotate(shard=Mod("case_id", shards)).filter(shard=shard)
    for whistle in whistles.select_related("whistle_type", "case"):
        for key, value in _escalate_whistle(whistle, now or timezone.now()).items():
            counts[key] += value
    return counts


def _escalate_whistle(whistle: Whistle, now: datetime) -> dict[str, int]:
    """Claimed by a conditional update (only one sweep finds it not yet escalated), in one
    transaction with its effect: a worker killed between the two leaves the whistle unclaimed."""
    counts = {"whistled": 0, "supervised": 0}
    with transaction.atomic():
        if not Whistle.objects.filter(pk=whistle.pk, escalated_at__isnull=True).update(escalated_at=now):
            return counts
        whistled = _apply(
            whistle.case_id,
            whistle.case.version,
            Action.WHISTLE,
            _("Nobody reported in time: whistled to the next level."),
            now,
            whistle_type=whistle.whistle_type,
        )
        if whistled is not None:
            counts["whistled"] += 1
        else:  # the route has no further step: the supervisors are told instead
            counts["supervised"] += bool(
                _apply(
                    whistle.case_id,
                    whistle.case.version,
                    Action.SUPERVISE,
                    _("Nobody reported to the whistle in time."),
                    now,
                )
            )
    return counts
