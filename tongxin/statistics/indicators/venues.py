"""Venues (阵地): venues open and their hours, rooms booked (by status), services done there and the
people they served, and the duty rota. Each figure's rows are the venues, bookings, service records
or duty slots behind it; nothing is counted from check-ins.

Seed 003's "120 阵地" is venues.open; seed 002's 322 共享家园 is venues.open broken down by kind."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.statistics.indicators._helpers import NOW, both, during, labels, on_days
from tongxin.statistics.registry import Indicator, Source, register, section
from tongxin.venues.models import Booking, BookingStatus, DutySlot, ServiceRecord, Venue, VenueKind

S = section("venues", _("Venues"))
VIEW = Capability.VENUES_VIEW

venues = Source("venues", lambda: Venue.objects.filter(active=True), "region__path", VIEW)
bookings = Source(
    "venue_bookings", lambda: Booking.objects.select_related("room", "venue"), "region_path", VIEW
)
services = Source(
    "venue_services", lambda: ServiceRecord.objects.select_related("venue"), "region_path", VIEW
)
duty = Source(
    "venue_duty",
    lambda: DutySlot.objects.filter(venue__active=True).select_related("venue"),
    "venue__region__path",
    VIEW,
)
VENUES = pgettext_lazy("unit of a figure", "venues")
HOURS = pgettext_lazy("unit of a figure", "hours")
BOOKINGS = pgettext_lazy("unit of a figure", "bookings")
PEOPLE = pgettext_lazy("unit of a figure", "people")
RECORDS = pgettext_lazy("unit of a figure", "records")
SLOTS = pgettext_lazy("unit of a figure", "duty slots")

register(
    Indicator(
        code="venues.open",
        section=S,
        name=_("Venues open"),
        unit=VENUES,
        definition=_("Venues open now (党群服务中心, 共享家园, 睦邻中心, 红色驿站, 长者食堂…)."),
        source=venues,
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="venues.open_by_kind",
        section=S,
        name=_("Venues open by kind"),
        unit=VENUES,
        definition=_("Venues open now, by kind."),
        source=venues,
        group_by="kind",
        group_label=labels(VenueKind),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="venues.open_to_residents",
        section=S,
        name=_("Venues open to residents"),
        unit=VENUES,
        definition=_("Venues open now and shown to residents, who may book their rooms."),
        source=venues,
        where=lambda p: Q(public=True),
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="venues.hours_per_week",
        section=S,
        kind="sum",
        name=_("Hours open per week"),
        unit=HOURS,
        definition=_("The weekly opening hours of the venues open now, added up."),
        source=venues,
        sum_field="hours_per_week",
        stock=True,
        tags=NOW,
    ),
    Indicator(
        code="venues.bookings",
        section=S,
        name=_("Room bookings"),
        unit=BOOKINGS,
        definition=_("Bookings of rooms whose time begins in the period, whatever became of them."),
        source=bookings,
        where=during("starts_at"),
        month_field="starts_at",
        trend=True,
    ),
    Indicator(
        code="venues.bookings_by_status",
        section=S,
        name=_("Room bookings by status"),
        unit=BOOKINGS,
        definition=_("Bookings whose time begins in the period, by status (used, did not come, cancelled…)."),
        source=bookings,
        where=during("starts_at"),
        group_by="status",
        group_label=labels(BookingStatus),
    ),
    Indicator(
        code="venues.bookings_used",
        section=S,
        name=_("Room bookings used"),
        unit=BOOKINGS,
        definition=_("Bookings whose time began in the period and which the keeper recorded as used."),
        source=bookings,
        where=both(during("starts_at"), Q(status=BookingStatus.USED)),
        month_field="starts_at",
    ),
    Indicator(
        code="venues.no_shows",
        section=S,
        name=_("Bookings not used (no-show)"),
        unit=BOOKINGS,
        definition=_("Approved bookings whose time began in the period and nobody came."),
        source=bookings,
        where=both(during("starts_at"), Q(status=BookingStatus.NO_SHOW)),
        higher_is_better=False,
    ),
    Indicator(
        code="venues.service_records",
        section=S,
        name=_("Services recorded at venues"),
        unit=RECORDS,
        definition=_("Records of services done at venues (便民代办, advice, clinics, meals…) in the period."),
        source=services,
        where=on_days("on"),
        month_field="on",
    ),
    Indicator(
        code="venues.people_served",
        section=S,
        kind="sum",
        name=_("People served at venues"),
        unit=PEOPLE,
        definition=_(
            "People served in the services recorded at venues in the period, as counted on the day."
        ),
        source=services,
        where=on_days("on"),
        sum_field="people_served",
        month_field="on",
        trend=True,
    ),
    Indicator(
        code="venues.duty_slots",
        section=S,
        name=_("Duty slots on the rota (坐班值班)"),
        unit=SLOTS,
        definition=_("Weekly duty slots, and duty days in the period, on the rota of venues open now."),
        source=duty,
        where=lambda p: Q(weekday__isnull=False) | Q(on_date__gte=p.since, on_date__lte=p.until),
        stock=True,
    ),
)
