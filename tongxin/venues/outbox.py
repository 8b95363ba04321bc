"""What a step of a booking tells, and to whom: the venues' part of the one outbox
(notifications/outbox.py). A request waiting for approval, and a cancellation, tell the venue's
keepers; an approval, a refusal or a keeper's cancellation tell a booker who has an account (a
resident without one reads their private link)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.notifications.outbox import Message, outbox_source
from tongxin.notifications.recipients import liaisons_of, officials_at
from tongxin.venues.access import MANAGE
from tongxin.venues.models import BookingStatus, BookingTransition, Venue
from tongxin.venues.workflow import BOOKER, BOOKER_AUDIENCE, KEEPER, KEEPER_AUDIENCE, RULES, BookingAction


def keepers_of(venue: Venue) -> list[User]:
    """The venue's keepers: its unit's liaisons (共享家园), and the staff of its community."""
    users = {u.pk: u for u in officials_at([venue.region_id], capability=MANAGE)}
    if venue.unit_id is not None:
        users.update({u.pk: u for u in liaisons_of(venue.unit)})
    return list(users.values())


@outbox_source(
    "booking-transition", BookingTransition, related=("booking", "booking__venue", "booking__room")
)
def booking_message(row: BookingTransition) -> Message | None:
    booking = row.booking
    venue = booking.venue
    audiences: set[str] = set()
    if row.action == BookingAction.REQUEST:
        if row.to_status == BookingStatus.REQUESTED:
            audiences.add(KEEPER_AUDIENCE)
    else:
        rule = RULES.get(row.action)
        if rule is None:
            return None
        audiences |= set(rule.audiences_for(row))
        # who acted is not told: a booker's cancellation tells the keepers, a keeper's the booker
        if BOOKER in row.data.get("by", []):
            audiences.discard(BOOKER_AUDIENCE)
        elif KEEPER in row.data.get("by", []):
            audiences.discard(KEEPER_AUDIENCE)
    users: list[User] = []
    if KEEPER_AUDIENCE in audiences:
        users += keepers_of(venue)
    if BOOKER_AUDIENCE in audiences and booking.user_id is not None:
        users += list(User.objects.filter(pk=booking.user_id, is_active=True))
    if not users:
        return None
    values = {"room": str(booking.room), "code": booking.code, "status": booking.get_status_display()}
    titles = {
        BookingAction.REQUEST: _("A booking of %(room)s waits for approval (%(code)s)."),
        BookingAction.APPROVE: _("Your booking %(code)s of %(room)s is approved."),
        BookingAction.REJECT: _("Your booking %(code)s of %(room)s was not approved."),
        BookingAction.CANCEL: _("The booking %(code)s of %(room)s was cancelled."),
    }
    title = titles.get(BookingAction(row.action), _("Booking %(code)s: %(status)s.")) % values
    # keepers open the booking's page; a booker with an account their own bookings
    url = booking.get_absolute_url() if KEEPER_AUDIENCE in audiences else reverse("venues:mine")
    return Message(users=users, title=title, body=row.reason, url=url)
