"""Fixed-window counters in the shared cache (the database, or Redis when configured), so every
worker process counts the same requests."""

from django.core.cache import cache
from django.http import HttpRequest

from tongxin.core.clients import client_address


def hit(key: str, window: int) -> int:
    """Count one more event under `key` in the current window; the new count.

    The counter is incremented first and added only when there is none: on the database cache an
    add costs as many queries as the increment (six), so the common case is half of add-then-incr."""
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet, or it expired
        pass
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)  # another process added it meanwhile
    except ValueError:  # and it expired already
        cache.set(key, 1, window)
        return 1


def count(key: str) -> int:
    return int(cache.get(key) or 0)


def reset(key: str) -> None:
    cache.delete(key)


def over_limit(request: HttpRequest, purpose: str, limit: int, window: int = 3600) -> bool:
    """Count this request for its client address; True once it passes `limit` in `window` seconds."""
    return hit(f"limit:{purpose}:{client_address(request) or 'unknown'}", window) > limit
