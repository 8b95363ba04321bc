"""Small builders for indicator declarations: conditions (a datetime or date field inside the
period, or in force at its end), breakdown labels, and rates."""

from collections.abc import Callable
from typing import Any

from django.db.models import Choices, Q
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from tongxin.statistics.periods import Period
from tongxin.statistics.registry import Indicator

NOW = frozenset({"now"})  # no history kept: the figure is the state today, with no change shown
PERCENT = pgettext_lazy("unit of a figure", "%")


def labels(choices: type[Choices]) -> Callable[[Any], str]:
    """A breakdown's label for each stored value of `choices` (an unknown value stands as itself)."""
    return lambda value: str(choices(value).label) if value in choices.values else str(value)


def ratio(*, code: str, section: str, name: Promise, definition: Promise, **fields: Any) -> Indicator:
    """A rate in per cent: `numerator` ÷ `denominator`, both the codes of other indicators."""
    return Indicator(
        code=code, section=section, kind="ratio", name=name, unit=PERCENT, definition=definition, **fields
    )


def during(field: str) -> Callable[[Period], Q]:
    """A datetime field inside the period (local dates)."""
    return lambda p: Q(**{f"{field}__gte": p.start, f"{field}__lt": p.end})


def on_days(field: str) -> Callable[[Period], Q]:
    """A date field inside the period."""
    return lambda p: Q(**{f"{field}__gte": p.since, f"{field}__lte": p.until})


def in_force(starts: str, ends: str) -> Callable[[Period], Q]:
    """A term [starts, ends] (ends open when null) that covers the period's last day."""
    return lambda p: (
        Q(**{f"{starts}__lte": p.until}) & (Q(**{f"{ends}__isnull": True}) | Q(**{f"{ends}__gte": p.until}))
    )


def overlapping(starts: str, ends: str) -> Callable[[Period], Q]:
    """A term [starts, ends] (ends open when null) that overlaps the period."""
    return lambda p: (
        Q(**{f"{starts}__lte": p.until}) & (Q(**{f"{ends}__isnull": True}) | Q(**{f"{ends}__gte": p.since}))
    )


def both(*conditions: Callable[[Period], Q] | Q) -> Callable[[Period], Q]:
    def combined(p: Period) -> Q:
        q = Q()
        for c in conditions:
            q &= c if isinstance(c, Q) else c(p)
        return q

    return combined
