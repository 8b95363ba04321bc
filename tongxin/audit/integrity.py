"""Integrity of important stored data (SECURITY.md row 18; GB/T 22239 8.1.4.7b): each row of a
registered table — the case history, the case configuration — carries a seal, an HMAC (HMAC-SM3
under the national profile) of its fields with the audit chain's key, which lives outside the
database. Whoever can write the tables but not read the key cannot change a row without
`tongxin verify_integrity` reporting it.

A save through the application seals the row anew (a change the services made is the new truth,
and the audit trail says who made it); rows written in bulk (the demo, imports) are sealed by the
job `audit.seal`; a delete through the application removes the seal. What the verification finds:
a row whose seal does not match (changed behind the application's back), a seal whose row is gone
(deleted behind its back), and rows not sealed yet (written since the job last ran).
"""

import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from tongxin.audit.chain import KEYED, _key, body, current_scheme, sm3_available
from tongxin.audit.models import Seal

BATCH = 2000

# model label → the fields a seal covers (what never changes behind a service's back: not an
# outbox's processed_at, not a foreign key that a deleted account sets to null)
SEALED: dict[str, tuple[str, ...]] = {}


# tables whose new rows are sealed from the saved instance, not read back: every field covered is
# of a kind whose value the database returns as it was given (see _as_stored)
FROM_INSTANCE: set[str] = set()
_AS_GIVEN = (
    models.IntegerField,  # and its subclasses, the automatic keys among them
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.DateTimeField,
    models.JSONField,
    models.ForeignKey,
)


def sealed(model: type[models.Model], fields: tuple[str, ...]) -> None:
    """Register a table whose rows carry a seal (from an app's ready())."""
    label = model._meta.label
    SEALED[label] = fields
    if all(isinstance(model._meta.get_field(name), _AS_GIVEN) for name in fields):
        FROM_INSTANCE.add(label)
    post_save.connect(_on_save, sender=model, dispatch_uid=f"seal-save-{label}")
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"seal-delete-{label}")


def seal_of(label: str, pk: Any, values: dict[str, Any], scheme: str | None = None) -> str:
    """The seal of a row from its values as the database returns them (`.values()`), so that the
    seal made at a save and the one recomputed at the verification read the same representation."""
    scheme = scheme or current_scheme()
    message = f"seal|{label}|{pk}|{body(values)}".encode()
    return hmac.new(_key(), message, KEYED[scheme]).hexdigest()


def _stored(model: type[models.Model], fields: tuple[str, ...], pks: list[Any]) -> dict[Any, dict[str, Any]]:
    rows = model._default_manager.filter(pk__in=pks).values("pk", *fields)
    return {row.pop("pk"): row for row in rows}


def _as_stored(
    model: type[models.Model], fields: tuple[str, ...], instance: models.Model
) -> dict[str, Any] | None:
    """The values of a new row as `.values()` will read them back, from the saved instance; None
    when one is an expression (Now(), F()) only the database knows the result of. A datetime comes
    back in UTC, a text as str, a JSON value as its JSON decoded (the field's own encoder)."""
    values: dict[str, Any] = {}
    for name in fields:
        column: Any = model._meta.get_field(name)  # `case_id` names the foreign key `case`
        value = getattr(instance, column.attname)
        if hasattr(value, "resolve_expression"):
            return None
        if value is None:
            pass
        elif isinstance(column, models.JSONField):
            value = json.loads(json.dumps(value, cls=column.encoder))
        elif isinstance(column, models.DateTimeField):
            if not isinstance(value, datetime) or timezone.is_naive(value):
                return None
            value = value.astimezone(UTC)
        elif isinstance(column, (models.CharField, models.TextField)):
            value = str(value)
        elif isinstance(column, models.BooleanField):
            value = bool(value)
        elif isinstance(value, bool) or not isinstance(value, int):
            return None
        values[name] = value
    return values


