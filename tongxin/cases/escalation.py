"""Deadlines enforce themselves: the worker warns, supervises (督办) and whistles without anyone
pressing a button. Every step goes through case_transition, so it is on the timeline."""

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.cases.models import Case, CaseStatus, Whistle, WhistleType
from tongxin.cases.services import CaseConflict, IllegalTransition, case_transition
from tongxin.cases.workflow import Action
from tongxin.core.actors import SYSTEM

log = logging.getLogger(__name__)
CLOCKED = [CaseStatus.POOLED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.WHISTLED]
AUTO_WHISTLE = "escalate"


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


def escalate_due(*, now: datetime | None = None, shard: int = 0, shards: int = 1) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"warned": 0, "supervised": 0, "whistled": 0}
    warn = Case.objects.filter(
        status__in=CLOCKED, warn_at__lte=now, warned_at__isnull=True, handling_due__gt=now
    )
    for case_id, version in _shard(warn, shard, shards).values_list("pk", "version"):
        counts["warned"] += bool(
            _apply(case_id, version, Action.WARN, _("Most of the handling time is used up."), now)
        )
    overdue = Case.objects.filter(
        status__in=CLOCKED, handling_due__lte=now, overdue_at__isnull=True
    ).select_related("category")
    escalate = WhistleType.objects.filter(code=AUTO_WHISTLE, active=True).first()
    for case in _shard(overdue, shard, shards):
        supervised = _apply(
            case.pk,
            case.version,
            Action.SUPERVISE,
            _("The handling time limit has passed: supervised automatically."),
            now,
            overdue=True,
        )
        if supervised is None:
            continue  # another worker got there first (or the case moved on)
        counts["supervised"] += 1
        if case.category.auto_whistle and escalate is not None and supervised.status != CaseStatus.WHISTLED:
            counts["whistled"] += bool(
                _apply(
                    case.pk,
                    supervised.version,
                    Action.WHISTLE,
                    _("Overdue: whistled automatically to the next level."),
                    now,
                    whistle_type=escalate,
                )
            )
    whistles = Whistle.objects.filter(
        reported_at__isnull=True,
        superseded_at__isnull=True,
        escalated_at__isnull=True,
        report_due__lte=now,
        case__status=CaseStatus.WHISTLED,
    )
    if shards > 1:
        whistles = whistles.annotate(shard=Mod("case_id", shards)).filter(shard=shard)
    for whistle in whistles.select_related("whistle_type", "case"):
        # claimed by a conditional update: only one sweep finds it not yet escalated
        if not Whistle.objects.filter(pk=whistle.pk, escalated_at__isnull=True).update(escalated_at=now):
            continue
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
