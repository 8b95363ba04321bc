"""The log list and its export: one selection (filter form + selector) read by the page, its count
and the Excel file, and a campaign's coverage export."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.exports import export_view
from tongxin.core.periods import PeriodForm, selection
from tongxin.core.xlsx import Column
from tongxin.gridwork.models import KindCode, LogEntry
from tongxin.gridwork.selectors import entries_visible

# without dates the log shows its last month (a street's year is hundreds of thousands of rows)
DEFAULT_DAYS = 30


class LogFilter(PeriodForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            *args,
            kinds=KindCode.choices,
            kind_label=_("Kind of work"),
            period_help=_("Without dates: the last 30 days."),
            **kwargs,
        )


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def log_entries(
    user: Any, *, since: date | None = None, until: date | None = None, kind: str = ""
) -> QuerySet[LogEntry]:
    rows = entries_visible(user)
    if since is None and until is None:
        since = timezone.localdate() - timedelta(days=DEFAULT_DAYS)
    if since:
        rows = rows.filter(at__gte=_start(since))
    if until:
        rows = rows.filter(at__lt=_start(until) + timedelta(days=1))
    if kind:
        rows = rows.filter(code=kind)
    return rows.select_related("kind", "grid", "household", "case").order_by("-at", "-id")


log_selection = selection(LogFilter, log_entries)

LOG_COLUMNS = [
    Column(_("When"), lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), width=18),
    Column(_("Kind of work"), lambda e: e.kind.name),
    Column(_("Grid"), lambda e: e.grid.name, width=20),
    Column(_("Household"), lambda e: e.household.short_address if e.household_id else "", width=24),
    Column(_("Recorded by"), lambda e: e.author_label),
    Column(_("Outcome"), lambda e: e.get_outcome_display()),
    Column(_("Found a problem"), lambda e: _("yes") if e.found_something else ""),
    Column(_("Case"), lambda e: e.case.tracking_code if e.case_id else ""),
    Column(_("Note"), lambda e: e.note, width=40),
]

log_export = export_view(
    log_selection, LOG_COLUMNS, name="grid-log", title=_("Grid work log"), back="gridwork:log"
)
