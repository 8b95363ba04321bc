"""The one registry of indicators. Each indicator is defined once: code, names, unit, definition in
words, how its value is computed for a node and a period, and how its rows are listed.

Kinds:
- count: rows of a source (a model reached through a region path) matching a condition;
- sum: a field summed over such rows (service hours, class hours);
- ratio: one indicator divided by another (shares and rates);
- median: the median of a duration over the rows (days to close);
- computed: a function returning the rows as a list (branches behind on 三会一课, units whose
  annual duty is done), the value being their number.
A count may also give a `fast` function (kept counts, e.g. the case daily counts): the value is
read from it, and the consistency test proves it equal to the rows' count.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise

from tongxin.statistics.periods import Period

Number = int | Decimal | None


_MEMO: ContextVar[dict[Any, Any] | None] = ContextVar("statistics_memo", default=None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """Inside one computation, indicators that read the same thing read it once (see `memoized`)."""
    token = _MEMO.set({}) if _MEMO.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _MEMO.reset(token)


def memoized(key: Any, fn: Callable[[], Any]) -> Any:
    cache = _MEMO.get()
    if cache is None:
        return fn()
    if key not in cache:
        cache[key] = fn()
    return cache[key]


class NotKept(Exception):
    """A `fast` function cannot answer for this node (its counts are kept per community): count rows."""


@dataclass(frozen=True)
class Section:
    key: str
    name: Promise


@dataclass(frozen=True)
class Source:
    """The rows a group of indicators counts, and the field that holds each row's region path."""

    key: str
    queryset: Callable[[], QuerySet[Any]]
    path: str
    capability: str
    # how a row reads in a list: (label, date, extra columns) — see rows_table
    describe: Callable[[Any], dict[str, Any]] | None = None

    def in_node(self, node: Any) -> Q:
        return Q(**{f"{self.path}__gte": node.path, f"{self.path}__lt": node.path + "~"})

    def rows(self, node: Any) -> QuerySet[Any]:
        return self.queryset().filter(self.in_node(node))


@dataclass(frozen=True)
class Indicator:
    code: str
    section: str
    name: Promise
    unit: Promise
    definition: Promise
    kind: str = "count"  # count, sum, ratio, median, computed
    source: Source | None = None
    where: Callable[[Period], Q] | None = None
    sum_field: str = ""
    numerator: str = ""
    denominator: str = ""
    fast: Callable[[Any, Period], Any] | None = None  # a number, or a breakdown dict
    # ratio: numerator + bonus_weight × bonus (满意 + weight × 基本满意)
    bonus: str = ""
    bonus_weight: Callable[[Any, Period], Decimal] | None = None
    # median: the two datetime fields whose difference (in days) is taken
    between: tuple[str, str] = ("", "")
    # computed: rows of a node and period as a list of model instances
    compute: Callable[[Any, Period], list[Any]] | None = None
    capability: str = ""
    group_by: str = ""  # a breakdown: value per key of this field
    group_label: Callable[[Any], str] | None = None
    stock: bool = False  # a state at the end of the period rather than a flow during it
    targeted: bool = False  # officials may set an annual target (denominator) for it
    higher_is_better: bool | None = True
    headline: bool = False  # shown on the big screen and at the top of the overview
    trend: bool = False  # drawn as a monthly line on the overview
    # a flow counted by this date(time) field alone: a monthly series is one grouped query
    month_field: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def needs(self) -> str:
        if self.capability:
            return self.capability
        if self.source is not None:
            return self.source.capability
        if self.numerator in REGISTRY:
            return REGISTRY[self.numerator].needs
        return ""

    @property
    def is_rate(self) -> bool:
        return self.kind == "ratio"

    def condition(self, period: Period) -> Q:
        return self.where(period) if self.where is not None else Q()

    def rows(self, node: Any, period: Period) -> QuerySet[Any]:
        assert self.source is not None, self.code
        return self.source.rows(node).filter(self.condition(period))


REGISTRY: dict[str, Indicator] = {}
SECTIONS: dict[str, Section] = {}


def section(key: str, name: Promise) -> str:
    SECTIONS[key] = Section(key, name)
    return key


def register(*indicators: Indicator) -> None:
    for indicator in indicators:
        if indicator.code in REGISTRY:
            raise ValueError(f"indicator {indicator.code} defined twice")
        if indicator.kind in {"count", "sum", "median"} and indicator.source is None:
            raise ValueError(f"indicator {indicator.code} needs a source")
        if indicator.kind == "ratio" and not (indicator.numerator and indicator.denominator):
            raise ValueError(f"ratio {indicator.code} needs a numerator and a denominator")
        REGISTRY[indicator.code] = indicator


def get(code: str) -> Indicator | None:
    return REGISTRY.get(code)


def in_section(key: str) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.section == key]


def model_of(indicator: Indicator) -> type[Model] | None:
    if indicator.source is not None:
        return indicator.source.queryset().model
    return None
