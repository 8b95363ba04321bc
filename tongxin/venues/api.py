"""Venues, rooms, availability and bookings (/api/v1/venues) for officials and keepers.

A venue outside the caller's reach reads as one that does not exist (404); bookings show the
booker masked, as on the pages. Residents book through the pages, without an account.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.core.api import ApiError
from tongxin.core.schemas import CONFLICT, ERRORS, Page
from tongxin.regions.models import Region
from tongxin.venues import selectors, services
from tongxin.venues.access import is_staff
from tongxin.venues.models import HOLDING, Booking, BookingStatus, Room, Venue, VenueKind
from tongxin.venues.schemas import (
    AvailabilityOut,
    BookingCreateIn,
    BookingFilters,
    BookingOut,
    BookingStepIn,
    RoomOut,
    VenueFilters,
    VenueOut,
)

router = Router()


def _staff(request: HttpRequest) -> Any:
    if not is_staff(request.user):
        raise PermissionDenied
    return request.user


@router.get("", response={200: list[VenueOut], **ERRORS}, summary="List venues in your area")
@paginate(Page)
def venue_list(request: HttpRequest, filters: Query[VenueFilters]) -> QuerySet[Venue]:
    """Venues you see (venues.view in your area, or your unit's as its liaison)."""
    user = _staff(request)
    venues = selectors.venues_visible(user)
    if filters.kind:
        if filters.kind not in VenueKind.values:
            raise ValidationError({"kind": [_("Unknown kind of venue.")]})
        venues = venues.filter(kind=filters.kind)
    if filters.within is not None:
        node = Region.objects.filter(pk=filters.within).first()
        if node is None:
            raise ValidationError({"within": [_("There is no such record in your area.")]})
        venues = venues.filter(region__path__startswith=node.path)
    return venues


@router.get("/{int:venue_id}", response={200: VenueOut, **ERRORS}, summary="A venue")
def venue_detail(request: HttpRequest, venue_id: int) -> Venue:
    venue, _keeps = selectors.venue_get(_staff(request), venue_id)
    return venue


@router.get("/{int:venue_id}/rooms", response={200: list[RoomOut], **ERRORS}, summary="A venue's rooms")
def room_list(request: HttpRequest, venue_id: int) -> QuerySet[Room]:
    venue, _keeps = selectors.venue_get(_staff(request), venue_id)
    return venue.rooms.order_by("name")


def _room(user: Any, room_id: int) -> Room:
    room = get_object_or_404(Room.objects.select_related("venue"), pk=room_id)
    selectors.venue_get(user, room.venue_id)  # 404 outside reach
    return room


@router.get(
    "/rooms/{int:room_id}/availability",
    response={200: AvailabilityOut, **ERRORS},
    summary="A room's opening hours and busy slots on a day",
)
def availability(request: HttpRequest, room_id: int, day: date) -> dict[str, Any]:
    room = _room(_staff(request), room_id)
    start = timezone.make_aware(datetime.combine(day, time.min))
    busy = Booking.objects.filter(
        room=room, status__in=HOLDING, starts_at__lt=start + timedelta(days=1), ends_at__gt=start
    ).order_by("starts_at")
    return {
        "room": room.pk,
        "day": day,
        "open": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in room.venue.intervals(day.weekday())],
        "busy": [
            {"room": room.pk, "starts_at": b.starts_at, "ends_at": b.ends_at, "status": b.status}
            for b in busy
        ],
    }


@router.get("/bookings", response={200: list[BookingOut], **ERRORS}, summary="List bookings of your venues")
@paginate(Page)
def booking_list(request: HttpRequest, filters: Query[BookingFilters]) -> QuerySet[Booking]:
    user = _staff(request)
    rows = selectors.bookings_visible(user).order_by("starts_at", "id")
    if filters.status:
        if filters.status not in BookingStatus.values:
            raise ValidationError({"status": [_("Unknown status.")]})
        rows = rows.filter(status=filters.status)
    if filters.venue is not None:
        venue, _keeps = selectors.venue_get(user, filters.venue)
        rows = rows.filter(venue=venue)
    if filters.since is not None:
        rows = rows.filter(starts_at__gte=timezone.make_aware(datetime.combine(filters.since, time.min)))
    if filters.until is not None:
        rows = rows.filter(starts_at__lt=timezone.make_aware(datetime.combine(filters.until, time.min)))
    return rows


@router.get("/bookings/{int:booking_id}", response={200: BookingOut, **ERRORS}, summary="A booking")
def booking_detail(request: HttpRequest, booking_id: int) -> Booking:
    booking, _keeps = selectors.booking_get(_staff(request), booking_id)
    return booking


@router.post("/bookings", response={201: BookingOut, **CONFLICT}, summary="Book a room with your account")
def booking_create(request: HttpRequest, payload: BookingCreateIn) -> Status[Booking]:
    """Conflicts are refused (400 on `starts_at`); the keeper's own booking is approved at once."""
    user = _staff(request)
    room = _room(user, payload.room)
    booking, _token = services.booking_create(
        actor=user,
        room=room,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        purpose=payload.purpose,
        attendees=payload.attendees,
    )
    return Status(201, booking)


@router.post(
    "/bookings/{int:booking_id}/steps",
    response={200: BookingOut, **CONFLICT},
    summary="Approve, decline, cancel…",
)
def booking_step(request: HttpRequest, booking_id: int, payload: BookingStepIn) -> Booking:
    user = _staff(request)
    booking, _keeps = selectors.booking_get(user, booking_id)
    try:
        return services.booking_transition(
            booking=booking, action=payload.action, actor=user, reason=payload.reason, version=payload.version
        )
    except services.BookingConflict as exc:
        raise ApiError(409, "version_conflict", " ".join(exc.messages)) from exc
