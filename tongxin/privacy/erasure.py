"""Erasing personal data: the retention job and a granted deletion request call the same functions.

Each takes a queryset and erases in one UPDATE: the encrypted column and its blind index are
cleared together, so an erased phone can neither be read nor found. Each returns the number of
rows it changed; callers write one audit row with the counts (never the data itself).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.cases.models import Case
from tongxin.core.actors import Actor
from tongxin.partylife.models import MobileMember
from tongxin.people.models import Person
from tongxin.privacy.conf import value
from tongxin.privacy.models import RequestStatus, SubjectRequest
from tongxin.venues.models import Booking, BookingStatus, BookingTransition

ERASED_NAME = "（已删除）"  # what stands where a register entry's name was


def erase_case_reporters(cases: QuerySet[Case]) -> int:
    """The resident's name and phone on these cases (the case itself stays: figures, history)."""
    return cases.filter(
        ~Q(reporter_name="") | ~Q(reporter_phone_encrypted="") | ~Q(reporter_phone_hash="")
    ).update(reporter_name="", reporter_phone_encrypted="", reporter_phone_hash="")


def expire_tracking_links(cases: QuerySet[Case]) -> int:
    """The resident's private link (track and rate) stops working: the token is gone."""
    return cases.filter(~Q(tracking_token_encrypted="") | ~Q(rating_token_hash="")).update(
        tracking_token_encrypted="", rating_token_hash=""
    )


def erase_mobile_contacts(records: QuerySet[MobileMember]) -> int:
    return records.exclude(contact_encrypted="").update(contact_encrypted="")


def erase_request_contacts(requests: QuerySet[SubjectRequest], *, now: datetime) -> int:
    return requests.filter(erased_at__isnull=True).update(
        requester_name="", phone_encrypted="", phone_hash="", detail="", erased_at=now
    )


def erase_booking_contacts(bookings: QuerySet[Booking]) -> int:
    """A resident booker's name and phone, and the private link (the booking stays: the figures
    count it, the room's history shows it)."""
    return bookings.filter(~Q(booker_name="") | ~Q(phone_encrypted="") | ~Q(phone_hash="")).update(
        booker_name="", phone_encrypted="", phone_hash="", token_hash=""
    )


def bookings_done_before(cutoff: datetime) -> QuerySet[Booking]:
    """Bookings that ended at or before `cutoff`, or were cancelled or not approved at or before it."""
    ended_early = BookingTransition.objects.filter(
        booking=OuterRef("pk"),
        to_status__in=[BookingStatus.CANCELLED, BookingStatus.REJECTED],
        at__lte=cutoff,
    )
    return Booking.objects.filter(
        Q(ends_at__lte=cutoff)
        | Q(status__in=[BookingStatus.CANCELLED, BookingStatus.REJECTED]) & Exists(ended_early)
    )


def erase_people(people: QuerySet[Person]) -> int:
    """A register entry's personal data; the row stays (positions, sign-ups and figures point at it)."""
    return people.exclude(name=ERASED_NAME).update(
        name=ERASED_NAME,
        gender="",
        birth_date=None,
        ethnicity="",
        address="",
        employer="",
        phone_encrypted="",
        phone_hash="",
        phone_last4="",
        id_card_encrypted="",
        id_card_hash="",
    )


def retention_due(now: datetime) -> dict[str, int]:
    """Erase what has outlived its retention period at `now`; the counts per kind."""
    days = timedelta(days=1)
    reporter_cutoff = now - value("TONGXIN_PRIVACY_CASE_REPORTER_DAYS") * days
    link_cutoff = now - value("TONGXIN_PRIVACY_TRACKING_LINK_DAYS") * days
    mobile_cutoff = (now - value("TONGXIN_PRIVACY_MOBILE_CONTACT_DAYS") * days).date()
    request_cutoff = now - value("TONGXIN_PRIVACY_REQUEST_DAYS") * days
    booking_cutoff = now - value("TONGXIN_PRIVACY_BOOKING_CONTACT_DAYS") * days
    return {
        "case_reporters": erase_case_reporters(Case.objects.filter(closed_at__lte=reporter_cutoff)),
        "tracking_links": expire_tracking_links(Case.objects.filter(closed_at__lte=link_cutoff)),
        "mobile_contacts": erase_mobile_contacts(
            MobileMember.objects.filter(returned_on__isnull=False, returned_on__lte=mobile_cutoff)
        ),
        "requests": erase_request_contacts(
            SubjectRequest.objects.filter(
                status__in=[RequestStatus.COMPLETED, RequestStatus.REFUSED], answered_at__lte=request_cutoff
            ),
            now=now,
        ),
        "booking_contacts": erase_booking_contacts(bookings_done_before(booking_cutoff)),
    }


def retention_run(*, actor: Actor, now: datetime) -> dict[str, int]:
    """One run of the retention schedule, with one audit row of counts."""
    with transaction.atomic():
        counts = retention_due(now)
        audit_record(
            action=Action.PI_ERASED,
            actor=actor,
            target="retention",
            detail={"reason": "retention", **counts},
        )
    return counts
