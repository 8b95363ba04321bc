"""Bookings: conflicts refused, the state machine's transitions and refusals, who may act."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.core.actors import RESIDENT, SYSTEM
from tongxin.core.workflow import IllegalTransition
from tongxin.notifications.models import Notification
from tongxin.notifications.outbox import outbox_process
from tongxin.venues.models import Booking, BookingStatus, BookingTransition
from tongxin.venues.services import (
    BookingConflict,
    booking_create,
    booking_transition,
    duty_slot_create,
    hours_clean,
    service_record_create,
    venue_update,
)
from tongxin.venues.testing import slot
from tongxin.venues.workflow import RULES, BookingAction

pytestmark = pytest.mark.django_db


def resident_booking(room, days=1, hour=14, hours=2, **kwargs):
    start, end = slot(days, hour, hours)
    return booking_create(
        actor=RESIDENT,
        room=room,
        starts_at=start,
        ends_at=end,
        purpose="读书会",
        attendees=8,
        name="张三",
        phone="13800001234",
        **kwargs,
    )


def test_resident_booking_waits_for_approval_and_keeps_the_phone_encrypted(centre):
    _venue, room = centre
    booking, token = resident_booking(room)
    assert booking.status == BookingStatus.REQUESTED
    assert "13800001234" not in booking.phone_encrypted
    assert booking.phone_masked == "138****1234"
    assert token and booking.token_hash and token not in booking.token_hash
    [row] = BookingTransition.objects.filter(booking=booking)
    assert (row.action, row.from_status, row.to_status) == ("request", "", "requested")


def test_overlapping_booking_is_refused_and_adjacent_one_is_not(centre):
    _venue, room = centre
    resident_booking(room, hour=14, hours=2)
    with pytest.raises(ValidationError) as err:
        resident_booking(room, hour=15, hours=2)
    assert "starts_at" in err.value.message_dict
    resident_booking(room, hour=16, hours=1)  # starts when the first ends
    assert Booking.objects.count() == 2


def test_a_cancelled_booking_frees_the_room(centre):
    _venue, room = centre
    first, token = resident_booking(room)
    booking_transition(booking=first, action="cancel", actor=RESIDENT, token=token)
    second, _token = resident_booking(room)
    assert second.status == BookingStatus.REQUESTED


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("name", {"name": ""}),
        ("phone", {"phone": "12"}),
    ],
)
def test_resident_must_give_name_and_phone(centre, field, kwargs):
    _venue, room = centre
    start, end = slot()
    data = {"name": "张三", "phone": "13800001234", **kwargs}
    with pytest.raises(ValidationError) as err:
        booking_create(actor=RESIDENT, room=room, starts_at=start, ends_at=end, purpose="x", **data)
    assert field in err.value.message_dict


@pytest.mark.parametrize(
    ("field", "when", "attendees"),
    [
        ("starts_at", (-1, 14, 2), 5),  # in the past
        ("starts_at", (1, 6, 2), 5),  # before opening (08:00)
        ("starts_at", (200, 14, 2), 5),  # too far ahead
        ("ends_at", (1, 8, 13), 5),  # too long
        ("attendees", (1, 14, 2), 31),  # more than the seats
    ],
)
def test_bad_bookings_get_a_clear_error(centre, field, when, attendees):
    _venue, room = centre
    start, end = slot(*when)
    with pytest.raises(ValidationError) as err:
        booking_create(
            actor=RESIDENT,
            room=room,
            starts_at=start,
            ends_at=end,
            purpose="x",
            attendees=attendees,
            name="张三",
            phone="13800001234",
        )
    assert field in err.value.message_dict


def test_keepers_booking_is_approved_at_once_and_outside_hours(centre, staff):
    _venue, room = centre
    start, end = slot(1, 19, 3)  # until 22:00, after closing
    booking, _token = booking_create(actor=staff, room=room, starts_at=start, ends_at=end, purpose="两委会")
    assert booking.status == BookingStatus.APPROVED
    assert booking.user == staff


def test_venue_without_approval_approves_at_once(tree):
    from tongxin.venues.testing import make_venue

    _venue, room = make_venue(tree.community_a2, needs_approval=False)
    booking, _token = resident_booking(room)
    assert booking.status == BookingStatus.APPROVED


# the table of transitions: from each status, each action either leads to its target or is refused
TABLE = {
    (BookingStatus.REQUESTED, BookingAction.APPROVE): BookingStatus.APPROVED,
    (BookingStatus.REQUESTED, BookingAction.REJECT): BookingStatus.REJECTED,
    (BookingStatus.REQUESTED, BookingAction.CANCEL): BookingStatus.CANCELLED,
    (BookingStatus.APPROVED, BookingAction.CANCEL): BookingStatus.CANCELLED,
    (BookingStatus.APPROVED, BookingAction.USED): BookingStatus.USED,
    (BookingStatus.APPROVED, BookingAction.NO_SHOW): BookingStatus.NO_SHOW,
}
STATUSES = [BookingStatus.REQUESTED, BookingStatus.APPROVED, BookingStatus.REJECTED, BookingStatus.CANCELLED]


def _booking_in(room, status, staff):
    booking, _token = resident_booking(room, days=1)
    if status == BookingStatus.APPROVED:
        booking = booking_transition(booking=booking, action="approve", actor=staff)
    elif status == BookingStatus.REJECTED:
        booking = booking_transition(booking=booking, action="reject", actor=staff, reason="已满")
    elif status == BookingStatus.CANCELLED:
        booking = booking_transition(booking=booking, action="cancel", actor=staff)
    return booking


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(RULES))
def test_transition_table(centre, staff, status, action):
    _venue, room = centre
    booking = _booking_in(room, status, staff)
    # used/no-show are recorded once the booking has begun
    later = booking.starts_at + timedelta(minutes=10) if action in ("used", "no_show") else timezone.now()
    target = TABLE.get((status, action))
    if target is None:
        with pytest.raises(IllegalTransition):
            booking_transition(booking=booking, action=action, actor=staff, reason="理由", now=later)
        return
    done = booking_transition(booking=booking, action=action, actor=staff, reason="理由", now=later)
    assert done.status == target
    assert BookingTransition.objects.filter(booking=booking, action=action, to_status=target).count() == 1


def test_used_before_the_booking_begins_is_refused(centre, staff):
    _venue, room = centre
    booking = _booking_in(room, BookingStatus.APPROVED, staff)
    with pytest.raises(ValidationError):
        booking_transition(booking=booking, action="used", actor=staff)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


def test_reject_needs_a_reason(centre, staff):
    _venue, room = centre
    booking, _token = resident_booking(room)
    with pytest.raises(ValidationError):
        booking_transition(booking=booking, action="reject", actor=staff, reason=" ")


def test_stale_version_is_a_conflict(centre, staff):
    _venue, room = centre
    booking, _token = resident_booking(room)
    with pytest.raises(BookingConflict):
        booking_transition(booking=booking, action="approve", actor=staff, version=booking.version + 1)


def test_who_may_act(centre, staff, other_staff, street, liaison, member):
    _venue, room = centre
    booking, token = resident_booking(room)
    for outsider in (other_staff, liaison, member):
        with pytest.raises(PermissionDenied):
            booking_transition(booking=booking, action="approve", actor=outsider)
    # the resident may cancel with the right token only, and may not approve
    with pytest.raises(PermissionDenied):
        booking_transition(booking=booking, action="cancel", actor=RESIDENT, token="wrong")
    with pytest.raises(PermissionDenied):
        booking_transition(booking=booking, action="approve", actor=RESIDENT, token=token)
    # the street keeps its communities' venues
    assert booking_transition(booking=booking, action="approve", actor=street).status == "approved"


def test_partner_liaison_keeps_their_units_venue_only(shared_home, centre, liaison):
    _home, home_room = shared_home
    _centre, centre_room = centre
    own, _t = resident_booking(home_room)
    other, _t = resident_booking(centre_room)
    assert booking_transition(booking=own, action="approve", actor=liaison).status == "approved"
    with pytest.raises(PermissionDenied):
        booking_transition(booking=other, action="approve", actor=liaison)
    with pytest.raises(PermissionDenied):
        venue_update(venue=_centre, actor=liaison, name="改名")


def test_member_books_with_account_and_cancels(centre, member):
    _venue, room = centre
    start, end = slot()
    booking, _token = booking_create(
        actor=member, room=room, starts_at=start, ends_at=end, purpose="党小组会"
    )
    assert booking.status == BookingStatus.REQUESTED and booking.user == member
    assert booking.phone_encrypted == ""
    assert booking_transition(booking=booking, action="cancel", actor=member).status == "cancelled"


def test_keepers_are_told_of_a_request_and_the_member_of_the_answer(centre, staff, member):
    _venue, room = centre
    start, end = slot()
    booking, _token = booking_create(
        actor=member, room=room, starts_at=start, ends_at=end, purpose="党小组会"
    )
    outbox_process()
    assert Notification.objects.filter(user=staff).count() == 1
    booking_transition(booking=booking, action="approve", actor=staff)
    outbox_process()
    assert Notification.objects.filter(user=member).count() == 1
    assert Notification.objects.filter(user=staff).count() == 1


def test_hours_duty_and_service_records_are_checked(centre, staff):
    venue, _room = centre
    with pytest.raises(ValidationError):
        hours_clean(["8点到5点"])
    assert hours_clean(["08:30-12:00,14:00-17:30"])[0] == "08:30-12:00,14:00-17:30"
    from datetime import time

    with pytest.raises(ValidationError):
        duty_slot_create(venue=venue, actor=staff, name="李书记", starts=time(9), ends=time(8), weekday=0)
    duty_slot_create(venue=venue, actor=staff, name="李书记", starts=time(9), ends=time(11), weekday=0)
    with pytest.raises(ValidationError):
        service_record_create(
            venue=venue,
            actor=staff,
            on=timezone.localdate() + timedelta(days=1),
            kind="errand",
            people_served=3,
        )
    record = service_record_create(
        venue=venue, actor=SYSTEM, on=timezone.localdate(), kind="errand", people_served=3
    )
    assert record.region_path == venue.region.path
