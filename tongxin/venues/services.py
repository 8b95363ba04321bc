"""The only code that writes venues, rooms, bookings, the duty rota and service records.

A booking is made by `booking_create` and moved only by `booking_transition`. Both lock before they
decide: a new booking locks its room's row, then checks for an overlapping booking that still
holds the room, so two requests for one room at one time never both succeed (the second waits on
the lock, then sees the first).
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_edit
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import RESIDENT, SYSTEM, Actor, is_user, require_scope, user_or_none
from tongxin.core.uploads import upload_accept
from tongxin.core.workflow import IllegalTransition, record_step
from tongxin.lib.filetypes import IMAGES
from tongxin.partners.models import PartnerUnit
from tongxin.regions.models import Level, Region
from tongxin.venues.access import MANAGE, kept_unit_ids, may_keep
from tongxin.venues.models import (
    HOLDING,
    WEEKDAYS,
    BookerKind,
    Booking,
    BookingStatus,
    BookingTransition,
    DutySlot,
    Room,
    ServiceKind,
    ServiceRecord,
    Venue,
    VenueKind,
    VenuePhoto,
    parse_hours,
)
from tongxin.venues.workflow import BOOKER, KEEPER, RULES, BookingAction

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_BOOKING_HOURS = 12
MAX_DAYS_AHEAD = 90
VENUE_FIELDS = (
    "name",
    "kind",
    "unit",
    "address",
    "lat",
    "lng",
    "public",
    "needs_approval",
    "hours",
    "facilities",
    "description",
    "active",
)


class BookingConflict(ValidationError):
    """Someone changed the booking a moment ago (the version the page showed is old)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_code() -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not Booking.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not find a free booking number")


# ---- venues, rooms, rota, photos ----------------------------------------------------------------


def hours_clean(hours: Iterable[str]) -> list[str]:
    """Seven day texts ("08:30-17:30", "" when closed), each checked; raises ValidationError."""
    days = [(h or "").strip() for h in hours]
    days = (days + [""] * 7)[:7]
    for text in days:
        try:
            parse_hours(text)
        except ValueError:
            raise ValidationError(
                {
                    "hours": [
                        _("Write opening hours like 08:30-12:00,14:00-17:30 (“%(text)s”).") % {"text": text}
                    ]
                }
            ) from None
    return days


def _require_keeper_of(actor: Actor, region: Region, unit: PartnerUnit | None) -> None:
    """A new venue: venues.manage at its community, or a liaison opening their own unit's room."""
    if actor == SYSTEM:
        return
    if unit is not None and unit.pk in kept_unit_ids(actor):
        return
    require_scope(actor, MANAGE, region)


def _venue_check(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = [_("A name is required.")]
    if data.get("kind") not in VenueKind.values:
        errors["kind"] = [_("Choose the kind of venue.")]
    lat, lng = data.get("lat"), data.get("lng")
    if (lat is None) != (lng is None):
        errors["lat"] = [_("Give both latitude and longitude, or neither.")]
    elif lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        errors["lat"] = [_("This is not a place on the map.")]
    if errors:
        raise ValidationError(errors)


def venue_create(
    *,
    actor: Actor,
    region: Region,
    name: str,
    kind: str,
    unit: PartnerUnit | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    public: bool = True,
    needs_approval: bool = True,
    hours: Iterable[str] = (),
    facilities: str = "",
    description: str = "",
) -> Venue:
    if region.level not in (Level.COMMUNITY, Level.STREET):
        raise ValidationError({"region": [_("A venue belongs to a community (or a street).")]})
    _require_keeper_of(actor, region, unit)
    data = {"name": name, "kind": kind, "lat": lat, "lng": lng}
    _venue_check(data)
    return Venue.objects.create(
        region=region,
        name=name.strip(),
        kind=kind,
        unit=unit,
        address=address.strip(),
        lat=lat,
        lng=lng,
        public=public,
        needs_approval=needs_approval,
        hours=hours_clean(hours),
        facilities=facilities.strip(),
        description=description.strip(),
    )


def venue_update(*, venue: Venue, actor: Actor, **changes: Any) -> Venue:
    unknown = set(changes) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"venue_update takes no {', '.join(sorted(unknown))}")
    if not may_keep(actor, venue):
        raise PermissionDenied
    if "hours" in changes:
        changes["hours"] = hours_clean(changes["hours"])
    with audited_edit(
        Venue, venue.pk, actor=actor, fields=VENUE_FIELDS, region=lambda v: v.region, related=("region",)
    ) as edit:
        edit.set(changes)
        _venue_check({f: getattr(edit.row, f) for f in ("name", "kind", "lat", "lng")})
    return edit.row


