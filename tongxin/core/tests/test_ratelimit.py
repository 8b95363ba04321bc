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
