"""Small builders for indicator conditions: a datetime or date field inside the period, or in force at
its end."""

from collections.abc import Callable

from django.db.models import Q

from tongxin.statistics.periods import Period


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