def room_create(
    *, venue: Venue, actor: Actor, name: str, capacity: int, facilities: str = "", bookable: bool = True
) -> Room:
    if not may_keep(actor, venue):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("A name is required.")]})
    if venue.rooms.filter(name=name).exists():
        raise ValidationError({"name": [_("The venue already has a room of this name.")]})
    if capacity < 1:
        raise ValidationError({"capacity": [_("A room seats at least one person.")]})
    return Room.objects.create(
        venue=venue, name=name, capacity=capacity, facilities=facilities.strip(), bookable=bookable
    )


def room_update(*, room: Room, actor: Actor, **changes: Any) -> Room:
    fields = ("name", "capacity", "facilities", "bookable", "active")
    if set(changes) - set(fields):
        raise TypeError("room_update takes only " + ", ".join(fields))
    if not may_keep(actor, room.venue):
        raise PermissionDenied
    with audited_edit(
        Room, room.pk, actor=actor, fields=fields, region=lambda r: r.venue.region, related=("venue__region",)
    ) as edit:
        edit.set(changes)
        if edit.row.capacity < 1:
            raise ValidationError({"capacity": [_("A room seats at least one person.")]})
    return edit.row


def duty_slot_create(
    *,
    venue: Venue,
    actor: Actor,
    name: str,
    starts: time,
    ends: time,
    weekday: int | None = None,
    on_date: date | None = None,
    post: str = "",
) -> DutySlot:
    if not may_keep(actor, venue):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Say who is on duty.")]
    if (weekday is None) == (on_date is None) or (weekday is not None and weekday not in WEEKDAYS):
        errors["weekday"] = [_("Choose a weekday, or one date.")]
    if ends <= starts:
        errors["ends"] = [_("The duty ends after it starts.")]
    if errors:
        raise ValidationError(errors)
    return DutySlot.objects.create(
        venue=venue,
        name=name.strip(),
        post=post.strip(),
        weekday=weekday,
        on_date=on_date,
        starts=starts,
        ends=ends,
    )


def duty_slot_remove(*, slot: DutySlot, actor: Actor) -> None:
    if not may_keep(actor, slot.venue):
        raise PermissionDenied
    slot.delete()


def service_record_create(
    *,
    venue: Venue,
    actor: Actor,
    on: date,
    kind: str,
    people_served: int,
    note: str = "",
    now: datetime | None = None,
) -> ServiceRecord:
    """便民代办 and other services done at the venue on a day: a count, no names."""
    if not may_keep(actor, venue):
        raise PermissionDenied
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if kind not in ServiceKind.values:
        errors["kind"] = [_("Choose the service.")]
    if people_served < 1:
        errors["people_served"] = [_("Count at least one person served.")]
    if on > timezone.localtime(now).date():
        errors["on"] = [_("Record services once they are done, not ahead.")]
    if errors:
        raise ValidationError(errors)
    return ServiceRecord.objects.create(
        venue=venue,
        region_path=venue.region.path,
        on=on,
        kind=kind,
        people_served=people_served,
        note=note.strip()[:200],
        recorded_by=user_or_none(actor),
        created_at=now,
    )


def venue_photo_add(
    *, venue: Venue, actor: Actor, upload: Any, caption: str = "", now: datetime | None = None
) -> VenuePhoto:
    if not may_keep(actor, venue):
        raise PermissionDenied
    try:
        content_type = upload_accept(upload, allowed=IMAGES)  # type from the bytes, re-encoded, no EXIF
    except ValidationError as exc:
        if exc.code == "type":
            raise ValidationError({"photo": [_("Send a JPEG, PNG or WebP photo.")]}) from exc
        raise ValidationError({"photo": exc.messages}) from exc
    if venue.photos.count() >= 6:
        raise ValidationError({"photo": [_("A venue keeps at most six photos.")]})
    return VenuePhoto.objects.create(
        venue=venue,
        file=upload,
        content_type=content_type,
        size=upload.size,
        caption=caption.strip()[:120],
        uploaded_at=now or timezone.now(),
    )


