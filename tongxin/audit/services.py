"""The one way to write the audit trail."""

import ipaddress
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tongxin.audit import chain
from tongxin.audit.chain import GENESIS
from tongxin.audit.models import AuditCheckpoint, AuditEvent, Outcome
from tongxin.core.actors import Actor, StandIn, user_or_none
from tongxin.core.clients import client_address
from tongxin.core.db import serialise_writers

__all__ = ["GENESIS", "audit_check", "audit_record", "audit_verify", "client_ip"]


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
        scheme=chain.current_scheme(),
    )
    # inside the caller's transaction: if the event cannot be written, the operation fails with it
    with transaction.atomic():
        serialise_writers("tongxin_audit_chain")  # so the chain never forks
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        if last is None:  # every event archived: continue from the last archived one
            last = AuditCheckpoint.objects.filter(pk=1).values_list("archived_hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = chain.digest(event.scheme, event.prev_hash, chain.chained_fields(event))
        event.save()
    return event


def archive_anchor() -> tuple[int, str]:
    """The last archived event (id, hash): where the chain in the database starts."""
    anchor = AuditCheckpoint.objects.filter(pk=1).values_list("archived_up_to", "archived_hash").first()
    return anchor or (0, GENESIS)


def audit_verify(*, after_id: int | None = None, prev_hash: str = GENESIS) -> tuple[bool, int | None]:
    """Walk the chain (from `after_id`, whose hash is `prev_hash`; by default from the last archived
    event); return (intact, first bad id). Truncation is found by audit.trail.trail_verify."""
    if after_id is None:
        after_id, prev_hash = archive_anchor()
    ok, bad, _last_id, _last_hash = walk(after_id, prev_hash)
    return ok, bad


def walk(after_id: int, prev: str) -> tuple[bool, int | None, int, str]:
    """(intact, first bad id, last good id, its hash) of the events after `after_id`."""
    last_id = after_id
    for event in AuditEvent.objects.filter(id__gt=after_id).order_by("id").iterator(chunk_size=2000):
        if not chain.event_intact(event, prev):
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
        if full or checkpoint.verified_up_to < checkpoint.archived_up_to:
            start_id, start_hash = checkpoint.archived_up_to, checkpoint.archived_hash
        else:
            start_id, start_hash = checkpoint.verified_up_to, checkpoint.last_hash
        ok, bad, last_id, last_hash = walk(start_id, start_hash)
        checkpoint.verified_up_to, checkpoint.last_hash = last_id, last_hash
        checkpoint.broken_at = bad
        checkpoint.checked_at = timezone.now()
        checkpoint.save()
    return ok, bad
