"""Every indicator equals the rows it lists, at every level and for several periods; nobody reaches
a node outside their scope. Data comes from the demo district written through the services."""

import statistics as pystats
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tongxin.regions.models import Level, Region
from tongxin.statistics import selectors
from tongxin.statistics.periods import Period, month, quarter, year
from tongxin.statistics.registry import REGISTRY

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("statistics-district")]


def _nodes():
    city = Region.objects.get(level=Level.CITY)
    street = Region.objects.filter(level=Level.STREET).order_by("code").first()
    community = (
        Region.objects.filter(level=Level.COMMUNITY, path__startswith=street.path).order_by("code").first()
    )
    grid = Region.objects.filter(level=Level.GRID, path__startswith=community.path).order_by("code").first()
    return [city, street, community, grid]


def _periods() -> list[Period]:
    today = timezone.localdate()
    return [
        year(today.year),
        year(today.year - 1),
        quarter(today.year, (today.month - 1) // 3 + 1),
        month(today.year, today.month),
        Period(today - timedelta(days=45), today),
    ]


def _count(rows) -> int:
    return len(rows) if isinstance(rows, list) else rows.count()


def _expected(indicator, node, period):
    """The value an indicator must have, computed from its own row list alone."""
    if indicator.kind == "ratio":
        num = _count(selectors.rows_of(indicator, node, period, part="numerator"))
        den = _count(selectors.rows_of(indicator, node, period, part="denominator"))
        if not den:
            return None
        part = Decimal(num)
        if indicator.bonus:
            bonus = _count(selectors.rows_of(REGISTRY[indicator.bonus], node, period))
            part += indicator.bonus_weight(node, period) * bonus
        return (part / den).quantize(Decimal("0.0001"))
    rows = selectors.rows_of(indicator, node, period)
    if indicator.kind == "sum":
        total = Decimal(0)
        for row in rows:
            value = row
            for name in indicator.sum_field.split("__"):
                value = getattr(value, name)
            total += value
        return total.quantize(Decimal("0.01"))
    if indicator.kind == "median":
        start, end = indicator.between
        tenths = sorted(int((getattr(r, end) - getattr(r, start)).total_seconds() / 8640 + 0.5) for r in rows)
        return (Decimal(str(pystats.median(tenths))) / 10).quantize(Decimal("0.1")) if tenths else None
    if indicator.group_by:
        found = {}
        for key, n in selectors.group_counts(indicator, node, period).items():
            listed = _count(selectors.rows_of(indicator, node, period, group="" if key is None else str(key)))
            assert listed == n, (indicator.code, key)
            found[key] = n
        assert sum(found.values()) == _count(rows), indicator.code
        return found
    return _count(rows)


def test_every_indicator_equals_its_rows(district):
    nonzero = set()
    for node in _nodes():
        for period in _periods():
            values = selectors.compute(node, period, list(REGISTRY.values()))
            for code, indicator in REGISTRY.items():
                expected = _expected(indicator, node, period)
                assert values[code] == expected, (code, node.name, period)
                if selectors.total(values[code]):
                    nonzero.add(code)
    # the district is a live place: nearly every figure counts something somewhere
    assert len(nonzero) >= len(REGISTRY) * 0.7, sorted(set(REGISTRY) - nonzero)


def test_children_add_up_for_flows(district):
    """A row belongs to one child: flow counts of the children never exceed the node's."""
    _city, street, _community, _grid = _nodes()
    period = year(timezone.localdate().year)
    codes = [c for c, i in REGISTRY.items() if i.kind == "count" and not i.group_by]
    own = selectors.compute(street, period, [REGISTRY[c] for c in codes])

    class Everyone:
        is_authenticated = True
        pk = None
        _tongxin_roles = [("county_org", "/"), ("street_official", "/")]

    children = selectors.children_values(Everyone(), street, period, codes)
    assert children
    for code in codes:
        assert sum(v.get(code) or 0 for _c, v in children) <= own[code], code


def test_monthly_series_equal_the_months_counted_one_by_one(district):
    """The grouped monthly query gives what computing each month alone gives."""
    _city, street, _community, _grid = _nodes()
    period = year(timezone.localdate().year)

    class Everyone:
        is_authenticated = True
        pk = None
        _tongxin_roles = [("county_org", "/"), ("street_official", "/")]

    codes = [c for c, i in REGISTRY.items() if i.trend]
    _labels, series = selectors.monthly(Everyone(), street, period, codes)
    assert any(i.month_field for i in REGISTRY.values() if i.trend)
    for index, m in enumerate(period.months()):
        values = selectors.compute(street, m, [REGISTRY[c] for c in codes])
        for code in codes:
            assert series[code][index] == selectors.total(values[code]), (code, m)


def test_kept_flow_counts_equal_a_rebuild(district):
    """The counts kept by intake and every transition of the demo year equal a rebuild from the cases."""
    from tongxin.cases import flow_counts

    kept = flow_counts.snapshot()
    assert kept[0] and kept[1]
    flow_counts.rebuild()
    assert flow_counts.snapshot() == kept
