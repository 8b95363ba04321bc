"""Deadlines enforce themselves: the worker warns, supervises (督办) and whistles without anyone
pressing a button. Every step goes through case_transition, so it is on the timeline."""

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.cases.models import Case, CaseStatus, Whistle, WhistleType
from tongxin.cases.services import CaseConflict, IllegalTransition, case_transition
from tongxin.cases.workflow import Action
from tongxin.core.actors import SYSTEM

log = logging.getLogger(__name__)
CLOCKED = [CaseStatus.POOLED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.WHISTLED]
AUTO_WHISTLE = "escalate"


def _apply(case_id: int, action: str, reason: str, now: datetime, **params: Any) -> bool:
    try:
        case_transition(case=case_id, action=action, actor=SYSTEM, reason=reason, now=now, **params)
    except (IllegalTransition, CaseConflict, ValidationError) as exc:
        log.info("escalation %s on case %s skipped: %s", action, case_id, exc)
        return False
    return True


def escalate_due(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"warned": 0, "supervised": 0, "whistled": 0}
    for case_id in Case.objects.filter(
        status__in=CLOCKED, warn_at__lte=now, warned_at__isnull=True, handling_due__gt=now
    ).values_list("pk", flat=True):
        counts["warned"] += _apply(case_id, Action.WARN, _("Most of the handling time is used up."), now)
    overdue = Case.objects.filter(
        status__in=CLOCKED, handling_due__lte=now, overdue_at__isnull=True
    ).select_related("category")
    escalate = WhistleType.objects.filter(code=AUTO_WHISTLE, active=True).first()
    for case in overdue:
        if _apply(
            case.pk,
            Action.SUPERVISE,
            _("The handling time limit has passed: supervised automatically."),
            now,
            overdue=True,
        ):
            counts["supervised"] += 1
        if case.category.auto_whistle and escalate is not None and case.status != CaseStatus.WHISTLED:
            counts["whistled"] += _apply(
                case.pk,
                Action.WHISTLE,
                _("Overdue: whistled automatically to the next level."),
                now,
                whistle_type=escalate,
            )
    for whistle in Whistle.objects.filter(
        reported_at__isnull=True,
        superseded_at__isnull=True,
        escalated_at__isnull=True,
        report_due__lte=now,
        case__status=CaseStatus.WHISTLED,
    ).select_related("whistle_type"):
        Whistle.objects.filter(pk=whistle.pk).update(escalated_at=now)
        if _apply(
            whistle.case_id,
            Action.WHISTLE,
            _("Nobody reported in time: whistled to the next level."),
            now,
            whistle_type=whistle.whistle_type,
        ):
            counts["whistled"] += 1
        else:  # the route has no further step: the supervisors are told instead
            counts["supervised"] += _apply(
                whistle.case_id, Action.SUPERVISE, _("Nobody reported to the whistle in time."), now
            )
    return counts
