"""Fixed-window counters shared by every worker process: Redis's atomic INCR when Redis is the
cache, else a row of core.RateCounter per key in the database, counted by one statement.

The database's counter was the database cache (a read, then a cull count, a read and a write: four
round trips, and two concurrent requests could both read 4 and both write 5, losing a count). One
`INSERT … ON CONFLICT DO UPDATE … RETURNING` increments the row or starts a new window atomically
on PostgreSQL and on SQLite (BENCHMARKS.md, intake through gunicorn)."""

import time

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import HttpRequest

from tongxin.core.clients import client_address
from tongxin.core.models import RateCounter

_TABLE = RateCounter._meta.db_table
# the window's end is kept while it lies ahead, else a new window starts with this event
# the only name put in is the model's own table; the values are parameters
_HIT = (
    f'INSERT INTO {_TABLE} ("key", n, until) VALUES (%s, 1, %s) '  # nosec B608
    f'ON CONFLICT ("key") DO UPDATE SET '
    f"n = CASE WHEN {_TABLE}.until > %s THEN {_TABLE}.n + 1 ELSE 1 END, "
    f"until = CASE WHEN {_TABLE}.until > %s THEN {_TABLE}.until ELSE excluded.until END "
    f"RETURNING n"
)


def _now() -> float:
    return time.time()


def hit(key: str, window: int) -> int:
    """Count one more event under `key` in the current window; the new count. A window ends
    `window` seconds after its first event, however often the key is hit meanwhile (Redis's INCR
    keeps the key's expiry; the database row keeps its `until`)."""
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
    with connection.cursor() as cursor:
        cursor.execute(_HIT, [key, now + window, now, now])
        return int(cursor.fetchone()[0])


def count(key: str) -> int:
    if isinstance(cache, RedisCache):
        return int(cache.get(key) or 0)
    found = RateCounter.objects.filter(key=key, until__gt=_now()).values_list("n", flat=True).first()
    return int(found or 0)


def reset(key: str) -> None:
    if isinstance(cache, RedisCache):
        cache.delete(key)
    else:
        RateCounter.objects.filter(key=key).delete()


def prune(*, now: float | None = None) -> int:
    """Delete the counters whose window has ended (the hourly job); how many."""
    deleted, _details = RateCounter.objects.filter(until__lte=_now() if now is None else now).delete()
    return deleted


def over_limit(request: HttpRequest, purpose: str, limit: int, window: int = 3600) -> bool:
    """Count this request for its client address; True once it passes `limit` in `window` seconds."""
    return hit(f"limit:{purpose}:{client_address(request) or 'unknown'}", window) > limit
