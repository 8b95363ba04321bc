"""`Idempotency-Key` for API POSTs: a retried request gets the stored answer, never a second write.

The key row is inserted in the same transaction as the write it guards. A concurrent retry with
the same key waits on the unique index (PostgreSQL) or on the write lock (SQLite) until the first
request commits, then reads its stored response. A request that fails stores nothing, so it can be
retried with the same key. Keys live 24 hours.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

from tongxin.cases.models import IdempotencyKey
from tongxin.lib import crypto

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 100

# for the OpenAPI document of every POST that honours the header
OPENAPI_HEADER: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": "Any unique string (a UUID). A retry with the same key and body gets the "
            "first response again (for 24 hours) and changes nothing; the same key with another "
            "body is refused with 422 idempotency_mismatch.",
        }
    ]
}

Result = tuple[int, BaseModel | dict[str, Any]]


def _owner(request: HttpRequest) -> str:
    user: Any = getattr(request, "user", None)
    return f"user:{user.pk}" if getattr(user, "is_authenticated", False) else "anonymous"


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


_RENDERER = JSONRenderer()


def _respond(request: HttpRequest, data: Any, *, status: int) -> HttpResponse:
    """A JSON response as the API renders one (this module sits below the API object, tongxin/api.py,
    which imports every router)."""
    return HttpResponse(
        _RENDERER.render(request, data, response_status=status),
        status=status,
        content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}",
    )


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return _respond(request, {"code": code, "message": message}, status=status)


def _json(data: BaseModel | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json", by_alias=True)
    return json.loads(json.dumps(data, default=str))


def idempotent(view: Callable[..., Result]) -> Callable[..., HttpResponse]:
    """Wrap an API view that returns (status, data): run it once per Idempotency-Key."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:

        key = request.headers.get(HEADER, "").strip()
        if not key:
            status, data = view(request, *args, **kwargs)
            return _respond(request, _json(data), status=status)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _error(
                request,
                400,
                "invalid_idempotency_key",
                _("The Idempotency-Key header must be at most %(n)d printable characters.")
                % {"n": MAX_KEY_LENGTH},
            )
        owner, fingerprint, now = _owner(request), _fingerprint(request), timezone.now()
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        owner=owner, key=key, fingerprint=fingerprint, status_code=0, created_at=now
                    )
                    status, data = view(request, *args, **kwargs)
                    body = _json(data)
                    IdempotencyKey.objects.filter(pk=record.pk).update(
                        status_code=status, response=_seal(body)
                    )
                return _respond(request, body, status=status)
            except IntegrityError:
                stored = IdempotencyKey.objects.filter(owner=owner, key=key).first()
                if stored is None:  # the integrity error came from the write itself
                    raise
                if stored.created_at >= now - LIFETIME:
                    return _replay(request, stored, fingerprint)
                # a key older than its lifetime is forgotten, then used again (once): no DELETE
                # before every insert, which a new key, the common case, never needs
                IdempotencyKey.objects.filter(pk=stored.pk, created_at__lt=now - LIFETIME).delete()
        raise IntegrityError("Idempotency-Key could not be stored")

    return wrapper


def _replay(request: HttpRequest, stored: IdempotencyKey, fingerprint: str) -> HttpResponse:

    if stored.fingerprint != fingerprint:
        return _error(
            request,
            422,
            "idempotency_mismatch",
            _("This Idempotency-Key was already used for a different request."),
        )
    response = _respond(request, _unseal(stored.response), status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _seal(body: dict[str, Any]) -> dict[str, Any]:
    """Stored encrypted: a response may hold a secret (the resident's tracking token)."""
    return {"sealed": crypto.encrypt(json.dumps(body), key=settings.FIELD_ENCRYPTION_KEY)}


def _unseal(stored: dict[str, Any]) -> Any:
    return json.loads(crypto.decrypt(stored["sealed"], key=settings.FIELD_ENCRYPTION_KEY))


def idempotency_keys_prune(*, now: datetime | None = None) -> int:
    """Forget keys older than their lifetime (the periodic job)."""
    now = now or timezone.now()
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=now - LIFETIME).delete()
    return deleted
