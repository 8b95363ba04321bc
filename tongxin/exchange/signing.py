"""The signatures of the exchange, without Django: the 12345 push and callback (ours) and
DingTalk's robot signature (theirs, as DingTalk documents it)."""

import base64
import hashlib
import hmac
import urllib.parse

# a signed request older or newer than this is refused (the clocks of the two sides may differ)
REPLAY_WINDOW_SECONDS = 300


def hotline_signature(secret: str, timestamp: str, body: bytes) -> str:
    """hex(HMAC-SHA256(secret, "<timestamp>." + body)): the timestamp is signed with the body, so
    an old request cannot be replayed under a new time."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def hotline_signature_ok(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison, so the answer's timing tells nothing about the right signature."""
    expected = hotline_signature(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), (signature or "").strip().lower().encode())


def timestamp_fresh(timestamp: str, now: float) -> bool:
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs(now - sent) <= REPLAY_WINDOW_SECONDS


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's custom-robot signature: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")),
    URL-encoded, sent as `&timestamp=…&sign=…` with the timestamp in milliseconds."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(webhook: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return webhook
    glue = "&" if "?" in webhook else "?"
    return f"{webhook}{glue}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
