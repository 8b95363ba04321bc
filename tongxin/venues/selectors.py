"""Reads of venues, always given the user (or the public, who see public venues only)."""

import hmac
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.regions.models import Level, Region
from tongxin.venues.access import may_keep, venue_q
from tongxin.venues.models import HOLDING, Booking, BookingStatus, DutySlot, Room, ServiceRecord, Venue
from tongxin.venues.services import token_hash


def public_venues() -> QuerySet[Venue]:
    return (
        Venue.objects.filter(public=True, active=True)
        .select_related("region", "region__parent", "unit")
        .annotate(room_count=Count("rooms", filter=Q(rooms__active=True, rooms__bookable=True)))
        .order_by("region__path", "name")
    )


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


NEAR_LIMIT = 50  # venues listed near a position
# the half-sides of the boxes tried around the position, in km, until enough venues lie inside
NEAR_RADII_KM = (2.0, 8.0, 32.0, 128.0, 512.0)
KM_PER_DEGREE = 111.32


def _box(lat: float, lng: float, km: float) -> Q | None:
    """Venues whose map point lies in the box of half-side `km` around the position; None when the
    box reaches a pole or the antimeridian (then every venue with a point is a candidate)."""
    dlat = km / KM_PER_DEGREE
    cos = math.cos(math.radians(lat))
    if lat + dlat >= 90 or lat - dlat <= -90 or cos < 0.01:
        return None
    dlng = km / (KM_PER_DEGREE * cos)
    if lng + dlng >= 180 or lng - dlng <= -180:
        return None
    return Q(lat__gte=lat - dlat, lat__lte=lat + dlat, lng__gte=lng - dlng, lng__lte=lng + dlng)


def _by_distance(venues: list[Venue], lat: float, lng: float) -> list[Venue]:
    for venue in venues:
        venue.distance = (  # type: ignore[attr-defined]
            distance_km(lat, lng, venue.lat, venue.lng)
            if venue.lat is not None and venue.lng is not None
            else None
        )
    return sorted(venues, key=lambda v: (v.distance is None, v.distance or 0.0, v.pk))  # type: ignore[attr-defined]


def venues_near(
    lat: float | None, lng: float | None, *, kind: str = "", limit: int = NEAR_LIMIT
) -> list[Venue]:
    """Public venues, the `limit` nearest first when a position is given (those without a map point
    last), else by community.

    The database picks the candidates: venues inside a box around the position (an index range on
    lat/lng), widened until at least `limit` of them lie within the box's half-side — any venue
    outside the box is farther than that, so the nearest `limit` are among them; only these are
    loaded and sorted by great-circle distance."""
    venues = public_venues().filter(kind=kind) if kind else public_venues()
    if lat is None or lng is None:
        return list(venues)
    located = venues.filter(lat__isnull=False, lng__isnull=False)
    for km in NEAR_RADII_KM:
        box = _box(lat, lng, km)
        if box is None:
            break
        candidates = _by_distance(list(located.filter(box)), lat, lng)
        inside = [v for v in candidates if v.distance <= km]  # type: ignore[attr-defined]
        if len(inside) >= limit:
            return inside[:limit]
    nearest = _by_distance(list(located), lat, lng)[:limit]
    if len(nearest) < limit:
        unplaced = venues.filter(Q(lat__isnull=True) | Q(lng__isnull=True)).order_by("pk")
        nearest += _by_distance(list(unplaced[: limit - len(nearest)]), lat, lng)
    return nearest


def public_venue_get(pk: int) -> Venue:
    return get_object_or_404(public_venues(), pk=pk)


def venues_visible(user: Any) -> QuerySet[Venue]:
    return (
        Venue.objects.filter(venue_q(user))
        .select_related("region", "region__parent", "unit")
        .annotate(room_count=Count("rooms", filter=Q(rooms__active=True)))
        .order_by("region__path", "name")
    )


def venues_kept(user: Any) -> QuerySet[Venue]:
    return (
        Venue.objects.filter(venue_q(user, manage=True))
        .select_related("region")
        .order_by("region__path", "name")
    )


def venue_get(user: Any, pk: int) -> tuple[Venue, bool]:
    """The venue if the user sees it (else 404), and whether they keep it."""
    venue = get_object_or_404(Venue.objects.filter(venue_q(user)).select_related("region", "unit"), pk=pk)
    return venue, may_keep(user, venue)


def rooms_of(venue: Venue, *, bookable_only: bool = False) -> QuerySet[Room]:
    rooms = venue.rooms.filter(active=True)
    return rooms.filter(bookable=True) if bookable_only else rooms


def bookings_visible(user: Any) -> QuerySet[Booking]:
    return Booking.objects.filter(venue_q(user, prefix="venue__")).select_related(
        "room", "venue", "venue__region", "user", "user__person", "unit"
    )