def venue_photo_remove(*, photo: VenuePhoto, actor: Actor) -> None:
    """The keeper takes a photo down: the row and the file go, one audit row says which and by whom."""
    venue = photo.venue
    if not may_keep(actor, venue):
        raise PermissionDenied
    name, caption, pk = photo.file.name or "", photo.caption, photo.pk
    with transaction.atomic():
        photo.delete()
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=venue.region,
            target=f"venuephoto:{pk}",
            detail={
                "model": VenuePhoto._meta.label,
                "changes": {"photo": [caption or name, ""]},
                "venue": venue.pk,
            },
        )
        storage = photo.file.storage
        if name:
            transaction.on_commit(lambda: storage.delete(name))


# ---- bookings -----------------------------------------------------------------------------------


def within_hours(venue: Venue, starts_at: datetime, ends_at: datetime) -> bool:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() != end.date() and not (
        end.time() == time.min and end.date() == start.date() + timedelta(1)
    ):
        return False
    end_time = time.max if end.time() == time.min else end.time()
    return any(a <= start.time() and end_time <= b for a, b in venue.intervals(start.weekday()))


def _booking_check(
    *,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    attendees: int,
    now: datetime,
    keeper: bool,
) -> None:
    errors: dict[str, list[str]] = {}
    if not room.active or not room.venue.active or (not keeper and not (room.bookable and room.venue.public)):
        errors["room"] = [_("This room cannot be booked now.")]
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say what the room is for.")]
    if attendees < 1:
        errors["attendees"] = [_("Count at least one person.")]
    elif attendees > room.capacity:
        errors["attendees"] = [
            _("The room seats %(n)d people: choose a larger room or invite fewer.") % {"n": room.capacity}
        ]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The booking ends after it starts.")]
    elif ends_at - starts_at > timedelta(hours=MAX_BOOKING_HOURS):
        errors["ends_at"] = [_("Book at most %(n)d hours at a time.") % {"n": MAX_BOOKING_HOURS}]
    elif not keeper:
        if starts_at < now:
            errors["starts_at"] = [_("Choose a time that has not passed.")]
        elif starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
            errors["starts_at"] = [_("Book at most %(n)d days ahead.") % {"n": MAX_DAYS_AHEAD}]
        elif not within_hours(room.venue, starts_at, ends_at):
            errors["starts_at"] = [_("The venue is not open at that time: see its opening hours.")]
    if errors:
        raise ValidationError(errors)


def overlapping(room: Room, starts_at: datetime, ends_at: datetime) -> Any:
    """Bookings that hold the room at some moment of [starts_at, ends_at)."""
    return Booking.objects.filter(room=room, status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at)


def booking_create(
    *,
    actor: Actor,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    attendees: int = 1,
    name: str = "",
    phone: str = "",
    unit: PartnerUnit | None = None,
    reference: str = "",
    now: datetime | None = None,
) -> tuple[Booking, str]:
    """Book a room; returns the booking and the secret token of its private link.

    RESIDENT (no account) gives a name and phone; a user books as themself, or for a unit they are a
    liaison of. The keeper's own booking, or one at a venue without approval, is approved at once."""
    now = now or timezone.now()
    resident = actor == RESIDENT
    if not resident and actor != SYSTEM and not is_user(actor):
        raise PermissionDenied
    if resident:
        errors: dict[str, list[str]] = {}
        if not (name or "").strip():
            errors["name"] = [_("Please give your name.")]
        digits = "".join(ch for ch in phone or "" if ch.isdigit())
        if not (7 <= len(digits) <= 15):
            errors["phone"] = [_("Give a phone number the venue can call, such as 13800001234.")]
        if errors:
            raise ValidationError(errors)
    if unit is not None and actor != SYSTEM and unit.pk not in kept_unit_ids(actor):
        raise ValidationError({"unit": [_("You can book for your own unit only.")]})
    with transaction.atomic():
        # the lock that serialises bookings of one room: the overlap check below sees every booking
        # committed before it, and a concurrent one waits here until this one commits
        locked = Room.objects.select_for_update(of=("self",)).select_related("venue__region").get(pk=room.pk)
        venue = locked.venue
        keeper = may_keep(actor, venue) and not resident
        _booking_check(
            room=locked,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=purpose,
            attendees=attendees,
            now=now,
            keeper=keeper,
        )
        if overlapping(locked, starts_at, ends_at).exists():
            raise ValidationError(
                {"starts_at": [_("The room is already booked at that time. Choose another time or room.")]}
            )
        token = secrets.token_urlsafe(24)
        status = BookingStatus.APPROVED if keeper or not venue.needs_approval else BookingStatus.REQUESTED
        user = user_or_none(actor)
        booking = Booking(
            code=_new_code(),
            room=locked,
            venue=venue,
            region_path=venue.region.path,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=purpose.strip()[:120],
            attendees=attendees,
            booker_kind=BookerKind.RESIDENT if resident else (BookerKind.UNIT if unit else BookerKind.MEMBER),
            booker_name=(name or "").strip()[:50] if resident else "",
            user=user,
            unit=unit,
            reference=reference[:40],
            token_hash=token_hash(token),
            status=status,
            created_at=now,
        )
        if resident:
            booking.set_phone(phone)
        booking.save()
        record_step(
            BookingTransition,
            booking=booking,
            action=BookingAction.REQUEST,
            from_status="",
            to_status=status,
            actor=actor,
            at=now,
        )
    return booking, token


