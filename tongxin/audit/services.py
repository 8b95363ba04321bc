"""The one way to write the audit trail."""

import hashlib
import ipaddress
import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tongxin.audit.models import AuditEvent, Outcome
from tongxin.core.db import serialise_writers

GENESIS = "0" * 64


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    ip = request.META.get("REMOTE_ADDR") or ""
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
    actor: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    region: Any = None,
    target: str = "",
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_username=(actor.get_username() if actor is not None else username)[:150],
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


def audit_verify() -> tuple[bool, int | None]:
    """Walk the chain; return (intact, id of the first bad event)."""
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.hash != _digest(prev, _chained_fields(event)):
            return False, event.pk
        prev = event.hash
    return True, None
