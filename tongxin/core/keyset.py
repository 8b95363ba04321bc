"""Keyset pagination: a page is the rows after (or before) the last row seen, in the list's order.

A deep page costs what the first does: the database seeks to the cursor's values in the ordering's
index instead of counting OFFSET rows. The cursor is opaque and signed: the ordering values of the
row it stands on, the direction (next or previous), a fingerprint of the ordering (a cursor of one
list is refused by a list ordered otherwise) and the page's number (shown only; rows added between
requests may make it approximate, never a row lost or doubled).

The ordering is the queryset's (or its model's default), with `pk` appended as the tie-breaker so
that it is total. Fields through relations and nullable fields work: a nullable key gets an explicit
null position (nulls after every value: PostgreSQL's default, also on SQLite), so both databases
page the same way. A plain list (no database ordering to seek on) is paged by its position in a
signed cursor of the same shape.
"""

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Expression, F, OrderBy, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP

SALT = "tongxin.core.keyset"
MAX_CURSOR = 2000  # characters: a longer cursor is refused before it is read
# a list that may hold a city's cases counts this many rows at most ("more than 10,000"): counting
# a busy street's whole history read every one of its rows, and grew with the data (BENCHMARKS.md)
COUNT_LIMIT = 10_000
NEXT, PREVIOUS = "n", "p"
_ALIAS = "_keyset_%d"


class BadCursor(Exception):
    """A cursor that was tampered with, is malformed or belongs to a list ordered otherwise."""


class Unkeyable(Exception):
    """An ordering no keyset can seek on (random, or a term that is not a field or expression)."""


@dataclass(frozen=True)
class Key:
    """One term of the ordering: its expression, direction and where its nulls go (None: never null)."""

    expression: Any
    descending: bool
    nulls_last: bool | None
    alias: str

    def order_by(self, reverse: bool = False) -> OrderBy:
        descending = self.descending != reverse
        if self.nulls_last is None:
            return OrderBy(F(self.alias), descending=descending)
        last = self.nulls_last != reverse
        return OrderBy(
            F(self.alias), descending=descending, nulls_last=last or None, nulls_first=(not last) or None
        )

    def after(self, value: Any) -> Q | None:
        """Rows strictly after `value` on this key (None: no row can be)."""
        if value is None:
            return Q(**{f"{self.alias}__isnull": False}) if self.nulls_last is False else None
        q = Q(**{f"{self.alias}__{'lt' if self.descending else 'gt'}": value})
        return q | Q(**{f"{self.alias}__isnull": True}) if self.nulls_last else q

    def before(self, value: Any) -> Q | None:
        if value is None:
            return Q(**{f"{self.alias}__isnull": False}) if self.nulls_last else None
        q = Q(**{f"{self.alias}__{'gt' if self.descending else 'lt'}": value})
        return q | Q(**{f"{self.alias}__isnull": True}) if self.nulls_last is False else q

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.alias}__isnull": True}) if value is None else Q(**{self.alias: value})

    def bound(self, value: Any, forward: bool) -> Q | None:
        """A redundant bound on the first key (≤ or ≥ the value) the database can seek an index with."""
        if value is None or self.nulls_last is not None:
            return None
        up = forward == self.descending  # moving towards smaller values
        return Q(**{f"{self.alias}__{'lte' if up else 'gte'}": value})


def _nullable(model: Any, path: str) -> bool | None:
    """Whether a field path may read NULL (through a nullable relation too); None if not a field."""
    if path == "pk":
        return False
    opts, nullable = model._meta, False
    parts = path.split(LOOKUP_SEP)
    for i, part in enumerate(parts):
        try:
            field = opts.pk if part == "pk" else opts.get_field(part)
        except FieldDoesNotExist:
            return None
        if not getattr(field, "concrete", False) and not field.is_relation:
            return None
        nullable = nullable or bool(getattr(field, "null", False) or field.one_to_many or field.many_to_many)
        if field.is_relation and i < len(parts) - 1:
            opts = field.related_model._meta
    return nullable