def booking_get(user: Any, pk: int) -> tuple[Booking, bool]:
    booking = get_object_or_404(bookings_visible(user), pk=pk)
    return booking, may_keep(user, booking.venue)


def approvals_queue(user: Any) -> QuerySet[Booking]:
    """Requests waiting for the keeper, soonest first: only venues the user keeps."""
    return (
        Booking.objects.filter(venue_q(user, manage=True, prefix="venue__"), status=BookingStatus.REQUESTED)
        .select_related("room", "venue", "venue__region", "user", "user__person", "unit")
        .order_by("starts_at", "id")
    )


def booking_by_link(code: str, token: str) -> Booking:
    """The booking a private link names; a wrong code or token is a 404 (compared by hash)."""
    booking = (
        Booking.objects.select_related("room", "venue", "venue__region")
        .filter(code=(code or "").upper())
        .first()
    )
    if (
        booking is None
        or not booking.token_hash
        or not hmac.compare_digest(booking.token_hash, token_hash(token))
    ):
        raise Http404
    return booking


def my_bookings(user: Any) -> QuerySet[Booking]:
    return Booking.objects.filter(user=user).select_related("room", "venue").order_by("-starts_at")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class DayColumn:
    day: date
    open: list[tuple[time, time]]
    busy: list[Booking]
    duty: list[DutySlot]


def week_calendar(venue: Venue, start: date, *, rooms: list[Room] | None = None) -> list[DayColumn]:
    """Seven days from `start`: opening hours, busy slots (no names) and who is on duty."""
    begin = timezone.make_aware(datetime.combine(start, time.min))
    end = begin + timedelta(days=7)
    bookings = Booking.objects.filter(
        venue=venue, status__in=(*HOLDING, BookingStatus.USED), starts_at__lt=end, ends_at__gt=begin
    ).select_related("room")
    if rooms is not None:
        bookings = bookings.filter(room__in=rooms)
    by_day: dict[date, list[Booking]] = defaultdict(list)
    for booking in bookings.order_by("starts_at"):
        by_day[timezone.localtime(booking.starts_at).date()].append(booking)
    slots = list(venue.duty.all())
    days = []
    for offset in range(7):
        day = start + timedelta(days=offset)
        days.append(
            DayColumn(
                day=day,
                open=venue.intervals(day.weekday()),
                busy=by_day.get(day, []),
                duty=[s for s in slots if s.applies_on(day)],
            )
        )
    return days


def duty_today(venue: Venue, day: date) -> list[DutySlot]:
    return [s for s in venue.duty.all() if s.applies_on(day)]


def bookings_between(
    user: Any, start: date, end: date, *, venue: Venue | None = None, community: Region | None = None
) -> QuerySet[Booking]:
    """Bookings in [start, end) of venues the user sees, of one venue or one community."""
    begin = timezone.make_aware(datetime.combine(start, time.min))
    finish = timezone.make_aware(datetime.combine(end, time.min))
    rows = bookings_visible(user).filter(starts_at__lt=finish, ends_at__gt=begin)
    if venue is not None:
        rows = rows.filter(venue=venue)
    if community is not None:
        rows = rows.filter(region_path__startswith=community.path)
    return rows.order_by("starts_at", "room__name")


def communities_with_venues(user: Any) -> QuerySet[Region]:
    ids = Venue.objects.filter(venue_q(user)).values("region_id")
    return (
        Region.objects.filter(pk__in=ids).filter(level__in=(Level.COMMUNITY, Level.STREET)).order_by("path")
    )


def service_records(user: Any, *, venue: Venue | None = None) -> QuerySet[ServiceRecord]:
    rows = ServiceRecord.objects.filter(venue_q(user, prefix="venue__")).select_related(
        "venue", "venue__region"
    )
    return rows.filter(venue=venue) if venue is not None else rows


def venue_with_details(venue: Venue) -> Venue:
    """The venue's rooms, rota and photos in one go each."""
    return (
        Venue.objects.filter(pk=venue.pk)
        .select_related("region", "unit")
        .prefetch_related(
            Prefetch("rooms", queryset=Room.objects.filter(active=True).order_by("name")),
            "duty",
            "photos",
        )
        .get()
    )


def people_served(user: Any, *, since: date) -> int:
    return service_records(user).filter(on__gte=since).aggregate(n=Sum("people_served"))["n"] or 0


def rooms_for_booking(user: Any) -> QuerySet[Room]:
    """Rooms a form may offer the user: those of venues they see or keep, and public ones."""
    return (
        Room.objects.filter(active=True, venue__active=True)
        .filter(venue_q(user, prefix="venue__") | Q(venue__public=True, bookable=True))
        .select_related("venue")
        .order_by("venue__region__path", "venue__name", "name")
    )
