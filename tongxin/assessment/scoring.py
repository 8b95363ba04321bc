"""The arithmetic of an assessment, free of the database: an item's score from its figure, a
subject's total, grades by cut-offs or by shares, and the 末位."""

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def item_score(item: Any, value: Decimal | None) -> Decimal | None:
    """The score of an objective item for a figure; None when there is no figure."""
    if value is None:
        return None
    top = Decimal(item.max_score)
    if item.rule == "bands":
        share = Decimal(0)
        for threshold, percent in sorted(item.bands or [], key=lambda b: Decimal(str(b[0]))):
            if value >= Decimal(str(threshold)):
                share = Decimal(str(percent))
        return q(top * share / HUNDRED)
    low, high = Decimal(item.low or 0), Decimal(item.high or 0)
    if low == high:
        return q(top) if value >= high else Decimal("0.00")
    fraction = (value - low) / (high - low)
    return q(top * min(Decimal(1), max(Decimal(0), fraction)))


def total(parts: Sequence[tuple[Decimal, Decimal, Decimal | None]]) -> Decimal | None:
    """A subject's total out of 100 from (weight, maximum, score) of its items. An item without a
    score (no figure) is left out and the others weigh in proportion; none scored: no total."""
    scored = [(w, m, s) for w, m, s in parts if s is not None and m]
    weights = sum((w for w, _m, _s in scored), Decimal(0))
    if not weights:
        return None
    earned = sum((w * s / m for w, m, s in scored if s is not None), Decimal(0))
    return q(earned * HUNDRED / weights)


def grade_by_cutoffs(score: Decimal, scheme: Any) -> str:
    """优秀 from `excellent_min` points (inclusive), 良好 from `good_min`, 一般 from `fair_min`."""
    if score >= scheme.excellent_min:
        return "excellent"
    if score >= scheme.good_min:
        return "good"
    if score >= scheme.fair_min:
        return "fair"
    return "poor"


def grades_by_shares(totals: Sequence[Decimal], scheme: Any) -> list[str]:
    """Grades in the order of `totals`: the best `excellent_share` per cent (rounded half up) 优秀,
    the next `good_share` per cent 良好, the rest 一般 — or 较差 below `fair_min`. Equal totals get
    the same grade (the better one)."""
    n = len(totals)
    n_excellent = math.floor(n * scheme.excellent_share / 100 + 0.5)
    n_good = math.floor(n * scheme.good_share / 100 + 0.5)
    order = sorted(range(n), key=lambda i: -totals[i])
    grades = [""] * n
    previous: tuple[Decimal, str] | None = None
    for position, i in enumerate(order):
        if previous is not None and previous[0] == totals[i]:
            grades[i] = previous[1]
        elif position < n_excellent:
            grades[i] = "excellent"
        elif position < n_excellent + n_good:
            grades[i] = "good"
        else:
            grades[i] = "fair" if totals[i] >= scheme.fair_min else "poor"
        previous = (totals[i], grades[i])
    return grades


def ranks(totals: Sequence[Decimal]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) in the order of `totals`."""
    ordered = sorted(totals, reverse=True)
    return [ordered.index(t) + 1 for t in totals]


def bottom(totals: Sequence[Decimal], *, count: int, below: Decimal | None) -> list[bool]:
    """The 末位: the lowest `count` (all who tie with the last of them) and any total below `below`."""
    flags = [below is not None and t < below for t in totals]
    if count and totals:
        ordered = sorted(totals)
        limit = ordered[min(count, len(ordered)) - 1]
        flags = [f or t <= limit for f, t in zip(flags, totals, strict=True)]
    return flags


def contest_result(scores: Sequence[Decimal], *, drop_extremes: bool) -> Decimal | None:
    """The mean of the judges' scores, without the highest and the lowest when configured (and
    there are at least three)."""
    values = sorted(scores)
    if drop_extremes and len(values) >= 3:
        values = values[1:-1]
    if not values:
        return None
    return q(sum(values, Decimal(0)) / len(values))
