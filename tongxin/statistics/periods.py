"""Periods a figure is counted over: a month, a quarter, a year or a custom range of local dates."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.periods import day_start

GRAINS = ("month", "quarter", "year", "custom")
MIN_YEAR, MAX_YEAR = 2000, 2100


class PeriodError(ValueError):
    """A period that cannot be read; the message says why."""


@dataclass(frozen=True)
class Period:
    """[since, until], both local dates and both included."""

    since: date
    until: date
    grain: str = "custom"

    def __post_init__(self) -> None:
        if self.since > self.until:
            raise PeriodError(_("The start of the period is after its end."))

    @property
    def start(self) -> datetime:
        return day_start(self.since)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return day_start(self.until + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> "Period":
        """The period before: the previous month, quarter or year, or as many days just before."""
        if self.grain == "year":
            return year(self.since.year - 1)
        if self.grain == "quarter":
            q = (self.since.month - 1) // 3
            return quarter(self.since.year - (q == 0), (q - 1) % 4 + 1)
        if self.grain == "month":
            first = self.since.replace(day=1) - timedelta(days=1)
            return month(first.year, first.month)
        return Period(self.since - timedelta(days=self.days), self.since - timedelta(days=1))

    def months(self) -> list["Period"]:
        """The months the period touches, each cut to the period."""
        found = []
        y, m = self.since.year, self.since.month
        while date(y, m, 1) <= self.until:
            p = month(y, m)
            found.append(Period(max(p.since, self.since), min(p.until, self.until), "month"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return found

    def to_date(self, today: date) -> "Period":
        """The part of the period up to `today` (a year still running ends today)."""
        if self.since <= today < self.until:
            return Period(self.since, today, self.grain)
        return self

    def label(self) -> str:
        if self.grain == "year":
            return _("Year %(year)d") % {"year": self.since.year}
        if self.grain == "quarter":
            return _("Q%(q)d %(year)d") % {"q": (self.since.month - 1) // 3 + 1, "year": self.since.year}
        if self.grain == "month":
            return _("Month %(month)d of %(year)d") % {"year": self.since.year, "month": self.since.month}
        return _("%(since)s to %(until)s") % {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
        }

    def query(self) -> dict[str, str]:
        """URL parameters that give this period back through `from_params`."""
        if self.grain == "year":
            return {"period": "year", "year": str(self.since.year)}
        if self.grain == "quarter":
            return {
                "period": "quarter",
                "year": str(self.since.year),
                "q": str((self.since.month - 1) // 3 + 1),
            }
        if self.grain == "month":
            return {"period": "month", "year": str(self.since.year), "month": str(self.since.month)}
        return {"period": "custom", "since": self.since.isoformat(), "until": self.until.isoformat()}


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), "year")


def quarter(y: int, q: int) -> Period:
    first = date(y, 3 * (q - 1) + 1, 1)
    last = (date(y + (q == 4), (3 * q) % 12 + 1, 1)) - timedelta(days=1)
    return Period(first, last, "quarter")


def month(y: int, m: int) -> Period:
    first = date(y, m, 1)
    last = date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
    return Period(first, last, "month")


def _int(params: Any, name: str, low: int, high: int, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise PeriodError(_("%(name)s must be a whole number.") % {"name": name})
    if not low <= value <= high:
        raise PeriodError(
            _("%(name)s must lie between %(low)d and %(high)d.") % {"name": name, "low": low, "high": high}
        )
    return value


def _date(params: Any, name: str) -> date | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw))
        except ValueError:
            raise PeriodError(_("%(name)s must be a date like 2026-01-31.") % {"name": name})
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PeriodError(
            _("%(name)s must lie between the years %(low)d and %(high)d.")
            % {"name": name, "low": MIN_YEAR, "high": MAX_YEAR}
        )
    return value


def from_params(params: Any, *, today: date | None = None) -> Period:
    """Read a period from query parameters: period=year|quarter|month|custom with year, q, month,
    or since/until. Without parameters: this year so far."""
    today = today or timezone.localdate()
    grain = params.get("period") or ("custom" if params.get("since") or params.get("until") else "year")
    if grain not in GRAINS:
        raise PeriodError(_("Choose a month, a quarter, a year or a custom range."))
    y = _int(params, "year", MIN_YEAR, MAX_YEAR, today.year)
    if grain == "year":
        return year(y)
    if grain == "quarter":
        return quarter(y, _int(params, "q", 1, 4, (today.month - 1) // 3 + 1))
    if grain == "month":
        return month(y, _int(params, "month", 1, 12, today.month))
    since = _date(params, "since") or date(today.year, 1, 1)
    until = _date(params, "until") or today
    return Period(since, until, "custom")