def ordering_keys(queryset: QuerySet[Any]) -> list[Key]:
    """The queryset's ordering as keys, `pk` appended unless already there."""
    query = queryset.query
    terms: Sequence[Any] = query.order_by or (queryset.model._meta.ordering if query.default_ordering else ())
    keys: list[Key] = []
    has_pk = False
    for n, term in enumerate(terms):
        if isinstance(term, str):
            if term == "?":
                raise Unkeyable("a random ordering cannot be paged by keyset")
            descending = term.startswith("-")
            name = term.lstrip("-+")
            expression: Any = F(name)
            nulls_last: bool | None = None
            if name in query.annotations:
                nullable: bool | None = True
            else:
                nullable = _nullable(queryset.model, name)
            if name in ("pk", queryset.model._meta.pk.attname, queryset.model._meta.pk.name):
                has_pk = True
        else:
            order = (
                term
                if isinstance(term, OrderBy)
                else term.asc()
                if isinstance(term, Expression | F)
                else None
            )
            if order is None:
                raise Unkeyable(f"cannot key the ordering term {term!r}")
            descending, expression = order.descending, order.expression
            nulls_last = True if order.nulls_last else False if order.nulls_first else None
            nullable = True
            if isinstance(expression, F):
                nullable = _nullable(queryset.model, str(getattr(expression, "name", "")))
                if getattr(expression, "name", None) == "pk":
                    has_pk = True
            if nulls_last is not None:
                keys.append(Key(expression, descending, nulls_last, _ALIAS % n))
                continue
        if nullable is False:
            keys.append(Key(expression, descending, None, _ALIAS % n))
        else:  # nulls after every value, as PostgreSQL orders them by default
            keys.append(Key(expression, descending, not descending, _ALIAS % n))
    if not has_pk:
        descending = keys[-1].descending if keys else False
        keys.append(Key(F("pk"), descending, None, _ALIAS % len(keys)))
    return keys


def _fingerprint(keys: list[Key]) -> str:
    spec = repr([(repr(k.expression), k.descending, k.nulls_last) for k in keys])
    return hashlib.sha256(spec.encode()).hexdigest()[:10]


