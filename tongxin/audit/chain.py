"""The keyed hash of the audit chain. The key lives outside the database (a file beside field_key,
or TONGXIN_AUDIT_KEY), so whoever can write the table cannot rebuild a chain that verifies."""

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
SHA256, SM3 = "hmac-sha256", "hmac-sm3"
KEYED = {SHA256: "sha256", SM3: "sm3"}
LEGACY = "sha256"  # the unkeyed chain before migration 0007; never accepted by the verification


def sm3_available() -> bool:
    return "sm3" in hashlib.algorithms_available


def current_scheme() -> str:
    """HMAC-SM3 under the national-algorithm profile (where the library has SM3), else HMAC-SHA256."""
    if settings.TONGXIN_CRYPTO_PROFILE == "national" and sm3_available():
        return SM3
    return SHA256


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


def body(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)


def digest(scheme: str, prev_hash: str, fields: dict[str, Any]) -> str:
    message = f"{prev_hash}|{body(fields)}".encode()
    if scheme == LEGACY:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(_key(), message, KEYED[scheme]).hexdigest()


def sign(payload: dict[str, Any]) -> str:
    """The signature of a checkpoint line (HMAC of its canonical JSON with the chain's key)."""
    return hmac.new(_key(), f"checkpoint|{body(payload)}".encode(), KEYED[current_scheme()]).hexdigest()


def signature_valid(payload: dict[str, Any], signature: str) -> bool:
    message = f"checkpoint|{body(payload)}".encode()
    return any(
        hmac.compare_digest(hmac.new(_key(), message, algorithm).hexdigest(), signature)
        for algorithm in KEYED.values()
        if algorithm != "sm3" or sm3_available()
    )


def chained_fields(event: Any) -> dict[str, Any]:
    """What the hash covers (works on the model and on a migration's historical model)."""
    fields = {
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
    if event.scheme != LEGACY:
        fields["scheme"] = event.scheme
    return fields


def event_intact(event: Any, prev_hash: str) -> bool:
    if event.scheme not in KEYED or event.prev_hash != prev_hash:
        return False
    return hmac.compare_digest(event.hash, digest(event.scheme, prev_hash, chained_fields(event)))
