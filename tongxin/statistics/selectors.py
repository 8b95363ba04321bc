"""Reading figures: values of indicators for a node and a period, per child, per month, and the rows
behind each. Everything here reads the registry; nothing counts on its own."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from tongxin.cases.flow_counts import tenths_of_day
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.regions.models import Level, Region
from tongxin.statistics import kept
from tongxin.statistics.indicators.cases import median_of_counts
from tongxin.statistics.models import Target
from tongxin.statistics.periods import Period
from tongxin.statistics.registry import REGISTRY, SECTIONS, Indicator, NotKept, Number, memo_scope

VIEW = Capability.STATISTICS_VIEW
PLACES = Decimal("0.0001")


# ---- which nodes and indicators a user reaches ---------------------------------------------------


def node_get(user: Any, pk: Any) -> Region:
    """A region node inside the user's statistics scope, or 404."""
    scope = scope_for(user, VIEW)
    try:
        node = Region.objects.get(pk=int(pk))
    except (Region.DoesNotExist, TypeError, ValueError):
        raise Http404
    if not scope.contains(node.path):
        raise Http404
    return node


def node_roots(user: Any) -> list[Region]:
    scope = scope_for(user, VIEW)
    return list(Region.objects.filter(path__in=scope.roots).order_by("path"))


def visible(user: Any, node: Region, codes: Iterable[str] | None = None) -> list[Indicator]:
    """The indicators the user may read at the node: the capability of each reaches the node."""
    chosen = [REGISTRY[c] for c in codes if c in REGISTRY] if codes is not None else list(REGISTRY.values())
    scopes: dict[str, Any] = {}
    found = []
    for indicator in chosen:
        need = indicator.needs
        if need not in scopes:
            scopes[need] = scope_for(user, need)
        if scopes[need].contains(node.path):
            found.append(indicator)
    return found


def indicator_get(user: Any, code: str, node: Region) -> Indicator:
    found = visible(user, node, [code])
    if not found:
        raise Http404
    return found[0]


# ---- computing -----------------------------------------------------------------------------------


def _with_parts(indicators: list[Indicator]) -> list[Indicator]:
    """The indicators plus the ones their ratios are made of."""
    wanted = {i.code: i for i in indicators}
    for i in indicators:
        if i.kind == "ratio":
            for part in (i.numerator, i.denominator, i.bonus):
                if part and part not in wanted:
                    wanted[part] = REGISTRY[part]
    return list(wanted.values())


def compute(node: Region, period: Period, indicators: list[Indicator]) -> dict[str, Any]:
    """Values of the indicators at the node over the period: one aggregate per source.

    The caller has checked that the node lies in the user's scope; a scope is closed under subtrees,
    so every row counted here is one the user may see."""
    with memo_scope():
        return _compute(node, period, indicators)


