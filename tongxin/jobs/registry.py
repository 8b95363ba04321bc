"""Job handlers and periodic schedules, registered by each app's `jobs.py`."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps

Handler = Callable[[dict[str, Any]], None]

HANDLERS: dict[str, Handler] = {}


@dataclass(frozen=True)
class Periodic:
    kind: str
    every: timedelta


PERIODIC: dict[str, Periodic] = {}


def job(kind: str, *, every: timedelta | None = None) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        if every is not None:
            PERIODIC[kind] = Periodic(kind, every)
        return fn

    return register


def load_all() -> None:
    """Import every installed Tongxin app's jobs module so its handlers register."""

    for config in apps.get_app_configs():
        if config.name.startswith("tongxin.") and find_spec(f"{config.name}.jobs"):
            import_module(f"{config.name}.jobs")
