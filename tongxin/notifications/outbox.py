"""The outbox: every workflow's transition table (cases, needs, projects) is also the queue of whom
to tell. A workflow writes its transition row in the same transaction as the change; one worker job
(`notifications.outbox`) works through the rows not yet processed, in every table, and notifies
exactly once per row.

An app takes part by registering its table in its own `outbox.py`:

    @outbox_source("need-transition", NeedTransition, related=("need",))
    def need_message(row: NeedTransition) -> Message | None: ...

The table needs `at`, `actor` and `processed_at` (null until notified), and carries
`core.db.outbox_index`, a partial index on the rows still unprocessed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from importlib.util import find_spec
from typing import Any, TypeVar

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from tongxin.notifications.services import notify


@dataclass(frozen=True)
class Message:
    """What a transition tells, and to whom (the actor is left out)."""

    users: Iterable[Any]
    title: str
    url: str
    body: str = ""
    webhook_payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class OutboxSource:
    name: str  # the event key's prefix: one notification per user and `name:row id`
    model: type[models.Model]
    message: Callable[[Any], Message | None]
    related: tuple[str, ...] = field(default=())


SOURCES: dict[str, OutboxSource] = {}
T = TypeVar("T")


def outbox_source(
    name: str, model: type[models.Model], *, related: tuple[str, ...] = ()
) -> Callable[[Callable[[T], Message | None]], Callable[[T], Message | None]]:
    """Register a transition table and the function that says what one of its rows tells."""

    def register(fn: Callable[[T], Message | None]) -> Callable[[T], Message | None]:
        SOURCES[name] = OutboxSource(name, model, fn, related)
        return fn

    return register


def load_sources() -> dict[str, OutboxSource]:
    """Import every installed Tongxin app's outbox module so its tables register."""
    for config in apps.get_app_configs():
        if config.name.startswith("tongxin.") and find_spec(f"{config.name}.outbox"):
            import_module(f"{config.name}.outbox")
    return SOURCES


def outbox_process(*, now: datetime | None = None, limit: int = 500) -> int:
    """Notify for each unprocessed transition of every table exactly once.

    The claim (a conditional update whose count is checked) and the inbox/delivery rows it produces
    commit together: a worker that dies half-way leaves the row unclaimed for the next pass, and a
    second worker racing for the same row waits on the first one's claim, then finds it taken.
    E-mail and webhooks go out later from the deliveries (notifications.send), never in here.
    """
    now = now or timezone.now()
    done = 0
    for source in load_sources().values():
        manager = source.model._default_manager
        pending = manager.filter(processed_at__isnull=True).order_by("id").values_list("pk", flat=True)
        for pk in list(pending[: max(limit - done, 0)]):
            with transaction.atomic():
                if not manager.filter(pk=pk, processed_at__isnull=True).update(processed_at=now):
                    continue  # another worker has it
                _notify(source, manager.select_related(*source.related).get(pk=pk), now)
            done += 1
    return done


def _notify(source: OutboxSource, row: Any, now: datetime) -> None:
    message = source.message(row)
    if message is None:
        return
    users = [u for u in message.users if u is not None and u.pk != row.actor_id]
    if users or message.webhook_payload is not None:
        notify(
            users=users,
            event_key=f"{source.name}:{row.pk}",
            title=message.title,
            body=message.body,
            url=message.url,
            webhook_payload=message.webhook_payload,
            now=now,
        )


def outbox_mark_processed(*, before: datetime) -> int:
    """Mark old transitions of every table as notified without notifying (demo data, imports)."""
    return sum(
        source.model._default_manager.filter(processed_at__isnull=True, at__lt=before).update(
            processed_at=before
        )
        for source in load_sources().values()
    )