def _compute(node: Region, period: Period, indicators: list[Indicator]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    plain: dict[str, list[Indicator]] = defaultdict(list)
    for i in _with_parts(indicators):
        if i.fast is not None:
            try:
                values[i.code] = i.fast(node, period)
                continue
            except NotKept:
                pass
        if i.kind in {"count", "sum"} and not i.group_by:
            assert i.source is not None
            plain[i.source.key].append(i)
        elif i.group_by:
            values[i.code] = group_counts(i, node, period)
        elif i.kind == "median":
            values[i.code] = median_days(i, node, period)
        elif i.kind == "computed":
            assert i.compute is not None
            values[i.code] = len(i.compute(node, period))
    for group in plain.values():
        source = group[0].source
        assert source is not None
        aggregates: dict[str, Any] = {}
        for i in group:
            if i.kind == "sum":
                aggregates[i.code.replace(".", "__")] = Sum(i.sum_field, filter=i.condition(period))
            else:
                aggregates[i.code.replace(".", "__")] = Count("pk", filter=i.condition(period))
        row = source.rows(node).aggregate(**aggregates)
        for i in group:
            raw = row[i.code.replace(".", "__")]
            values[i.code] = (
                (Decimal(raw or 0).quantize(Decimal("0.01"))) if i.kind == "sum" else int(raw or 0)
            )
    for i in indicators:
        if i.kind == "ratio":
            values[i.code] = ratio(i, node, period, values)
    return values


def kept_or_compute(node: Region, period: Period, indicators: list[Indicator]) -> dict[str, Any]:
    """The values from the kept figures when the request reads them (kept.reading) and a fresh row
    holds them, else computed."""
    reading = kept.current()
    if reading is not None:
        found = reading.values(node, period, [i.code for i in _with_parts(indicators)])
        if found is not None:
            return found
    return compute(node, period, indicators)


def ratio(indicator: Indicator, node: Region, period: Period, values: dict[str, Any]) -> Decimal | None:
    whole = values.get(indicator.denominator) or 0
    if not whole:
        return None
    part = Decimal(values.get(indicator.numerator) or 0)
    if indicator.bonus and indicator.bonus_weight is not None:
        part += indicator.bonus_weight(node, period) * Decimal(values.get(indicator.bonus) or 0)
    return (part / Decimal(whole)).quantize(PLACES)


def group_counts(indicator: Indicator, node: Region, period: Period) -> dict[Any, int]:
    rows = indicator.rows(node, period).order_by().values_list(indicator.group_by).annotate(n=Count("pk"))
    return {key: n for key, n in sorted(rows, key=lambda kv: -kv[1])}


def median_days(indicator: Indicator, node: Region, period: Period) -> Decimal | None:
    """The median of the durations, each counted in tenths of a day (as the kept counts are)."""

    start, end = indicator.between
    pairs = indicator.rows(node, period).order_by().values_list(start, end)
    tenths = Counter(
        tenths_of_day((b - a).total_seconds()) for a, b in pairs if a is not None and b is not None
    )
    return median_of_counts(sorted(tenths.items()))


def total(value: Any) -> Number:
    """A breakdown's total; other values as they are."""
    if isinstance(value, dict):
        return sum(value.values())
    return value


# ---- figures as the pages show them -----------------------------------------------------------------


@dataclass
class Figure:
    indicator: Indicator
    value: Any
    previous: Any = None
    target: Decimal | None = None
    groups: list[tuple[Any, str, int]] = field(default_factory=list)

    @property
    def number(self) -> Number:
        return total(self.value)

    @property
    def change(self) -> Number:
        if "now" in self.indicator.tags or self.previous is None:
            return None
        now, before = total(self.value), total(self.previous)
        if now is None or before is None:
            return None
        return now - before

    @property
    def share(self) -> Decimal | None:
        if not self.target or self.number is None:
            return None
        return (Decimal(self.number) / self.target).quantize(PLACES)

    @property
    def trend_class(self) -> str:
        change = self.change
        if not change or self.indicator.higher_is_better is None:
            return "flat"
        good = (change > 0) == self.indicator.higher_is_better
        return "good" if good else "bad"


def target_for(code: str, node: Region, year: int) -> Decimal | None:
    """The node's own target for the year, or else the sum of the targets set in its subtree."""
    own = (
        Target.objects.filter(indicator=code, region=node, year=year).values_list("value", flat=True).first()
    )
    if own is not None:
        return Decimal(own)
    below = Target.objects.filter(
        indicator=code, year=year, region__path__gt=node.path, region__path__lt=node.path + "~"
    ).aggregate(s=Sum("value"))["s"]
    return Decimal(below) if below is not None else None


def figures(
    user: Any, node: Region, period: Period, *, codes: Iterable[str] | None = None, previous: bool = True
) -> list[Figure]:
    indicators = visible(user, node, codes)
    with memo_scope():  # the period and the one before share what does not depend on the period
        now = kept_or_compute(node, period, indicators)
        before = kept_or_compute(node, period.previous(), indicators) if previous else {}
    single_year = period.since.year == period.until.year
    result = []
    for i in indicators:
        figure = Figure(i, now.get(i.code), before.get(i.code))
        if i.targeted and single_year:
            figure.target = target_for(i.code, node, period.since.year)
        if isinstance(figure.value, dict) and i.group_label is not None:
            figure.groups = [(key, i.group_label(key), n) for key, n in figure.value.items()]
        result.append(figure)
    return result


def by_section(found: list[Figure]) -> list[tuple[Any, list[Figure]]]:
    grouped: dict[str, list[Figure]] = defaultdict(list)
    for f in found:
        grouped[f.indicator.section].append(f)
    return [(SECTIONS[key], grouped[key]) for key in SECTIONS if grouped.get(key)]


def children_of(node: Region) -> list[Region]:
    """The children a node's figures break down into (for a community: its first-level grids)."""
    return list(Region.objects.filter(parent=node).exclude(level=Level.BUILDING).order_by("code"))


def children_values(
    user: Any, node: Region, period: Period, codes: Iterable[str]
) -> list[tuple[Region, dict[str, Any]]]:
    """Values for each child of the node (the user reaches every child of a node in scope)."""
    rows = []
    children = children_of(node)
    reading = kept.current()
    if reading is not None:
        reading.load(children, period)  # every child's kept row in one query
    for child in children:
        indicators = visible(user, child, codes)
        values = kept_or_compute(child, period, indicators)
        rows.append((child, {code: total(v) for code, v in values.items()}))
    return rows


def monthly(
    user: Any, node: Region, period: Period, codes: Iterable[str]
) -> tuple[list[str], dict[str, list[Any]]]:
    """A monthly series of each indicator across the period (each month cut to the period).

    A flow counted by one date field is grouped by month in one query; others are computed month by
    month."""
    indicators = visible(user, node, codes)
    months = period.months()
    labels = [f"{m.since.year}-{m.since.month:02d}" for m in months]
    reading = kept.current()
    if reading is not None:
        found = reading.series(node, period, [i.code for i in indicators])
        if found is not None:
            return labels, found
    return labels, monthly_values(node, period, indicators)


def monthly_values(node: Region, period: Period, indicators: list[Indicator]) -> dict[str, list[Any]]:
    """Each indicator's value month by month, computed."""
    months = period.months()
    series: dict[str, list[Any]] = {}
    slow = []
    kept = node.level not in {Level.GRID, Level.BUILDING}
    for i in indicators:
        if i.fast is not None and kept:
            slow.append(i)  # kept counts: each month is a read of a few count rows
        elif i.month_field and i.kind == "count" and not i.group_by:
            by_month = _count_by_month(i, node, period)
            series[i.code] = [by_month.get((m.since.year, m.since.month), 0) for m in months]
        else:
            slow.append(i)
    for i in slow:
        series[i.code] = []
    for m in months if slow else []:
        values = compute(node, m, slow)
        for i in slow:
            v = total(values.get(i.code))
            series[i.code].append(float(v) if isinstance(v, Decimal) else v)
    return {i.code: series[i.code] for i in indicators}


def _count_by_month(indicator: Indicator, node: Region, period: Period) -> dict[tuple[int, int], int]:
    """One aggregate with a filtered count per month (no per-row date function: SQLite would call
    Python for each row)."""
    field_name = indicator.month_field
    model = indicator.source.queryset().model if indicator.source is not None else None
    is_datetime = model is not None and model._meta.get_field(
        field_name.split("__")[0]
    ).get_internal_type() == ("DateTimeField")
    counts = {}
    for i, m in enumerate(period.months()):
        bounds = (
            {f"{field_name}__gte": m.start, f"{field_name}__lt": m.end}
            if is_datetime
            else {
                f"{field_name}__gte": m.since,
                f"{field_name}__lte": m.until,
            }
        )
        counts[f"m{i}"] = Count("pk", filter=Q(**bounds))
    row = indicator.rows(node, period).order_by().aggregate(**counts)
    return {(m.since.year, m.since.month): row[f"m{i}"] or 0 for i, m in enumerate(period.months())}


# ---- the rows behind a figure -------------------------------------------------------------------------


def rows_of(
    indicator: Indicator, node: Region, period: Period, *, group: str | None = None, part: str = ""
) -> Any:
    """The rows an indicator counts (a queryset, or a list for computed ones). For a ratio, the rows of
    its numerator (part='numerator') or denominator (part='denominator')."""
    if indicator.kind == "ratio":
        code = indicator.denominator if part == "denominator" else indicator.numerator
        return rows_of(REGISTRY[code], node, period)
    if indicator.kind == "computed":
        assert indicator.compute is not None
        return indicator.compute(node, period)
    qs: QuerySet[Any] = indicator.rows(node, period)
    if indicator.group_by and group is not None:
        if group in ("", "None"):
            qs = qs.filter(**{f"{indicator.group_by}__isnull": True})
        else:
            qs = qs.filter(**{indicator.group_by: group})
    return qs.order_by("-pk")


def year_to_date(today: date) -> Period:
    return Period(date(today.year, 1, 1), today, "year")
