"""Fixed-window counters in the shared cache (the database, or Redis when configured), so every
worker process counts the same requests."""

import math
import time

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from tongxin.core.clients import client_address


def _now() -> float:
    return time.time()


def hit(key: str, window: int) -> int:
    """Count one more event under `key` in the current window; the new count.

    On Redis the counter is an atomic INCR, which keeps the key's expiry, so the window ends
    `window` seconds after its first event. Django's other caches (the database cache) increment by
    reading and setting again with the cache's default timeout (300 s), which would let a window
    end five minutes after its last event instead: there the counter keeps its window's end beside
    the count and each write sets the time that is left."""
    if isinstance(cache, RedisCache):
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
    now = _now()
    found = cache.get(key)
    if isinstance(found, dict) and found.get("until", 0) > now:
        counter = {"n": int(found["n"]) + 1, "until": found["until"]}
    else:
        counter = {"n": 1, "until": now + window}
    cache.set(key, counter, max(1, math.ceil(counter["until"] - now)))
    return counter["n"]


def count(key: str) -> int:
    found = cache.get(key)
    if isinstance(found, dict):
        return int(found["n"]) if found.get("until", 0) > _now() else 0
    return int(found or 0)


def reset(key: str) -> None:
    cache.delete(key)


def over_limit(request: HttpRequest, purpose: str, limit: int, window: int = 3600) -> bool:
    """Count this request for its client address; True once it passes `limit` in `window` seconds."""
    return hit(f"limit:{purpose}:{client_address(request) or 'unknown'}", window) > limit
