"""The Excel export of a venue's or a community's bookings for a period: room, time, status, purpose
and people, with the totals row as the usage; the booker's name only for an exporter who may see
people there (people.view over the venue's area, as the other exports with names require), the
phone never."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tongxin.audit.exports import export_view
from tongxin.core.access import login_only
from tongxin.core.pages import int_param
from tongxin.core.periods import PeriodForm, at_days
from tongxin.core.roles import Capability
from tongxin.core.scope import Scope, scope_for
from tongxin.core.xlsx import Column, field
from tongxin.venues import selectors
from tongxin.venues.access import is_staff
from tongxin.venues.models import Booking, BookingStatus

PERIOD_HELP = gettext_lazy("The period is the day a booking starts.")


class BookingExportForm(PeriodForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, kinds=BookingStatus.choices, kind_label=gettext_lazy("Status"), **kwargs)
        self.period_help = PERIOD_HELP
        self.fields["venue"] = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
        self.fields["community"] = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def bookings_for_export(request: HttpRequest) -> tuple[BookingExportForm, QuerySet[Booking]]:
    """The bookings of the venue (?venue=) or community (?community=) the user sees, in the period;
    a venue or community outside the user's area is a 404."""
    user = request.user
    if not is_staff(user):
        raise Http404
    form = BookingExportForm(request.GET or None)
    rows = selectors.bookings_visible(user)
    venue_id, community_id = int_param(request, "venue"), int_param(request, "community")
    if venue_id is not None:
        venue, _keeps = selectors.venue_get(user, venue_id)
        rows = rows.filter(venue=venue)
    elif community_id is not None:
        community = get_object_or_404(selectors.communities_with_venues(user), pk=community_id)
        rows = rows.filter(region_path__startswith=community.path)
    values = form.values()
    rows = at_days(rows, "starts_at", values.get("since"), values.get("until"))
    if values.get("kind"):
        rows = rows.filter(status=values["kind"])
    return form, rows.order_by("starts_at", "venue__name", "room__name", "id")


def _booker(names: Scope) -> Column:
    def value(booking: Booking) -> str:
        if not names.contains(booking.region_path):
            return ""
        if booking.unit_id and booking.unit is not None:
            return booking.unit.name
        if booking.user_id and booking.user is not None:
            display = getattr(booking.user, "display_name", None)
            return display() if callable(display) else str(booking.user)
        return booking.booker_name

    return Column(gettext_lazy("Booked by"), value, width=16)


def booking_columns(names: Scope) -> list[Column]:
    columns = [
        field(Booking, "code", width=12),
        Column(gettext_lazy("Venue"), lambda b: b.venue.name, width=24),
        Column(gettext_lazy("Room"), lambda b: b.room.name, width=16),
        Column(gettext_lazy("From"), lambda b: b.starts_at, width=17),
        Column(gettext_lazy("Until"), lambda b: b.ends_at, width=17),
        Column(
            gettext_lazy("Hours"),
            lambda b: round((b.ends_at - b.starts_at).total_seconds() / 3600, 2),
            width=8,
            total=True,
            number_format="0.0",
        ),
        field(Booking, "status", width=12),
        field(Booking, "purpose", width=28),
        Column(gettext_lazy("People"), lambda b: b.attendees, width=9, total=True),
        Column(gettext_lazy("Booked as"), lambda b: b.get_booker_kind_display(), width=14),
    ]
    if not names.is_empty:
        columns.append(_booker(names))
    return columns


@login_only
@require_GET
def booking_export(request: HttpRequest) -> HttpResponse:
    names = scope_for(request.user, Capability.PEOPLE_VIEW)
    view = export_view(
        bookings_for_export,
        booking_columns(names),
        name="venue-bookings",
        title=gettext_lazy("Venue bookings"),
        back="venues:calendar",
    )
    return view(request)
