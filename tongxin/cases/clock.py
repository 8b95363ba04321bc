"""The working-time calendar from the database (holidays and make-up days are data)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tongxin.cases.models import CalendarDay
from tongxin.lib.workclock import Calendar, add_working_hours, working_hours_between

_held: ContextVar[Calendar | None] = ContextVar("tongxin_calendar", default=None)


@contextmanager
def calendar_held() -> Iterator[Calendar]:
    """Read the calendar once for a batch (demo data, benchmarks) instead of once per deadline."""
    calendar = current_calendar()
    token = _held.set(calendar)
    try:
        yield calendar
    finally:
        _held.reset(token)


def current_calendar() -> Calendar:

    held = _held.get()
    if held is not None:
        return held

    today = timezone.localdate()
    days = CalendarDay.objects.filter(
        day__gte=today - timedelta(days=400), day__lte=today + timedelta(days=800)
    )
    holidays = frozenset(d.day for d in days if d.kind == CalendarDay.Kind.HOLIDAY)
    workdays = frozenset(d.day for d in days if d.kind == CalendarDay.Kind.WORKDAY)
    return Calendar(holidays=holidays, extra_workdays=workdays)


def due_after(start: datetime, hours: Decimal | float, calendar: Calendar | None = None) -> datetime:
    local = timezone.localtime(start)
    return add_working_hours(local, float(hours), calendar or current_calendar())


def hours_between(start: datetime, end: datetime, calendar: Calendar | None = None) -> float:
    return working_hours_between(
        timezone.localtime(start), timezone.localtime(end), calendar or current_calendar()
    )
