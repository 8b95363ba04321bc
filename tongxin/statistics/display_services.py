"""Writes of display links (大屏只读链接): issue, revoke, and note when a display last asked.

A link is a bearer token for one node's big screen. Only the security administrator issues and
revokes them, inside their own scope; only the token's SHA-256 is kept, so it is shown once."""

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import Action
from tongxin.audit.revocation import revoke_once
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.regions.models import Level, Region
from tongxin.statistics.display_selectors import token_hash
from tongxin.statistics.models import DisplayLink

# last_seen_at is written at most this often, however many displays poll
SEEN_EVERY = timedelta(minutes=1)


def _target(link: DisplayLink) -> str:
    return f"display:{link.pk}"


def display_link_issue(
    *, region: Region, label: str, issued_by: Any, request: HttpRequest | None = None
) -> tuple[DisplayLink, str]:
    """Create a link to the node's screen; returns it and the token (shown once, never stored)."""
    if not scope_for(issued_by, Capability.ACCOUNTS_MANAGE).contains(region.path):
        raise PermissionDenied
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": [_("Name the display, e.g. where it hangs.")]})
    if region.level == Level.BUILDING:
        raise ValidationError({"region": [_("Choose a grid or a larger area.")]})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = DisplayLink.objects.create(
            label=label[:100], region=region, token_hash=token_hash(token), created_by=issued_by
        )
        audit_record(
            action=Action.DISPLAY_LINK_ISSUED,
            actor=issued_by,
            request=request,
            region=region,
            target=_target(link),
            detail={"display": link.label, "region": region.code},
        )
    return link, token


def display_link_revoke(
    *, link: DisplayLink, revoked_by: Actor, request: HttpRequest | None = None
) -> DisplayLink:
    """Revoke a link at once; revoking it again changes nothing and writes nothing."""
    return revoke_once(
        link,
        actor=revoked_by,
        capability=Capability.ACCOUNTS_MANAGE,
        action=Action.DISPLAY_LINK_REVOKED,
        target=_target,
        detail=lambda d: {"display": d.label, "region": d.region.code},
        request=request,
    )


def display_link_seen(*, link: DisplayLink, now: datetime | None = None) -> bool:
    """Note that the display asked; a conditional update, so at most one write a minute."""
    now = now or timezone.now()
    updated = (
        DisplayLink.objects.filter(pk=link.pk, revoked_at__isnull=True)
        .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lte=now - SEEN_EVERY))
        .update(last_seen_at=now)
    )
    return bool(updated)
