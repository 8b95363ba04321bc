"""The one way to write the audit trail."""

import hashlib
import ipaddress
import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tongxin.audit.models import AuditCheckpoint, AuditEvent, Outcome
from tongxin.core.actors import Actor, StandIn, user_or_none
from tongxin.core.clients import client_address
from tongxin.core.db import serialise_writers

GENESIS = "0" * 64


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    ip = client_address(request) or ""  # X-Forwarded-For only from TONGXIN_TRUSTED_PROXIES
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return None
    # hash the address as the database will store it (IPv6 is normalised on save)
    return AuditEvent._meta.get_field("ip").get_prep_value(ip)


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def _chained_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_username,
        "action": event.action,
        # the path, not the id: region is SET_NULL on delete, which must not break the chain
        "region": event.region_path,
        "target": event.target,
        "ip": event.ip,
        "outcome": event.outcome,
        "detail": event.detail,
    }


def audit_record(
    *,
    action: str,
    actor: Actor | None = None,  # None: no account (a failed log-in names the username)
    username: str = "",
    request: HttpRequest | None = None,
    region: Any = None,
    target: str = "",
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    user = user_or_none(actor)
    if user is None and isinstance(actor, StandIn) and not username:
        username = actor.name  # the system (a job, the demo, an import) acts without an account
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_username=(user.get_username() if user is not None else username)[:150],
        action=action,
        region=region,
        region_path=getattr(region, "path", "") or "",
        target=str(target)[:200],
        ip=client_ip(request),
        outcome=outcome,
        detail=detail or {},
    )
    with transaction.atomic():
        serialise_writers("tongxin_audit_chain")  # so the chain never forks
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = _digest(event.prev_hash, _chained_fields(event))
        event.save()
    return event


def audit_verify(*, after_id: int = 0, prev_hash: str = GENESIS) -> tuple[bool, int | None]:
    """Walk the chain (from `after_id`, whose hash is `prev_hash`); return (intact, first bad id)."""
    ok, bad, _last_id, _last_hash = _walk(after_id, prev_hash)
    return ok, bad


def _walk(after_id: int, prev: str) -> tuple[bool, int | None, int, str]:
    last_id = after_id
    for event in AuditEvent.objects.filter(id__gt=after_id).order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.hash != _digest(prev, _chained_fields(event)):
            return False, event.pk, last_id, prev
        prev, last_id = event.hash, event.pk
    return True, None, last_id, prev


def audit_check(*, full: bool = False) -> tuple[bool, int | None]:
    """Verify the chain from the last checkpoint (or from the start when `full`), and move it on.

    The page calls it cheaply; the hourly job walks the whole chain, so an old event changed
    after it was checked is still found.
    """

    with transaction.atomic():
        checkpoint, _ = AuditCheckpoint.objects.select_for_update(of=("self",)).get_or_create(pk=1)
        if checkpoint.broken_at is not None and not full:
            return False, checkpoint.broken_at
        start_id, start_hash = (0, GENESIS) if full else (checkpoint.verified_up_to, checkpoint.last_hash)
        ok, bad, last_id, last_hash = _walk(start_id, start_hash)
        checkpoint.verified_up_to, checkpoint.last_hash = last_id, last_hash
        checkpoint.broken_at = bad
        checkpoint.checked_at = timezone.now()
        checkpoint.save()
    return ok, bad
