"""The one shape of an edit (zulip's `do_set_realm_property`): lock the row, change it, compare with
what it was, return early when nothing changed, save, write one audit row with the old and new values
and the actor (personal data masked), and send events only after commit.

    with audited_edit(Person, person.pk, actor=actor, fields=PERSON_FIELDS, personal=PERSONAL) as edit:
        person = edit.row
        ...change person...
    edit.changes  # what changed; empty when nothing did (then nothing was saved or recorded)

The body may raise (a ValidationError): the transaction rolls back and nothing is recorded.
"""

import json
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db import models, transaction

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor
from tongxin.lib.masking import mask_id_card, mask_phone

M = TypeVar("M", bound=models.Model)

MASKS: dict[str, Callable[[str], str]] = {"phone": mask_phone, "id_card": mask_id_card}
LONG = 200  # a value longer than this (a polygon) is recorded as changed, without its text


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class Edit(Generic[M]):
    row: M
    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def fields(self) -> set[str]:
        return {c.field for c in self.changes}

    def set(self, changes: Mapping[str, Any], *, only: Collection[str] | None = None) -> None:
        """Set the given fields on the row (only those named in `only`, when given), text without
        outer spaces."""
        for name, value in changes.items():
            if only is None or name in only:
                setattr(self.row, name, value.strip() if isinstance(value, str) else value)


def known_fields(changes: Mapping[str, Any], fields: Collection[str]) -> None:
    """A caller's mistake, not the user's: a field the update service does not change."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")


def _key(value: Any) -> Any:
    """What two values are compared by: a row by its primary key, text without outer spaces."""
    if isinstance(value, models.Model):
        return (value._meta.label, value.pk)
    return value


def _shown(value: Any) -> Any:
    """A value as the audit row keeps it (JSON)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, models.Model):
        return {"id": value.pk, "name": str(value)}
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= LONG else "…"


def _masked(name: str, value: str) -> str:
    if not value:
        return ""
    return MASKS.get(name, lambda v: "*" * min(len(v), 8))(value)


def _snapshot(
    row: models.Model, fields: Collection[str], personal: Mapping[str, Callable[[Any], str]]
) -> dict[str, Any]:
    found = {name: getattr(row, name) for name in fields}
    found.update({name: read(row) for name, read in personal.items()})
    return found


@contextmanager
def audited_edit(
    model: type[M],
    pk: Any,
    *,
    actor: Actor,
    fields: Collection[str],
    personal: Mapping[str, Callable[[M], str]] | None = None,
    region: Callable[[M], Any] | None = None,
    related: Collection[str] = (),
    after_commit: Callable[[Edit[M]], None] | None = None,
) -> Iterator[Edit[M]]:
    """Lock `model` row `pk`, let the body change it, then save and record what changed.

    `fields` are the attributes compared; `personal` maps a personal field (phone, ID card) to a
    function that reads its plain value, which is compared but recorded masked; `region` gives the
    region the audit row is filed under (for scope of the audit pages); `related` rows are loaded
    with the lock (select_related)."""
    personal = personal or {}
    with transaction.atomic():
        rows = model._default_manager.select_for_update(of=("self",))
        if related:
            rows = rows.select_related(*related)
        row = rows.get(pk=pk)
        before = _snapshot(row, fields, personal)
        edit = Edit(row)
        yield edit
        after = _snapshot(row, fields, personal)
        for name in [*fields, *personal]:
            if _key(before[name]) != _key(after[name]):
                if name in personal:
                    edit.changes.append(Change(name, _masked(name, before[name]), _masked(name, after[name])))
                else:
                    edit.changes.append(Change(name, _shown(before[name]), _shown(after[name])))
        if not edit.changes:
            return
        row.save()
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=region(row) if region is not None else None,
            target=f"{model._meta.model_name}:{row.pk}",
            detail={
                "model": model._meta.label,
                "changes": {c.field: [c.old, c.new] for c in edit.changes},
            },
        )
        if after_commit is not None:
            transaction.on_commit(lambda: after_commit(edit))


def audited_create(
    row: models.Model, *, actor: Actor, region: Any, created: Mapping[str, Any], target: str = ""
) -> None:
    """The audit row of a record just created: who, under which region, the model and what names
    the record (`created`); filed as `<model>:<pk>` unless `target` says otherwise."""
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        region=region,
        target=target or f"{row._meta.model_name}:{row.pk}",
        detail={"model": row._meta.label, "created": dict(created)},
    )
