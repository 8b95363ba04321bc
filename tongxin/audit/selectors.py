"""Reads of the audit trail, scoped to the auditor's part of the region tree."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import ancestor_ids


def sees_unfiled_events(user: Any) -> bool:
    """Events without a region (log-ins, tokens…) belong to the whole installation: only an
    auditor whose scope includes a root region of the tree sees them."""
    return any(len(ancestor_ids(root)) == 1 for root in scope_for(user, Capability.AUDIT_VIEW).roots)


def audit_events_visible(user: Any) -> QuerySet[AuditEvent]:
    condition = scope_for(user, Capability.AUDIT_VIEW).q("region_path")
    if sees_unfiled_events(user):
        condition |= Q(region_path="")
    return AuditEvent.objects.filter(condition).select_related("region")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events_filter(
    events: QuerySet[AuditEvent],
    *,
    action: str = "",
    outcome: str = "",
    account: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    if action:
        events = events.filter(action=action)
    if outcome:
        events = events.filter(outcome=outcome)
    if account:
        events = events.filter(actor_username__icontains=account.strip())
    if date_from:
        events = events.filter(at__gte=_start_of(date_from))
    if date_to:
        events = events.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return events.order_by("-id")
