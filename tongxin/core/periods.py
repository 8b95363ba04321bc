"""Period filters shared by list pages, their Excel exports and the API.

`since` and `until` are local dates and both are inclusive: a period of one day is since = until.
Each list says which of its dates the period applies to (its form's `period_help`).
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Schema
from pydantic import Field

from tongxin.core.forms import DateInput

M = TypeVar("M", bound=Model)


def day_start(day: date) -> datetime:
    """Midnight at the start of a local day, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def on_days(qs: QuerySet[M], field: str, since: date | None, until: date | None) -> QuerySet[M]:
    """Rows whose date `field` lies in [since, until]."""
    if since is not None:
        qs = qs.filter(**{f"{field}__gte": since})
    if until is not None:
        qs = qs.filter(**{f"{field}__lte": until})
    return qs


def at_days(qs: QuerySet[M], field: str, since: date | None, until: date | None) -> QuerySet[M]:
    """Rows whose datetime `field` falls on a local day in [since, until] (an index range, no casts)."""
    if since is not None:
        qs = qs.filter(**{f"{field}__gte": day_start(since)})
    if until is not None:
        qs = qs.filter(**{f"{field}__lt": day_start(until + timedelta(days=1))})
    return qs


def overlapping(qs: QuerySet[M], start: str, end: str, since: date | None, until: date | None) -> QuerySet[M]:
    """Rows whose span [start, end] (dates; an empty end is open) shares a day with [since, until]."""
    if until is not None:
        qs = qs.filter(**{f"{start}__lte": until})
    if since is not None:
        qs = qs.filter(Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": since}))
    return qs


def period_check(since: date | None, until: date | None) -> None:
    """The API's answer to a period that ends before it starts: 400 with the field named."""
    if since is not None and until is not None and since > until:
        raise ValidationError({"since": [_("The start date is after the end date.")]})


class PeriodForm(forms.Form):
    """GET filters of a list: the period, a kind where the list has kinds, plus the list's own fields.

    An invalid form filters nothing and shows its errors; exports refuse it (see core.xlsx)."""

    since = forms.DateField(label=_lazy("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_lazy("To"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        kinds: Sequence[tuple[str, Any]] | None = None,
        kind_label: Any = None,
        period_help: Any = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.period_help = period_help
        if kinds is not None:
            self.fields["kind"] = forms.ChoiceField(
                label=kind_label or _("Kind"), required=False, choices=[("", _("All kinds")), *kinds]
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned filters, or none at all when the form is not valid."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


Form = TypeVar("Form", bound=PeriodForm)


def selection(
    form: Callable[..., Form], selector: Callable[..., QuerySet[M]]
) -> Callable[[HttpRequest], tuple[Form, QuerySet[M]]]:
    """A list's `selection(request) -> (form, rows)`, which its page, count and export all read:
    the GET filter form, and the selector given the user and the form's values."""

    def select(request: HttpRequest) -> tuple[Form, QuerySet[M]]:
        bound = form(request.GET or None)
        return bound, selector(request.user, **bound.values())

    return select


class PeriodFilters(Schema):
    """`?since=&until=` on a list endpoint: local dates, both inclusive; which date each list
    filters on is in the endpoint's description. A date that is not a date answers 422."""

    since: date | None = Field(None, description="on or after this local date (inclusive)")
    until: date | None = Field(None, description="on or before this local date (inclusive)")


def list_tools(request: Any, form: PeriodForm, count: int, export_url: str) -> dict[str, Any]:
    """Context for core/_list_filter.html: the form, the count of the whole filtered list, and the
    export link carrying the same query string (less the page number)."""
    query = request.GET.copy()
    query.pop("page", None)
    return {"filter_form": form, "count": count, "export_url": export_url, "export_query": query.urlencode()}
