"""Rotation of the personal-data key (`tongxin rotate_field_key`): a new key goes first in the key
ring, every encrypted value is re-encrypted under it in batches, and the old keys stay in the ring
(so old ciphertext is readable throughout) until `--retire` has checked that none is left.

The encrypted values are found by name: every `*_encrypted` text field of every model, with its
`*_hash` look-up hash recomputed beside it, and the sealed responses of idempotency keys."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction

from tongxin.lib import crypto

SEALED_JSON = [("cases", "IdempotencyKey", "response")]  # {"sealed": <ciphertext>}


@dataclass(frozen=True)
class Encrypted:
    model: type[models.Model]
    field: str
    hash_field: str | None
    purpose: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


def _purpose(base: str) -> str:
    if base.endswith("id_card"):
        return "id_card"
    if base.endswith("phone") or base == "contact":
        return "phone"
    raise LookupError(f"no look-up purpose known for {base}_hash")


def encrypted_fields() -> list[Encrypted]:
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        for name in sorted(n for n in names if n.endswith("_encrypted")):
            base = name.removesuffix("_encrypted")
            hash_field = f"{base}_hash" if f"{base}_hash" in names else None
            found.append(Encrypted(model, name, hash_field, _purpose(base) if hash_field else ""))
    return found


def _batches(model: type[models.Model], size: int) -> Iterator[list[Any]]:
    last = 0
    while True:
        ids = list(
            model._default_manager.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def reencrypt(*, batch: int = 500) -> dict[str, int]:
    """Re-encrypt every value not yet under the ring's first key (and the configured cipher);
    returns how many values of each field were rewritten. Safe to run again after an interruption."""
    key = settings.FIELD_ENCRYPTION_KEY
    counts: dict[str, int] = {}
    for spec in encrypted_fields():
        counts[spec.label] = 0
        columns = [spec.field] + ([spec.hash_field] if spec.hash_field else [])
        for ids in _batches(spec.model, batch):
            with transaction.atomic():
                rows = (
                    spec.model._default_manager.select_for_update().filter(pk__in=ids).values("pk", *columns)
                )
                for row in rows:
                    token = row[spec.field]
                    if crypto.written_with_primary(token, key=key):
                        continue
                    plain = crypto.decrypt(token, key=key)
                    update = {spec.field: crypto.encrypt(plain, key=key)}
                    if spec.hash_field:
                        update[spec.hash_field] = crypto.lookup_hash(plain, key=key, purpose=spec.purpose)
                    spec.model._default_manager.filter(pk=row["pk"]).update(**update)
                    counts[spec.label] += 1
    for app_label, model_name, field in SEALED_JSON:
        model = apps.get_model(app_label, model_name)
        label = f"{model._meta.label}.{field}"
        counts[label] = 0
        for ids in _batches(model, batch):
            with transaction.atomic():
                for pk, value in (
                    model._default_manager.select_for_update().filter(pk__in=ids).values_list("pk", field)
                ):
                    sealed = value.get("sealed") if isinstance(value, dict) else None
                    if not sealed or crypto.written_with_primary(sealed, key=key):
                        continue
                    fresh = crypto.encrypt(crypto.decrypt(sealed, key=key), key=key)
                    model._default_manager.filter(pk=pk).update(**{field: {**value, "sealed": fresh}})
                    counts[label] += 1
    return counts


def left_under_old_keys() -> dict[str, int]:
    """How many values of each field are not under the first key: all must be 0 before --retire."""
    key = settings.FIELD_ENCRYPTION_KEY
    left: dict[str, int] = {}
    for spec in encrypted_fields():
        tokens = spec.model._default_manager.exclude(**{spec.field: ""}).values_list(spec.field, flat=True)
        left[spec.label] = sum(1 for t in tokens.iterator() if not crypto.written_with_primary(t, key=key))
    for app_label, model_name, field in SEALED_JSON:
        model = apps.get_model(app_label, model_name)
        values = model._default_manager.values_list(field, flat=True).iterator()
        left[f"{model._meta.label}.{field}"] = sum(
            1
            for v in values
            if isinstance(v, dict)
            and v.get("sealed")
            and not crypto.written_with_primary(v["sealed"], key=key)
        )
    return left
