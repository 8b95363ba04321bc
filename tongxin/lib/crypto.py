"""Encryption at rest and keyed look-up hashes for personal data (PIPL, 等保 2.0).

`key` is a key ring: one key, or several separated by commas, the first encrypting and all of
them decrypting, so values written under an old key stay readable while `rotate_field_key`
re-encrypts them. Two field ciphers: Fernet (AES-128-CBC with HMAC-SHA256), and SM4-GCM with
HMAC-SM3 look-up hashes under the national-algorithm profile (GB/T 39786), chosen by `configure`.
Each ciphertext names its cipher, so a database holds both during a change of profile.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

FERNET, SM4 = "fernet", "sm4"
SM4_PREFIX = "sm4gcm:"
_settings = {"cipher": FERNET}


def sm3_available() -> bool:
    return "sm3" in hashlib.algorithms_available


def sm4_available() -> bool:
    return hasattr(algorithms, "SM4")


def configure(*, cipher: str) -> None:
    """Choose the cipher new values are written with (the settings call this once)."""
    if cipher not in (FERNET, SM4):
        raise ValueError(f"unknown field cipher {cipher!r}")
    if cipher == SM4 and not (sm4_available() and sm3_available()):
        raise ValueError("this build of the cryptography library has no SM4 or SM3")
    _settings["cipher"] = cipher


def cipher() -> str:
    return _settings["cipher"]


def ring(key: str) -> list[str]:
    keys = [k.strip() for k in key.replace("\n", ",").split(",") if k.strip()]
    if not keys:
        raise ValueError("no field key configured")
    return keys


@lru_cache(maxsize=8)
def _fernet(key: str) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in ring(key)])


@lru_cache(maxsize=16)
def _sm4_key(key: str) -> bytes:
    # a 128-bit SM4 key derived from the ring's key, so one key file serves both ciphers
    return hmac.new(base64.urlsafe_b64decode(key), b"tongxin-field-sm4", "sm3").digest()[:16]


def _sm4_encrypt(plaintext: bytes, key: str) -> str:
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext) + encryptor.finalize()
    return SM4_PREFIX + base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode()


def _sm4_decrypt(token: str, key: str) -> bytes:
    raw = base64.urlsafe_b64decode(token[len(SM4_PREFIX) :])
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce, tag)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def encrypt(plaintext: str, *, key: str) -> str:
    if not plaintext:
        return ""
    if cipher() == SM4:
        return _sm4_encrypt(plaintext.encode(), ring(key)[0])
    return _fernet(ring(key)[0]).encrypt(plaintext.encode()).decode()


def decrypt(token: str, *, key: str) -> str:
    if not token:
        return ""
    if token.startswith(SM4_PREFIX):
        for k in ring(key):
            try:
                return _sm4_decrypt(token, k).decode()
            except (InvalidTag, ValueError):
                continue
        raise ValueError("cannot decrypt personal data with the configured key")
    try:
        return _fernet(",".join(ring(key))).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or tampered value
        raise ValueError("cannot decrypt personal data with the configured key") from exc


def written_with_primary(token: str, *, key: str) -> bool:
    """Whether `token` is already under the ring's first key and the configured cipher."""
    if not token:
        return True
    primary = ring(key)[0]
    try:
        if token.startswith(SM4_PREFIX):
            _sm4_decrypt(token, primary)
            return cipher() == SM4
        Fernet(primary.encode()).decrypt(token.encode())
        return cipher() == FERNET
    except (InvalidTag, InvalidToken, ValueError):
        return False


def lookup_hash(value: str, *, key: str, purpose: str) -> str:
    """A keyed hash, so equal values can be found without storing them in the clear."""
    if not value:
        return ""
    primary = ring(key)[0]
    if cipher() == SM4:
        mac_key = hmac.new(primary.encode(), f"tongxin-lookup:{purpose}".encode(), "sm3").digest()
        return hmac.new(mac_key, value.encode(), "sm3").hexdigest()
    mac_key = hashlib.sha256(f"tongxin-lookup:{purpose}:{primary}".encode()).digest()
    return hmac.new(mac_key, value.encode(), hashlib.sha256).hexdigest()
