"""Working-time arithmetic: deadlines counted in working hours on a calendar with holidays.

Framework-free. A calendar is the daily working periods (e.g. 08:30–12:00 and 14:00–17:30) plus
the dates that break the weekly pattern: holidays (节假日) and make-up working days (调休上班).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class Calendar:
    periods: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() in self.workdays

    def hours_per_day(self) -> float:
        return sum(_seconds(a, b) for a, b in self.periods) / 3600


def _seconds(a: time, b: time) -> float:
    return (datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds()


def _periods_on(cal: Calendar, day: date, tz: object) -> Iterable[tuple[datetime, datetime]]:
    if not cal.is_working_day(day):
        return []
    return [
        (datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz))  # type: ignore[arg-type]
        for a, b in cal.periods
    ]


MAX_DAYS = 3660  # a deadline more than ten years of calendar away is a configuration error


def add_working_hours(start: datetime, hours: float, cal: Calendar) -> datetime:
    """The moment when `hours` working hours have passed after `start` (aware datetimes)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    remaining = timedelta(hours=hours)
    if remaining <= timedelta(0):
        return start
    tz = start.tzinfo
    day = start.date()
    for _ in range(MAX_DAYS):
        for begin, end in _periods_on(cal, day, tz):
            if end <= start:
                continue
            begin = max(begin, start)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise ValueError("no working time in the calendar")


def working_hours_between(start: datetime, end: datetime, cal: Calendar) -> float:
    """Working hours in [start, end); negative if end is before start."""
    if end < start:
        return -working_hours_between(end, start, cal)
    tz = start.tzinfo
    total = timedelta(0)
    day = start.date()
    last = end.astimezone(tz).date()
    while day <= last:
        for begin, finish in _periods_on(cal, day, tz):
            lo, hi = max(begin, start), min(finish, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def working_days_between(first: date, last: date, cal: Calendar) -> int:
    """Working days from `first` to `last`, both included (0 if `last` is before `first`)."""
    count, day = 0, first
    while day <= last:
        if cal.is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int, cal: Calendar) -> date:
    """The date on which `days` working days counted from `start` (included) are complete."""
    if days <= 0:
        return start
    day, counted = start, 0
    for _ in range(MAX_DAYS):
        if cal.is_working_day(day):
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)
    raise ValueError("no working days in the calendar")
