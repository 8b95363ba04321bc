"""The life of a booking as data: one rule per action (core.workflow).

requested → approved → used / no-show; requested → rejected; requested/approved → cancelled.
`venues.services.booking_transition` is the one function that moves a booking: it locks the row,
checks the version and the party, asks the rule and writes one BookingTransition (the history and
the outbox). A new booking starts as requested, or approved at once where the venue needs no
approval or its keeper books it (`booking_create`, which writes the first row the same way).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.actors import Actor
from tongxin.core.workflow import Labels, Rule, by_action
from tongxin.venues.models import Booking, BookingStatus

KEEPER = "keeper"  # venues.manage where the venue is, or a liaison of the unit that opens it
BOOKER = "booker"  # the account that booked, or the holder of the private link

KEEPER_AUDIENCE = "keeper"
BOOKER_AUDIENCE = "booker"


class BookingAction(StrEnum):
    REQUEST = "request"  # the first row: written by booking_create, not a rule
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    USED = "used"
    NO_SHOW = "no_show"


def _has_begun(booking: Booking, actor: Actor, reason: str, now: datetime, params: dict[str, Any]) -> None:
    if booking.starts_at > now:
        raise ValidationError(_("The booking has not begun yet: record this once its time has come."))


def _not_over(booking: Booking, actor: Actor, reason: str, now: datetime, params: dict[str, Any]) -> None:
    if booking.ends_at <= now:
        raise ValidationError(_("The booking's time is over: it can no longer be changed this way."))


RULES: dict[str, Rule[Booking]] = by_action(
    [
        Rule(
            action=BookingAction.APPROVE,
            sources={BookingStatus.REQUESTED},
            target=BookingStatus.APPROVED,
            who={KEEPER},
            effect=_not_over,
            audiences={BOOKER_AUDIENCE},
            labels=Labels(
                timeline=pgettext_lazy("booking history", "Approved"),
                button=_("Approve"),
                public=_("The venue approved your booking."),
            ),
        ),
        Rule(
            action=BookingAction.REJECT,
            sources={BookingStatus.REQUESTED},
            target=BookingStatus.REJECTED,
            who={KEEPER},
            needs_reason=True,
            audiences={BOOKER_AUDIENCE},
            labels=Labels(
                timeline=pgettext_lazy("booking history", "Not approved"),
                button=_("Decline, giving the reason"),
                public=_("The venue could not approve your booking."),
                reason=_("Reason, shown to the booker"),
            ),
        ),
        Rule(
            action=BookingAction.CANCEL,
            sources={BookingStatus.REQUESTED, BookingStatus.APPROVED},
            target=BookingStatus.CANCELLED,
            who={KEEPER, BOOKER},
            effect=_not_over,
            audiences={KEEPER_AUDIENCE, BOOKER_AUDIENCE},
            labels=Labels(
                timeline=pgettext_lazy("booking history", "Cancelled"),
                button=_("Cancel the booking"),
                public=_("The booking was cancelled."),
            ),
        ),
        Rule(
            action=BookingAction.USED,
            sources={BookingStatus.APPROVED},
            target=BookingStatus.USED,
            who={KEEPER},
            effect=_has_begun,
            labels=Labels(
                timeline=pgettext_lazy("booking history", "Used"),
                button=_("They came"),
                public=_("The room was used."),
            ),
        ),
        Rule(
            action=BookingAction.NO_SHOW,
            sources={BookingStatus.APPROVED},
            target=BookingStatus.NO_SHOW,
            who={KEEPER},
            effect=_has_begun,
            labels=Labels(
                timeline=pgettext_lazy("booking history", "Did not come"),
                button=_("They did not come"),
                public=_("Recorded as not used."),
            ),
        ),
    ]
)

FIRST_LABEL = pgettext_lazy("booking history", "Booked")


def actions_from(status: str, parties: set[str]) -> list[Rule[Booking]]:
    """The actions a party may take on a booking in `status` (for the buttons of a page)."""
    return [rule for rule in RULES.values() if rule.leaves(status) and set(rule.who) & parties]


def timeline_label(action: str) -> Any:
    rule = RULES.get(action)
    return rule.labels.timeline if rule is not None else FIRST_LABEL
