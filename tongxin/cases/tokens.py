"""The resident's private link holds a token; the case keeps only its hash."""

import hashlib


def rating_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
