"""Encryption at rest and keyed look-up hashes for personal data (PIPL, 等保 2.0)."""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(plaintext: str, *, key: str) -> str:
    if not plaintext:
        return ""
    return _fernet(key).encrypt(plaintext.encode()).decode()


def decrypt(token: str, *, key: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(key).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or tampered value
        raise ValueError("cannot decrypt personal data with the configured key") from exc


def lookup_hash(value: str, *, key: str, purpose: str) -> str:
    """A keyed hash, so equal values can be found without storing them in the clear."""
    if not value:
        return ""
    mac_key = hashlib.sha256(f"tongxin-lookup:{purpose}:{key}".encode()).digest()
    return hmac.new(mac_key, value.encode(), hashlib.sha256).hexdigest()
