"""The rules for reporting, minimum services, points and stars, as plain values.

A region's rules are the newest version valid on the day, adopted by the region or its nearest
ancestor; without any, Tongxin's default below applies.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

DEFAULT_VERSION = "tongxin-2026.1"
DEFAULT_SOURCE = (
    "Tongxin default: 在职党员每半年复报到、每年至少2次志愿服务 (赤峰/松原 practice, seed 002); "
    "十星级 thresholds as a starting point"
)
DEFAULT_STARS = (4, 8, 12, 16, 20, 26, 32, 40, 50, 60)


@dataclass(frozen=True)
class MemberRules:
    version: str = DEFAULT_VERSION
    source: str = DEFAULT_SOURCE
    valid_from: date = date(2000, 1, 1)
    min_services_per_year: int = 2
    rereport_months: int = 6
    rereport_warn_days: int = 14
    unit_rereport_months: int = 12
    case_hours: Decimal = Decimal("2")
    project_hours: Decimal = Decimal("4")
    points: dict[str, Decimal] = field(
        default_factory=lambda: {"activity": Decimal(2), "case": Decimal(3), "project": Decimal(5)}
    )
    points_per_hour: Decimal = Decimal("0.5")
    star_thresholds: tuple[int, ...] = DEFAULT_STARS
    rankings_enabled: bool = False
    pk: int | None = None

    def points_for(self, source: str, hours: Decimal) -> Decimal:
        return self.points.get(source, Decimal(0)) + self.points_per_hour * Decimal(hours)

    def stars_for(self, points: Decimal) -> int:
        """十星级: the number of thresholds reached (0 to 10)."""
        return sum(1 for threshold in self.star_thresholds if points >= threshold)


DEFAULT_RULES = MemberRules()


def from_row(row: Any) -> MemberRules:
    thresholds = tuple(int(t) for t in (row.star_thresholds or DEFAULT_STARS))
    return MemberRules(
        version=row.version,
        source=row.source,
        valid_from=row.valid_from,
        min_services_per_year=row.min_services_per_year,
        rereport_months=row.rereport_months,
        rereport_warn_days=row.rereport_warn_days,
        unit_rereport_months=row.unit_rereport_months,
        case_hours=Decimal(row.case_hours),
        project_hours=Decimal(row.project_hours),
        points={
            "activity": Decimal(row.points_activity),
            "case": Decimal(row.points_case),
            "project": Decimal(row.points_project),
        },
        points_per_hour=Decimal(row.points_per_hour),
        star_thresholds=thresholds,
        rankings_enabled=row.rankings_enabled,
        pk=row.pk,
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it has fewer days (31 Aug + 6 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_range(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    last_month = 3 * quarter
    return first, date(year, last_month, calendar.monthrange(year, last_month)[1])


def parse_period(text: str, *, today: date) -> tuple[str, date, date]:
    """'2025', '2025Q3' (or '2025-Q3'): the period's label, first and last day.

    Empty means this quarter; anything else raises ValueError.
    """
    value = (text or "").strip().upper().replace("-", "")
    if value:
        if len(value) == 4 and value.isdigit() and int(value) >= 1900:
            year = int(value)
            return value, date(year, 1, 1), date(year, 12, 31)
        if (
            len(value) == 6
            and value[:4].isdigit()
            and int(value[:4]) >= 1900
            and value[4:] in {"Q1", "Q2", "Q3", "Q4"}
        ):
            year, quarter = int(value[:4]), int(value[5])
            first, last = quarter_range(year, quarter)
            return f"{year}Q{quarter}", first, last
        raise ValueError(text)
    quarter = quarter_of(today)
    first, last = quarter_range(today.year, quarter)
    return f"{today.year}Q{quarter}", first, last
