"""Revoking a credential a region hands out (an Open311 client key, a display link): once, audited."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor, user_or_none
from tongxin.core.scope import scope_for

M = TypeVar("M", bound=Model)


def revoke_once(
    row: M,
    *,
    actor: Actor,
    capability: str,
    action: str,
    target: Callable[[M], str],
    detail: Callable[[M], dict[str, Any]],
    request: HttpRequest | None = None,
) -> M:
    """Revoke the row (its `revoked_at`, `revoked_by`) at once, where the actor's `capability`
    reaches its region; revoking it again changes nothing and writes nothing."""
    with transaction.atomic():
        locked: Any = (
            type(row)._default_manager.select_for_update(of=("self",)).select_related("region").get(pk=row.pk)
        )
        if not scope_for(actor, capability).contains(locked.region.path):
            raise PermissionDenied
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by = user_or_none(actor)
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=action,
            actor=actor,
            request=request,
            region=locked.region,
            target=target(locked),
            detail=detail(locked),
        )
    return locked
