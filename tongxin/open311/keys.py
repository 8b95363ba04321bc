"""Writes of client keys (接入密钥): issue, revoke, and the check of each use.

Only the security administrator issues and revokes keys, inside their own scope; only the key's
SHA-256 is kept, so it is shown once. Every use of a key — accepted or refused — is one row of the
audit trail (等保: who reached the data, from where, when), and each key has its own hourly limit
counted in the shared cache (core.ratelimit, as the log-in throttles are)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import Action, Outcome
from tongxin.audit.revocation import revoke_once
from tongxin.audit.services import audit_record
from tongxin.core import ratelimit
from tongxin.core.actors import Actor
from tongxin.core.clients import client_address
from tongxin.core.scope import scope_for
from tongxin.open311.models import ClientKey
from tongxin.open311.selectors import MANAGE
from tongxin.regions.models import Level, Region

# how many refused keys one address may send an hour before it is refused without a look-up
FAILED_KEYS_PER_HOUR = 30
MAX_RATE = 100_000


def _target(key: ClientKey) -> str:
    return f"open311_key:{key.pk}"


def client_key_issue(
    *,
    client_name: str,
    region: Region,
    issued_by: Any,
    requests_per_hour: int | None = None,
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[ClientKey, str]:
    """Issue a key to a named client for one node; returns it and the secret (shown once)."""
    if not scope_for(issued_by, MANAGE).contains(region.path):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    client_name = (client_name or "").strip()
    if not client_name:
        errors["client_name"] = [_("Name the client system, e.g. the city's 12345 app.")]
    if region.level in (Level.GRID, Level.BUILDING):
        errors["region"] = [_("Choose a community, a street or a larger area.")]
    rate = requests_per_hour if requests_per_hour is not None else settings.TONGXIN_OPEN311_REQUESTS_PER_HOUR
    if not 1 <= rate <= MAX_RATE:
        errors["requests_per_hour"] = [
            _("Allow between 1 and %(max)s requests an hour.") % {"max": f"{MAX_RATE:,}"}
        ]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must lie in the future.")]
    if errors:
        raise ValidationError(errors)
    secret = ClientKey.new_secret()
    with transaction.atomic():
        key = ClientKey.objects.create(
            client_name=client_name[:100],
            region=region,
            key_hash=ClientKey.hash(secret),
            prefix=secret[:12],
            requests_per_hour=rate,
            expires_at=expires_at,
            created_by=issued_by,
        )
        audit_record(
            action=Action.CLIENT_KEY_ISSUED,
            actor=issued_by,
            request=request,
            region=region,
            target=_target(key),
            detail={
                "client": key.client_name,
                "prefix": key.prefix,
                "region": region.code,
                "requests_per_hour": rate,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return key, secret


def client_key_revoke(*, key: ClientKey, revoked_by: Actor, request: HttpRequest | None = None) -> ClientKey:
    """Revoke a key at once; revoking it again changes nothing and writes nothing."""
    return revoke_once(
        key,
        actor=revoked_by,
        capability=MANAGE,
        action=Action.CLIENT_KEY_REVOKED,
        target=_target,
        detail=lambda k: {"client": k.client_name, "prefix": k.prefix, "region": k.region.code},
        request=request,
    )


@dataclass(frozen=True)
class KeyCheck:
    """The answer to a key: the key when it may be used, else why not (refused / limited)."""

    key: ClientKey | None
    refused: str = ""  # "unknown", "revoked", "expired", "blocked"
    limited: bool = False


def _failed_key(request: HttpRequest) -> str:
    return f"limit:open311:badkey:{client_address(request) or 'unknown'}"


def client_key_use(
    *, secret: str, request: HttpRequest, operation: str, now: datetime | None = None
) -> KeyCheck:
    """Check a key sent with a request, count it against its hourly limit and write the use to the
    audit trail. Writes one audit row whatever the answer (an address that keeps sending wrong
    keys is refused without a row once past FAILED_KEYS_PER_HOUR, so it cannot flood the trail)."""
    now = now or timezone.now()
    if ratelimit.count(_failed_key(request)) >= FAILED_KEYS_PER_HOUR:
        return KeyCheck(None, refused="blocked")
    key = ClientKey.objects.select_related("region").filter(key_hash=ClientKey.hash(secret)).first()
    detail: dict[str, Any] = {"operation": operation, "method": request.method, "path": request.path[:200]}
    if key is None or not key.is_usable(now):
        reason = "unknown" if key is None else ("revoked" if key.revoked_at else "expired")
        ratelimit.hit(_failed_key(request), 3600)
        audit_record(
            action=Action.CLIENT_KEY_USED,
            username="open311",
            request=request,
            region=key.region if key else None,
            target=_target(key) if key else "open311_key:?",
            outcome=Outcome.DENIED,
            detail={**detail, "refused": reason, **({"prefix": key.prefix} if key else {})},
        )
        return KeyCheck(None, refused=reason)
    used = ratelimit.hit(f"limit:open311:key:{key.pk}", 3600)
    limited = used > key.requests_per_hour
    audit_record(
        action=Action.CLIENT_KEY_USED,
        username=f"open311:{key.prefix}",
        request=request,
        region=key.region,
        target=_target(key),
        outcome=Outcome.DENIED if limited else Outcome.SUCCESS,
        detail={**detail, "client": key.client_name, **({"refused": "rate_limited"} if limited else {})},
    )
    if not limited:
        ClientKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return KeyCheck(key, limited=limited)
