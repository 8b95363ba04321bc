"""Kept figures (issue 17): every figure of a node and period computed by the worker and stored in
one KeptFigures row, so that the overview of a city, its children's values and the annual report
read a row instead of counting the whole subtree on each request.

A kept row is read only while it is fresh enough: a period that had not ended when the row was
computed (this year, this month) for MAX_AGE_OPEN, a period that had ended for MAX_AGE_CLOSED (a
late transition or correction reaches a closed period by the next sweep). Otherwise the figures are
computed live, as before. A page that read kept figures says when they were computed (数据截至);
the rows behind every figure are always listed live.

Reading is switched on for a request with `reading()`; the selectors look at it (figures,
children_values, monthly), so every caller outside such a block computes live.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from tongxin.core.periods import day_start
from tongxin.regions.models import Level
from tongxin.statistics.models import KeptFigures
from tongxin.statistics.periods import Period, month, quarter, year

# the levels whose figures are kept (a grid counts its own few rows live)
KEEP_LEVELS = (Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY)
MAX_AGE_OPEN = timedelta(minutes=getattr(settings, "TONGXIN_FIGURES_MAX_AGE_MINUTES", 60))
MAX_AGE_CLOSED = timedelta(hours=getattr(settings, "TONGXIN_FIGURES_MAX_AGE_CLOSED_HOURS", 26))


# ---- values as JSON, given back exactly --------------------------------------------------------------


def encode(value: Any) -> Any:
    """A computed value as JSON: int and None as they are, a Decimal as {"d": text}, a breakdown
    (dict, in its order) as {"g": [[key, n], …]} (JSON objects would turn the keys into text)."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, dict):
        return {"g": [[k, n] for k, n in value.items()]}
    raise TypeError(f"a figure of type {type(value).__name__} cannot be kept")


def decode(raw: Any) -> Any:
    if isinstance(raw, dict):
        if "d" in raw:
            return Decimal(raw["d"])
        return {k: n for k, n in raw["g"]}
    return raw


# ---- which rows, and whether one may be read ---------------------------------------------------------


def standard_periods(today: date) -> list[Period]:
    """The periods the worker keeps: the ones the overview offers by default and the ones before them
    (a page shows the change against the previous period)."""
    q = (today.month - 1) // 3 + 1
    this_quarter, this_month = quarter(today.year, q), month(today.year, today.month)
    found = [
        year(today.year),
        year(today.year - 1),
        year(today.year - 2),
        this_quarter,
        this_quarter.previous(),
        this_month,
        this_month.previous(),
    ]
    return list(dict.fromkeys(found))


def max_age(row: KeptFigures) -> timedelta:
    closed = row.computed_at >= day_start(row.until + timedelta(days=1))
    return MAX_AGE_CLOSED if closed else MAX_AGE_OPEN


def fresh(row: KeptFigures, now: datetime) -> bool:
    return row.computed_at >= now - max_age(row)


def due(row: KeptFigures | None, now: datetime) -> bool:
    """The sweep computes a row again once half its age is spent, so a fresh one is always there."""
    return row is None or row.computed_at < now - max_age(row) / 2


# ---- reading, inside one request ---------------------------------------------------------------------


@dataclass
class Reading:
    """The kept rows one request reads, and the oldest of them (the page's 数据截至)."""

    now: datetime
    rows: dict[tuple[int, date, date], KeptFigures | None] = field(default_factory=dict)
    as_of: datetime | None = None

    def load(self, nodes: Iterable[Any], period: Period) -> None:
        """Read the rows of several nodes for a period in one query."""
        wanted = [n.pk for n in nodes if (n.pk, period.since, period.until) not in self.rows]
        if not wanted:
            return
        for pk in wanted:
            self.rows[(pk, period.since, period.until)] = None
        for row in KeptFigures.objects.filter(node_id__in=wanted, since=period.since, until=period.until):
            if fresh(row, self.now):
                self.rows[(row.node_id, row.since, row.until)] = row

    def row(self, node: Any, period: Period) -> KeptFigures | None:
        if node.level not in KEEP_LEVELS:
            return None
        self.load([node], period)
        return self.rows[(node.pk, period.since, period.until)]

    def values(self, node: Any, period: Period, codes: Iterable[str]) -> dict[str, Any] | None:
        """The kept values of the codes, or None when a fresh row does not hold them all."""
        row = self.row(node, period)
        codes = list(codes)
        if row is None or any(c not in row.values for c in codes):
            return None
        self._used(row)
        return {c: decode(row.values[c]) for c in codes}

    def series(self, node: Any, period: Period, codes: Iterable[str]) -> dict[str, list[Any]] | None:
        row = self.row(node, period)
        codes = list(codes)
        if row is None or any(c not in row.series for c in codes):
            return None
        self._used(row)
        return {c: row.series[c] for c in codes}

    def _used(self, row: KeptFigures) -> None:
        if self.as_of is None or row.computed_at < self.as_of:
            self.as_of = row.computed_at


_READING: ContextVar[Reading | None] = ContextVar("kept_figures_reading", default=None)


@contextmanager
def reading(now: datetime | None = None) -> Iterator[Reading]:
    """Inside the block the selectors read fresh kept figures where there are some."""
    found = Reading(now or timezone.now())
    token = _READING.set(found)
    try:
        yield found
    finally:
        _READING.reset(token)


def current() -> Reading | None:
    return _READING.get()
