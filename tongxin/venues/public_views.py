"""The residents' venue pages (no account needed): venues near me, a venue with its rooms, hours,
duty and busy slots, the booking form, the private booking page and the iCalendar feed.

Nothing here shows a booker's name or phone: busy slots are times only; the private page shows the
masked phone of the booking it names, to the holder of its link.
"""

from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import public
from tongxin.core.actors import RESIDENT, is_user
from tongxin.core.forms import add_service_errors
from tongxin.core.ratelimit import over_limit
from tongxin.partners.models import PartnerUnit
from tongxin.venues import ical, selectors, services
from tongxin.venues.access import kept_unit_ids
from tongxin.venues.forms import WEEKDAY_NAMES, BookingForm
from tongxin.venues.models import Booking, VenueKind, VenuePhoto
from tongxin.venues.workflow import BOOKER, BookingAction, actions_from, timeline_label

# the same limit as the resident's report (/report/), counted per address under its own key
LIMIT_KEY = "venues:booking"


def _coordinate(value: str | None, bound: float) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if -bound <= number <= bound else None


@public
@require_GET
def venue_list(request: HttpRequest) -> HttpResponse:
    """Venues near me: nearest first when the phone gave its position (?lat=&lng=), else by community."""
    lat, lng = _coordinate(request.GET.get("lat"), 90), _coordinate(request.GET.get("lng"), 180)
    kind = request.GET.get("kind") or ""
    if kind not in VenueKind.values:
        kind = ""
    venues = selectors.venues_near(lat, lng, kind=kind)
    points = [
        {"lat": v.lat, "lng": v.lng, "name": v.name, "url": v.get_public_url()}
        for v in venues
        if v.lat is not None and v.lng is not None
    ]
    return render(
        request,
        "venues/public/list.html",
        {
            "venues": venues,
            "located": lat is not None and lng is not None,
            "kinds": VenueKind.choices,
            "kind": kind,
            "points": points,
        },
    )


@public
@require_GET
def venue_page(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_with_details(selectors.public_venue_get(pk))
    today = timezone.localdate()
    start = today
    offset = request.GET.get("week") or ""
    if offset.isdigit() and int(offset) <= 12:
        start = today + timedelta(weeks=int(offset))
    rooms = list(selectors.rooms_of(venue, bookable_only=True))
    return render(
        request,
        "venues/public/venue.html",
        {
            "venue": venue,
            "rooms": rooms,
            "hours": [(WEEKDAY_NAMES[d], venue.intervals(d)) for d in range(7)],
            "duty": sorted(
                venue.duty.all(), key=lambda s: (s.weekday if s.weekday is not None else 9, s.starts)
            ),
            "weekday_names": WEEKDAY_NAMES,
            "calendar": selectors.week_calendar(venue, start, rooms=rooms),
            "week": int(offset) if offset.isdigit() else 0,
            "today": today,
        },
    )


@public
@require_GET
def venue_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(VenuePhoto.objects.filter(venue__public=True, venue__active=True), pk=pk)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return cast(HttpResponse, response)


@public
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a room: a resident gives a name and phone; a signed-in user books with their account."""
    venue = selectors.public_venue_get(pk)
    rooms = selectors.rooms_of(venue, bookable_only=True)
    signed_in = is_user(request.user)
    units = None
    if signed_in and kept_unit_ids(request.user):
        units = PartnerUnit.objects.filter(pk__in=kept_unit_ids(request.user))
    initial: dict[str, Any] = {
        "day": timezone.localdate() + timedelta(days=1),
        "starts": "14:00",
        "ends": "16:00",
    }
    room_id = request.GET.get("room") or ""
    if room_id.isdigit():
        initial["room"] = int(room_id)
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        rooms=rooms,
        resident=not signed_in,
        units=units,
        initial=initial,
    )
    context = {"venue": venue, "form": form, "signed_in": signed_in}
    if request.method != "POST":
        return render(request, "venues/public/book.html", context)
    if not signed_in and over_limit(request, LIMIT_KEY, settings.TONGXIN_PUBLIC_INTAKE_PER_HOUR):
        return render(request, "venues/public/book.html", {**context, "limited": True}, status=429)
    if not signed_in and form.is_bot():
        form.add_error(None, _("Please leave the last field empty."))
    elif form.is_valid():
        data = form.cleaned_data
        try:
            booking, token = services.booking_create(
                actor=request.user if signed_in else RESIDENT,
                room=data["room"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                purpose=data["purpose"],
                attendees=data["attendees"],
                name=data.get("name") or "",
                phone=data.get("phone") or "",
                unit=data.get("unit"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"starts_at": "starts", "ends_at": "ends", "phone": "phone"})
        else:
            return redirect(f"{reverse('venues:booking', args=[booking.code, token])}?new=1")
    return render(request, "venues/public/book.html", context, status=400)


def _private_context(booking: Booking, token: str) -> dict[str, Any]:
    steps = [
        (timeline_label(t.action), t.at, t.reason if t.action == BookingAction.REJECT else "")
        for t in booking.transitions.all()
    ]
    return {
        "booking": booking,
        "token": token,
        "steps": steps,
        "may_cancel": any(r.action == BookingAction.CANCEL for r in actions_from(booking.status, {BOOKER}))
        and booking.ends_at > timezone.now(),
    }


@public
@require_GET
def booking_page(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The private page of a booking: status, room, time, masked phone, a cancel button."""
    booking = selectors.booking_by_link(code, token)
    response = render(
        request,
        "venues/public/booking.html",
        {**_private_context(booking, token), "new": request.GET.get("new") == "1"},
    )
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it onwards
    response["Cache-Control"] = "private, no-store"
    return response


@public
@require_POST
def booking_cancel(request: HttpRequest, code: str, token: str) -> HttpResponse:
    booking = selectors.booking_by_link(code, token)
    try:
        services.booking_transition(booking=booking, action=BookingAction.CANCEL, actor=RESIDENT, token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("This booking cannot be cancelled here."))
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect("venues:booking", code=booking.code, token=token)


@public
@require_GET
def calendar_feed(request: HttpRequest, pk: int) -> HttpResponse:
    """iCalendar (RFC 5545) of the venue's busy slots: times and rooms only, no names."""
    venue = selectors.public_venue_get(pk)
    text = ical.venue_calendar(venue, now=timezone.now())
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="venue-{venue.pk}.ics"'
    return response
