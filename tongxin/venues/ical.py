"""The iCalendar feed (RFC 5545) of a venue's busy slots: each booking that holds a room is one
VEVENT with its room and times; no booker, no purpose, no phone."""

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from tongxin.venues.models import HOLDING, Booking, BookingStatus, Venue

WINDOW_BEFORE = timedelta(days=30)
WINDOW_AFTER = timedelta(days=90)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded (RFC 5545 3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *[" " + part for part in out[1:]]]


def venue_calendar(venue: Venue, *, now: datetime) -> str:
    bookings = (
        Booking.objects.filter(
            venue=venue,
            status__in=(*HOLDING, BookingStatus.USED),
            ends_at__gt=now - WINDOW_BEFORE,
            starts_at__lt=now + WINDOW_AFTER,
        )
        .select_related("room")
        .order_by("starts_at")
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tongxin//Venues//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(venue.name)}",
    ]
    busy = _("Booked")
    for booking in bookings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:booking-{booking.pk}@tongxin",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(booking.starts_at)}",
            f"DTEND:{_stamp(booking.ends_at)}",
            f"SUMMARY:{_escape(f'{booking.room.name} · {busy}')}",
            f"LOCATION:{_escape(f'{venue.name} {booking.room.name}')}",
            "TRANSP:OPAQUE",
            "STATUS:" + ("TENTATIVE" if booking.status == BookingStatus.REQUESTED else "CONFIRMED"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{part}\r\n" for line in lines for part in _fold(line))
