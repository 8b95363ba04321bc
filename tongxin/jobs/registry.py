"""Background tasks and their periodic schedule, registered by each app's `jobs.py`.

A job is a django-tasks `Task` (the Tasks API of Django 6, backported to 5.2): `@job(kind)` wraps the
handler with `django_tasks.task`, so any configured backend (the database one by default, RQ for
scale) runs it. The registry adds what django-tasks leaves out: a name per kind, the periodic
schedule (optionally in shards, so two workers share one sweep) and retries with backoff.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from tongxin.jobs.models import TaskKey

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
MAX_ATTEMPTS = 5

HANDLERS: dict[str, Handler] = {}
TASKS: dict[str, Task[..., None]] = {}


@dataclass(frozen=True)
class Periodic:
    kind: str
    every: timedelta
    # a sweep split in this many shards (payload {"shard": i, "shards": n}) runs on several workers
    shards: int = 1


PERIODIC: dict[str, Periodic] = {}


def backoff(attempt: int) -> timedelta:
    """How long a failed attempt waits before the next: 30 s, 60 s, 120 s, …"""
    return timedelta(seconds=30 * 2 ** (attempt - 1))


def job(
    kind: str, *, every: timedelta | None = None, shards: int = 1
) -> Callable[[Handler], Task[..., None]]:
    """Register `fn(payload)` as the task of `kind`; with `every`, the worker's scheduler queues it
    once per interval. A failing attempt is recorded as failed and queued again after a backoff
    until MAX_ATTEMPTS have failed (the retry is the task's own, so every backend retries alike)."""

    def register(fn: Handler) -> Task[..., None]:
        @functools.wraps(fn)  # the task's import path stays the module attribute it is bound to
        def run(payload: dict[str, Any] | None = None, attempt: int = 1, dedupe_key: str = "") -> None:
            try:
                fn(payload or {})
            except Exception:
                if attempt < MAX_ATTEMPTS:
                    retry = TASKS[kind].using(run_after=timezone.now() + backoff(attempt))
                    result = retry.enqueue(payload or {}, attempt=attempt + 1, dedupe_key=dedupe_key)
                    _on_retry(dedupe_key, result.id)
                    log.warning("job %s attempt %s failed; retry %s queued", kind, attempt, result.id)
                raise

        HANDLERS[kind] = fn
        TASKS[kind] = task(run)
        if every is not None:
            PERIODIC[kind] = Periodic(kind, every, shards)
        return TASKS[kind]

    return register


def kind_of(task_path: str) -> str:
    """The registered kind of a task's import path ('' for none)."""
    for kind, registered in TASKS.items():
        if registered.module_path == task_path:
            return kind
    return ""


def _on_retry(dedupe_key: str, result_id: str) -> None:
    if dedupe_key:  # the key now guards the retry, so nothing queues the same work beside it
        TaskKey.objects.filter(key=dedupe_key).update(result_id=result_id)


def load_all() -> None:
    """Import every installed Tongxin app's jobs module so its handlers register."""

    for config in apps.get_app_configs():
        if config.name.startswith("tongxin.") and find_spec(f"{config.name}.jobs"):
            import_module(f"{config.name}.jobs")