# ---- the cursor: signed, URL-safe -----------------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str | float):
        return value
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, time):
        return {"t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        if value is None or isinstance(value, bool | int | str | float):
            return value
        raise BadCursor("a value of the cursor is not readable")
    if len(value) != 1:
        raise BadCursor("a value of the cursor is not readable")
    ((tag, text),) = value.items()
    readers: dict[str, Any] = {
        "dt": datetime.fromisoformat,
        "d": date.fromisoformat,
        "t": time.fromisoformat,
        "dec": Decimal,
        "u": uuid.UUID,
    }
    if tag not in readers or not isinstance(text, str):
        raise BadCursor("a value of the cursor is not readable")
    try:
        return readers[tag](text)
    except (ValueError, ArithmeticError) as exc:
        raise BadCursor("a value of the cursor is not readable") from exc


def make_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    data = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return signing.Signer(salt=SALT).sign(data)


def read_cursor(token: str) -> dict[str, Any]:
    if len(token) > MAX_CURSOR:
        raise BadCursor("the cursor is too long")
    try:
        data = signing.Signer(salt=SALT).unsign(token)
        payload = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor("the cursor is not valid") from exc
    if not isinstance(payload, dict) or payload.get("d") not in (NEXT, PREVIOUS):
        raise BadCursor("the cursor is not valid")
    number = payload.get("n", 1)
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 2**31:
        raise BadCursor("the cursor is not valid")
    return payload


# ---- a page ---------------------------------------------------------------------------------------


@dataclass
class Window:
    """The rows of one page and the cursors to its neighbours (None where there is none)."""

    rows: list[Any]
    number: int
    next_cursor: str | None
    previous_cursor: str | None


def _value(row: Any, alias: str) -> Any:
    return row[alias] if isinstance(row, dict) else getattr(row, alias)


def _keyable(queryset: Any) -> bool:
    if not isinstance(queryset, QuerySet):
        return False
    iterable = queryset._iterable_class.__name__
    query = queryset.query
    if iterable not in ("ModelIterable", "ValuesIterable") or query.is_sliced or query.combinator:
        return False
    # values() grouped by an aggregate: one more key column would change the groups
    if iterable == "ValuesIterable" and isinstance(query.group_by, tuple):
        return False
    try:
        ordering_keys(queryset)
    except Unkeyable:
        return False
    return True


def window(items: Any, cursor: str | None, size: int, *, first_number: int = 1) -> Window:
    """The page of `items` at `cursor` (the first page without one); raises BadCursor."""
    payload = read_cursor(cursor) if cursor else None
    if not _keyable(items):
        return _positional(items, payload, size)
    keys = ordering_keys(items)
    print_ = _fingerprint(keys)
    if payload is not None and (payload.get("k") != print_ or "v" not in payload):
        raise BadCursor("the cursor belongs to another list")
    qs = items.annotate(**{k.alias: k.expression for k in keys})
    if payload is None:
        rows = list(qs.order_by(*[k.order_by() for k in keys])[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return _finish(rows, keys, print_, number=first_number, more_after=more, more_before=False)
    values = payload["v"]
    if not isinstance(values, list) or len(values) != len(keys):
        raise BadCursor("the cursor belongs to another list")
    values = [_decode(v) for v in values]
    forward = payload["d"] == NEXT
    number = payload.get("n", 1)
    try:
        condition = _beyond(keys, values, forward)
        ordered = qs.filter(condition).order_by(*[k.order_by(reverse=not forward) for k in keys])
        rows = list(ordered[: size + 1])
    except (ValueError, TypeError) as exc:  # a value the field cannot take (a forged payload is signed)
        raise BadCursor("the cursor does not fit this list") from exc
    more = len(rows) > size
    rows = rows[:size]
    if forward:
        return _finish(rows, keys, print_, number=number, more_after=more, more_before=True)
    rows.reverse()
    if not more:  # back at the start: the first page, full
        return window(items, None, size)
    return _finish(rows, keys, print_, number=max(number, 2), more_after=True, more_before=True)


def _beyond(keys: list[Key], values: list[Any], forward: bool) -> Q:
    """Rows after (forward) or before the position `values`, as one condition."""
    alternatives = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        step = key.after(value) if forward else key.before(value)
        if step is not None:
            alternatives |= prefix & step
        prefix &= key.equal(value)
    bound = keys[0].bound(values[0], forward)
    return alternatives & bound if bound is not None else alternatives


def _finish(
    rows: list[Any], keys: list[Key], print_: str, *, number: int, more_after: bool, more_before: bool
) -> Window:
    def at(row: Any, direction: str, n: int) -> str:
        values = [_encode(_value(row, k.alias)) for k in keys]
        return make_cursor({"k": print_, "v": values, "d": direction, "n": n})

    return Window(
        rows=rows,
        number=number,
        next_cursor=at(rows[-1], NEXT, number + 1) if rows and more_after else None,
        previous_cursor=at(rows[0], PREVIOUS, number - 1) if rows and more_before else None,
    )


def _positional(items: Any, payload: dict[str, Any] | None, size: int) -> Window:
    """A list (or a queryset that cannot be keyed) paged by position, with cursors of the same shape."""
    start = 0
    if payload is not None:
        at = payload.get("o")
        if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= 2**31:
            raise BadCursor("the cursor belongs to another list")
        start = at if payload["d"] == NEXT else max(at - size, 0)
    rows = list(items[start : start + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    number = start // size + 1
    return Window(
        rows=rows,
        number=number,
        next_cursor=make_cursor({"o": start + size, "d": NEXT, "n": number + 1}) if more else None,
        previous_cursor=make_cursor({"o": start, "d": PREVIOUS, "n": number - 1}) if start > 0 else None,
    )


def offset_window(items: Any, offset: int, size: int) -> Window:
    """The page at an OFFSET (the deprecated `offset` of the API, bookmarked `?page=N`), with cursors
    to go on from it by keyset."""
    number = offset // size + 1
    if not _keyable(items):
        rows = list(items[offset : offset + size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return Window(
            rows=rows,
            number=number,
            next_cursor=make_cursor({"o": offset + size, "d": NEXT, "n": number + 1}) if more else None,
            previous_cursor=make_cursor({"o": offset, "d": PREVIOUS, "n": number - 1}) if offset else None,
        )
    keys = ordering_keys(items)
    qs = items.annotate(**{k.alias: k.expression for k in keys}).order_by(*[k.order_by() for k in keys])
    rows = list(qs[offset : offset + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return _finish(rows, keys, _fingerprint(keys), number=number, more_after=more, more_before=offset > 0)


def bounded_count(items: Any, limit: int | None = None) -> tuple[int, bool]:
    """How many rows `items` has, exactly up to `limit`: (limit, True) when it has more.

    The database reads at most limit + 1 matching rows (`COUNT(*)` over a LIMITed subquery), so a
    large list's count costs what the bound does instead of growing with the data; None counts all."""
    if limit is None:
        try:
            return int(items.count()), False
        except (AttributeError, TypeError):
            return len(items), False
    head = items.order_by()[: limit + 1] if isinstance(items, QuerySet) else items[: limit + 1]
    n = int(head.count()) if isinstance(head, QuerySet) else len(head)
    return (limit, True) if n > limit else (n, False)


class Counted:
    """What a page's template reads of its paginator: the count (one query, only when read).

    With a `count_limit` the count stops there: `count` is then the limit and `count_is_lower_bound`
    says the list has more rows than that (the pager shows "more than 10,000")."""

    def __init__(self, items: Any, per_page: int, count_limit: int | None = None) -> None:
        self.items, self.per_page, self.count_limit = items, per_page, count_limit

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return bounded_count(self.items, self.count_limit)

    @property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_lower_bound(self) -> bool:
        return self._counted[1]

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))


class KeysetPage(Sequence[Any]):
    """A page for the templates, shaped like Django's Page (object_list, number, has_next…) plus the
    cursors of its neighbours; `paginator.count` counts the whole list only when a template reads it."""

    def __init__(self, items: Any, frame: Window, per_page: int, count_limit: int | None = None) -> None:
        self.object_list: Any = frame.rows
        self.number = frame.number
        self.next_cursor = frame.next_cursor
        self.previous_cursor = frame.previous_cursor
        self.paginator = Counted(items, per_page, count_limit)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index: Any) -> Any:
        return self.object_list[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0
