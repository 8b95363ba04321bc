"""PIPL: a resident booker's name and phone are kept only for the period after the booking is over
(it ended, or was cancelled or not approved); then the privacy retention job erases them and the
private link, and the booking stays for the venue's figures."""

from datetime import datetime, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from tongxin.core.actors import RESIDENT, SYSTEM
from tongxin.privacy.conf import value
from tongxin.privacy.erasure import retention_run
from tongxin.venues.models import Booking, BookingStatus
from tongxin.venues.selectors import booking_by_link
from tongxin.venues.services import booking_create, booking_transition

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
# a Wednesday afternoon, inside the test venue's hours (08:00-21:00 every day)
STARTS = timezone.make_aware(datetime(2026, 3, 4, 14, 0))
ENDS = STARTS + timedelta(hours=2)
BOOKED = STARTS - timedelta(days=3)


def _resident_booking(room, *, starts=STARTS, ends=ENDS) -> tuple[Booking, str]:
    return booking_create(
        actor=RESIDENT,
        room=room,
        starts_at=starts,
        ends_at=ends,
        purpose="书法兴趣班",
        attendees=8,
        name="王阿姨",
        phone=PHONE,
        now=BOOKED,
    )


def _days() -> timedelta:
    return timedelta(days=value("TONGXIN_PRIVACY_BOOKING_CONTACT_DAYS"))


def test_the_default_period_is_ninety_days():
    assert value("TONGXIN_PRIVACY_BOOKING_CONTACT_DAYS") == 90


def test_the_name_and_phone_stay_until_the_last_second_of_the_period_then_go(centre):
    _venue, room = centre
    booking, token = _resident_booking(room)

    counts = retention_run(actor=SYSTEM, now=ENDS + _days() - timedelta(seconds=1))
    assert counts["booking_contacts"] == 0
    booking.refresh_from_db()
    assert booking.booker_name == "王阿姨" and booking.reveal_phone() == PHONE
    assert booking_by_link(booking.code, token) == booking

    counts = retention_run(actor=SYSTEM, now=ENDS + _days())
    assert counts["booking_contacts"] == 1
    booking.refresh_from_db()
    assert (booking.booker_name, booking.phone_encrypted, booking.phone_hash) == ("", "", "")
    assert booking.phone_masked == ""
    # the booking stays, for the figures and the room's history
    assert Booking.objects.filter(pk=booking.pk, purpose="书法兴趣班", attendees=8).exists()
    # and the private link stops working
    with pytest.raises(Http404):
        booking_by_link(booking.code, token)
    # a second run finds nothing more
    assert retention_run(actor=SYSTEM, now=ENDS + _days() + timedelta(days=1))["booking_contacts"] == 0


def test_a_cancelled_booking_counts_from_its_cancellation(centre):
    _venue, room = centre
    later = STARTS + timedelta(days=60)
    booking, token = _resident_booking(room, starts=later, ends=later + timedelta(hours=2))
    cancelled = BOOKED + timedelta(days=1)
    booking_transition(booking=booking, action="cancel", actor=RESIDENT, token=token, now=cancelled)
    assert (
        retention_run(actor=SYSTEM, now=cancelled + _days() - timedelta(seconds=1))["booking_contacts"] == 0
    )
    assert retention_run(actor=SYSTEM, now=cancelled + _days())["booking_contacts"] == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.booker_name == ""


def test_a_booking_not_approved_counts_from_the_keepers_answer(centre, staff):
    _venue, room = centre
    later = STARTS + timedelta(days=60)
    booking, _token = _resident_booking(room, starts=later, ends=later + timedelta(hours=2))
    answered = BOOKED + timedelta(days=2)
    booking_transition(booking=booking, action="reject", actor=staff, reason="当天有活动", now=answered)
    assert retention_run(actor=SYSTEM, now=answered + _days() - timedelta(days=1))["booking_contacts"] == 0
    assert retention_run(actor=SYSTEM, now=answered + _days())["booking_contacts"] == 1


def test_a_booking_still_to_come_keeps_its_booker(centre):
    _venue, room = centre
    later = STARTS + timedelta(days=80)
    booking, _token = _resident_booking(room, starts=later, ends=later + timedelta(hours=2))
    # long after the first booking's period, this one has not even started
    assert retention_run(actor=SYSTEM, now=later - timedelta(minutes=1))["booking_contacts"] == 0
    booking.refresh_from_db()
    assert booking.reveal_phone() == PHONE


def test_the_period_is_configuration(centre, settings):
    _venue, room = centre
    _resident_booking(room)
    settings.TONGXIN_PRIVACY_BOOKING_CONTACT_DAYS = 30
    assert retention_run(actor=SYSTEM, now=ENDS + timedelta(days=29))["booking_contacts"] == 0
    assert retention_run(actor=SYSTEM, now=ENDS + timedelta(days=30))["booking_contacts"] == 1