def parties(actor: Actor, booking: Booking, *, token: str = "") -> set[str]:
    """Who the actor is to the booking: its keeper, its booker, both or neither."""
    found = set()
    if may_keep(actor, booking.venue):
        found.add(KEEPER)
    if actor == RESIDENT:
        if token and booking.token_hash and hmac.compare_digest(booking.token_hash, token_hash(token)):
            found.add(BOOKER)
    elif is_user(actor) and (
        booking.user_id == actor.pk
        or (booking.unit_id is not None and booking.unit_id in kept_unit_ids(actor))
    ):
        found.add(BOOKER)
    return found


def booking_transition(
    *,
    booking: Booking,
    action: str,
    actor: Actor,
    reason: str = "",
    token: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """The one way a booking's status changes: lock, check version and party, apply the rule, write
    one BookingTransition (the keeper's and booker's notifications go out from it)."""
    now = now or timezone.now()
    rule = RULES.get(action)
    if rule is None:
        raise ValidationError({"action": [_("Unknown action.")]})
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("venue__region", "room")
            .get(pk=booking.pk)
        )
        if not set(rule.who) & parties(actor, locked, token=token):
            raise PermissionDenied
        if version is not None and version != locked.version:
            raise BookingConflict(_("Someone changed this booking a moment ago. Reload and try again."))
        from_status = locked.status
        if not rule.leaves(from_status):
            raise IllegalTransition(
                _("The booking is “%(status)s”: this step is not possible now.")
                % {"status": locked.get_status_display()}
            )
        rule.check(locked, reason=reason, params={})
        target = rule.run(locked, status=from_status, actor=actor, reason=reason, now=now, params={})
        locked.status = target
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        record_step(
            BookingTransition,
            booking=locked,
            action=action,
            from_status=from_status,
            to_status=target,
            actor=actor,
            reason=reason,
            data={"by": sorted(set(rule.who) & parties(actor, locked, token=token))},
            at=now,
        )
    return locked


def bookings_cancel_reference(*, reference: str, actor: Actor, reason: str = "") -> int:
    """Cancel the open bookings another app made (a meeting or activity called off)."""
    done = 0
    for booking in Booking.objects.filter(reference=reference, status__in=HOLDING):
        try:
            booking_transition(booking=booking, action=BookingAction.CANCEL, actor=actor, reason=reason)
        except (ValidationError, PermissionDenied):
            continue
        done += 1
    return done


def room_reserve(
    *,
    actor: Actor,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    reference: str,
    attendees: int = 1,
) -> Booking:
    """Book a room for another app's record (an activity, a meeting) in the caller's transaction;
    any refusal (a clash, too many people, a closed room) is an error on its `room` field."""
    try:
        booking, _token = booking_create(
            actor=actor,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=purpose,
            attendees=attendees,
            reference=reference,
        )
    except ValidationError as exc:
        raise ValidationError({"room": exc.messages}) from exc
    return booking