def _on_save(
    sender: type[models.Model],
    instance: models.Model,
    raw: bool = False,
    created: bool = False,
    **kwargs: Any,
) -> None:
    if raw:  # loaddata: the job seals what a fixture wrote
        return
    label = sender._meta.label
    # a new row of a table of plain fields is sealed from what was saved (one query fewer inside
    # every case transition: BENCHMARKS.md, intake); a changed row is read back as stored
    made = _as_stored(sender, SEALED[label], instance) if created and label in FROM_INSTANCE else None
    values = made if made is not None else _stored(sender, SEALED[label], [instance.pk])[instance.pk]
    scheme = current_scheme()
    # one INSERT … ON CONFLICT DO UPDATE (the row's seal anew), not update_or_create's savepoint,
    # select and insert: the seal is written inside every case transition (BENCHMARKS.md, intake)
    Seal.objects.bulk_create(
        [
            Seal(
                label=label,
                object_id=instance.pk,
                scheme=scheme,
                digest=seal_of(label, instance.pk, values, scheme),
            )
        ],
        update_conflicts=True,
        unique_fields=["label", "object_id"],
        update_fields=["scheme", "digest"],
    )


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    Seal.objects.filter(label=sender._meta.label, object_id=instance.pk).delete()


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _unsealed(model: type[models.Model], label: str) -> models.QuerySet[Any]:
    # NOT EXISTS, an anti-join through the seals' unique (label, object_id) index: `exclude(pk__in=…)`
    # is a NOT IN that PostgreSQL cannot turn into one, and over millions of rows it ran for an hour
    return model._default_manager.filter(
        ~models.Exists(Seal.objects.filter(label=label, object_id=models.OuterRef("pk")))
    )


def seal_missing(*, batch: int = BATCH, at_most: int | None = None) -> int:
    """Seal the rows that have none (written in bulk); returns how many were sealed. One pass over
    each table in key order: a batch starts after the last key of the one before. With `at_most`,
    stop after about that many rows (the worker's job, so a bulk load of millions of rows is sealed
    over several runs and never holds a worker for long)."""
    made = 0
    scheme = current_scheme()
    for label in SEALED:
        model = _model(label)
        last: Any = None
        while at_most is None or made < at_most:
            unsealed = _unsealed(model, label)
            if last is not None:
                unsealed = unsealed.filter(pk__gt=last)
            pks = list(unsealed.order_by("pk").values_list("pk", flat=True)[:batch])
            if not pks:
                break
            last = pks[-1]
            stored = _stored(model, SEALED[label], pks)
            Seal.objects.bulk_create(
                [
                    Seal(label=label, object_id=pk, scheme=scheme, digest=seal_of(label, pk, values, scheme))
                    for pk, values in stored.items()
                ],
                ignore_conflicts=True,  # a save through the application sealed it meanwhile
            )
            made += len(stored)
    return made


@dataclass
class Report:
    checked: int = 0
    unsealed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _seals(label: str, batch: int) -> Iterator[list[Seal]]:
    last = 0
    while True:
        chunk = list(Seal.objects.filter(label=label, object_id__gt=last).order_by("object_id")[:batch])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].object_id


def verify(*, batch: int = BATCH) -> Report:
    """Compare every sealed row with its seal."""
    report = Report()
    for label in SEALED:
        model = _model(label)
        for chunk in _seals(label, batch):
            stored = _stored(model, SEALED[label], [s.object_id for s in chunk])
            for seal in chunk:
                values = stored.get(seal.object_id)
                if values is None:
                    report.problems.append(f"{label} #{seal.object_id}: deleted outside Tongxin")
                    continue
                report.checked += 1
                if seal.scheme not in KEYED or (seal.scheme == "hmac-sm3" and not sm3_available()):
                    report.problems.append(f"{label} #{seal.object_id}: sealed with an unknown scheme")
                elif not hmac.compare_digest(
                    seal_of(label, seal.object_id, values, seal.scheme), seal.digest
                ):
                    report.problems.append(f"{label} #{seal.object_id}: changed outside Tongxin")
        report.unsealed += _unsealed(model, label).count()
    return report
