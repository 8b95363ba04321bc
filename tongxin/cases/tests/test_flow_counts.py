"""The period split of the kept counts: whole months from the month tables, the rest from the days."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tongxin.cases.flow_counts import _spans


def _days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=i) for i in range((until - since).days + 1)]


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 800))
def test_months_and_edges_cover_the_period_exactly_once(since, length):
    until = since + timedelta(days=length)
    months, edges = _spans(since, until)
    covered: list[date] = []
    for m in months:
        assert m.day == 1
        nxt = date(m.year + m.month // 12, m.month % 12 + 1, 1)
        covered += _days(m, nxt - timedelta(days=1))
    for start, end in edges:
        assert start <= end
        covered += _days(start, end)
    assert sorted(covered) == _days(since, until)
    assert len(edges) <= 2


def test_a_calendar_year_is_twelve_months_and_no_days():
    months, edges = _spans(date(2026, 1, 1), date(2026, 12, 31))
    assert len(months) == 12 and edges == []
    months, edges = _spans(date(2026, 1, 1), date(2026, 12, 6))
    assert len(months) == 11 and edges == [(date(2026, 12, 1), date(2026, 12, 6))]
