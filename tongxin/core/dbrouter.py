"""Reads that may lag go to a streaming read replica (docs/scaling.md).

With `TONGXIN_REPLICA_URL` set, settings add a `replica` database and this router. A read goes to
the replica only when all of these hold, else to the primary:

- it runs inside a request (`ReplicaRoutingMiddleware`), so the worker, commands and the demo
  always read the primary;
- the view said its reads may lag (`@may_lag` on list, figure, report and export views, or
  `with may_lag():`);
- the request has not written (any write but the bookkeeping below pins the rest of the request),
  no transaction is open on the primary, and the browser is not inside the short window after its
  last write (the `tx_primary` cookie: a form posted and redirected to its list reads its own write);
- the replica answers and its replay is less than `TONGXIN_REPLICA_MAX_LAG_SECONDS` behind; if not,
  a warning is logged and reads use the primary for `TONGXIN_REPLICA_RETRY_SECONDS`.

Writes always go to the primary; migrations never run on the replica.
"""

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "tx_primary"
# read before the view and written without the view reading them back: they neither pin a request
# to the primary nor are ever read from the replica (a rate count or a session must not lag)
BOOKKEEPING = {"sessions.session", "django_cache.cacheentry", "accounts.apitoken", "core.ratecounter"}

# seconds the standby's replay is behind: none when everything received is replayed (an idle
# primary sends nothing, so the last commit's age alone would read as lag)
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class RequestState:
    pinned: bool = False  # the browser wrote a moment ago (the pin cookie)
    may_lag: bool = False
    wrote: bool = False
    replica_ok: bool | None = None  # checked once a request


_state: ContextVar[RequestState | None] = ContextVar("tongxin_db_request", default=None)
_replica_down_until = 0.0  # per process: after a failure, the primary serves until then


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def request_scope(*, pinned: bool = False) -> Iterator[RequestState]:
    """The routing state of one request (the middleware opens it; tests may too)."""
    token = _state.set(RequestState(pinned=pinned))
    try:
        yield _state.get()  # type: ignore[misc]
    finally:
        _state.reset(token)


class _MayLag(contextlib.ContextDecorator):
    """`@may_lag` on a view: the rest of the request's reads may come from the replica (Ninja and
    templates evaluate querysets after the function returns). `with may_lag():` limits it to the
    block."""

    def __init__(self, *, rest_of_request: bool = False) -> None:
        self.rest_of_request = rest_of_request
        self.before: bool | None = None

    def _recreate_cm(self) -> "_MayLag":
        return _MayLag(rest_of_request=self.rest_of_request)

    def __enter__(self) -> "_MayLag":
        state = _state.get()
        if state is not None:
            self.before = state.may_lag
            state.may_lag = True
        return self

    def __exit__(self, *exc: Any) -> None:
        state = _state.get()
        if state is not None and not self.rest_of_request and self.before is not None:
            state.may_lag = self.before


def may_lag(view: F | None = None) -> Any:
    """Mark a view (decorator) or a block (context manager) whose reads may lag behind the primary
    by a second or two: lists, figures, reports, exports. Never put it on a view that writes and
    reads back what it wrote; the router would send those reads to the primary anyway."""
    if view is None:
        return _MayLag()

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _MayLag(rest_of_request=True):
            return view(*args, **kwargs)

    return wrapper


def _label(model: Any) -> str:
    # the database cache's CacheEntry has a bare Options with app_label and model_name only
    meta = getattr(model, "_meta", None)
    return f"{meta.app_label}.{meta.model_name}".lower() if meta is not None else ""


def _check_replica() -> bool:
    """Whether the replica answers and is not too far behind; once a request, logged when not."""
    global _replica_down_until
    now = time.monotonic()
    if now < _replica_down_until:
        return False
    connection = connections[REPLICA]
    max_lag = settings.TONGXIN_REPLICA_MAX_LAG_SECONDS
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(LAG_SQL)
            else:
                cursor.execute("SELECT 0")
            lag = float(cursor.fetchone()[0])
    except DatabaseError as exc:
        logger.warning("read replica unavailable, reading from the primary: %s", exc)
        _replica_down_until = now + settings.TONGXIN_REPLICA_RETRY_SECONDS
        with contextlib.suppress(DatabaseError):
            connection.close()
        return False
    if max_lag and lag > max_lag:
        logger.warning("read replica %.1f s behind, reading from the primary", lag)
        _replica_down_until = now + min(settings.TONGXIN_REPLICA_RETRY_SECONDS, 5)
        return False
    return True


def reset_replica_health() -> None:
    """Forget a failure (tests, and an operator's shell after the replica is back)."""
    global _replica_down_until
    _replica_down_until = 0.0


class ReplicaRouter:
    """Installed by settings only when a replica is configured."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        state = _state.get()
        if (
            state is None
            or not state.may_lag
            or state.wrote
            or state.pinned
            or _label(model) in BOOKKEEPING
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        if state.replica_ok is None:
            state.replica_ok = _check_replica()
        return REPLICA if state.replica_ok else DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        state = _state.get()
        if state is not None and _label(model) not in BOOKKEEPING:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two servers

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


def _pinned(request: HttpRequest) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


class ReplicaRoutingMiddleware:
    """Opens each request's routing state and, after a request that wrote, pins the browser's next
    requests to the primary for `TONGXIN_REPLICA_PIN_SECONDS` (read-your-writes after a redirect).
    Sits inside the session middleware, so saving the session is not the request's write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        with request_scope(pinned=_pinned(request)) as state:
            response = self.get_response(request)
            wrote = state.wrote
        if wrote:
            seconds = settings.TONGXIN_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
