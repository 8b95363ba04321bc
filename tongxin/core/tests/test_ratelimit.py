"""The fixed-window counters: a window ends `window` seconds after its first event, whatever the
cache's default timeout (the database cache increments by setting again with it)."""

import time

import pytest
from django.core.cache import cache

from tongxin.core import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_count_grows_within_the_window_and_starts_again_after_it(monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(ratelimit, "_now", lambda: clock[0])
    assert [ratelimit.hit("k", 3600) for _ in range(3)] == [1, 2, 3]
    # quiet for longer than the cache's default timeout (300 s): the hour's count is kept
    clock[0] += 1200
    assert ratelimit.count("k") == 3
    assert ratelimit.hit("k", 3600) == 4
    # the hour since the first event is over: a new window
    clock[0] += 2401
    assert ratelimit.count("k") == 0
    assert ratelimit.hit("k", 3600) == 1


def test_a_steady_caller_is_not_held_past_the_window(monkeypatch):
    """Events every minute do not stretch the window: it ends an hour after the first."""
    clock = [time.time()]
    monkeypatch.setattr(ratelimit, "_now", lambda: clock[0])
    counts = []
    for _ in range(61):
        counts.append(ratelimit.hit("steady", 3600))
        clock[0] += 60
    assert counts[:60] == list(range(1, 61))
    assert counts[60] == 1


def test_reset_forgets_the_count():
    ratelimit.hit("r", 60)
    ratelimit.reset("r")
    assert ratelimit.count("r") == 0


def test_concurrent_style_hits_each_count_once_in_one_row():
    """One statement increments the row (no read-then-write that two requests could interleave)."""
    from tongxin.core.models import RateCounter

    assert [ratelimit.hit("one-row", 3600) for _ in range(5)] == [1, 2, 3, 4, 5]
    row = RateCounter.objects.get(key="one-row")
    assert row.n == 5 and row.until > time.time() + 3500


def test_prune_deletes_only_the_ended_windows(monkeypatch):
    from tongxin.core.models import RateCounter

    clock = [time.time()]
    monkeypatch.setattr(ratelimit, "_now", lambda: clock[0])
    ratelimit.hit("short", 60)
    ratelimit.hit("long", 3600)
    clock[0] += 120
    assert ratelimit.prune() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["long"]
    assert ratelimit.count("long") == 1 and ratelimit.count("short") == 0
