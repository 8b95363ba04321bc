from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tongxin.lib.workclock import Calendar, add_working_hours, working_hours_between

TZ = ZoneInfo("Asia/Shanghai")
CAL = Calendar(
    holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}), extra_workdays=frozenset({date(2026, 9, 27)})
)


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_within_one_morning():
    assert add_working_hours(at(2026, 11, 23, 9), 2, CAL) == at(2026, 11, 23, 11)


def test_lunch_break_is_skipped():
    assert add_working_hours(at(2026, 11, 23, 11), 2, CAL) == at(2026, 11, 23, 15)


def test_evening_report_starts_next_morning():
    assert add_working_hours(at(2026, 11, 23, 20), 1, CAL) == at(2026, 11, 24, 9, 30)


def test_friday_afternoon_rolls_over_the_weekend():
    # Friday 2026-11-27 17:00, 1 hour: 30 min on Friday, 30 min on Monday
    assert add_working_hours(at(2026, 11, 27, 17), 1, CAL) == at(2026, 11, 30, 9, 0)


def test_holidays_and_make_up_days():
    # 2026-09-30 (Wed) 17:00 + 1h: 10-01 and 10-02 are holidays, 10-03/04 weekend -> Mon 10-05
    assert add_working_hours(at(2026, 9, 30, 17), 1, CAL) == at(2026, 10, 5, 9, 0)
    # Sunday 2026-09-27 is a make-up working day
    assert add_working_hours(at(2026, 9, 27, 8), 1, CAL) == at(2026, 9, 27, 9, 30)


def test_hours_between():
    assert working_hours_between(at(2026, 11, 23, 9), at(2026, 11, 23, 15), CAL) == 4.0
    assert working_hours_between(at(2026, 11, 27, 17), at(2026, 11, 30, 9), CAL) == 1.0
    assert working_hours_between(at(2026, 11, 28, 9), at(2026, 11, 28, 17), CAL) == 0.0


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    st.floats(min_value=0.01, max_value=200, allow_nan=False),
)
def test_adding_then_measuring_gives_the_hours_back(start, hours):
    start = start.replace(tzinfo=TZ)
    end = add_working_hours(start, hours, CAL)
    assert abs(working_hours_between(start, end, CAL) - hours) < 1e-6
    assert end >= start
    assert CAL.is_working_day(end.date())
    assert any(a <= end.time() <= b for a, b in CAL.periods) or end.time() == time(0)


def test_zero_hours_is_start():
    start = at(2026, 11, 28, 3)
    assert add_working_hours(start, 0, CAL) == start
    assert add_working_hours(start, 0.5, CAL) - start > timedelta(0)
