"""The 12345 exchange: tickets the hotline platforms handed down, counted where their case lies."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.roles import Capability
from tongxin.exchange.models import HotlineTicket
from tongxin.statistics.indicators._helpers import during
from tongxin.statistics.registry import Indicator, Source, register, section

S = section("exchange", _("12345 hotline"))

tickets = Source(
    "hotline_tickets",
    lambda: HotlineTicket.objects.select_related("case", "peer"),
    "case__region_path",
    Capability.CASES_VIEW,
)
TICKETS = pgettext_lazy("unit of a figure", "tickets")

register(
    Indicator(
        code="exchange.hotline_tickets",
        section=S,
        name=_("12345 tickets handed down"),
        unit=TICKETS,
        definition=_(
            "Tickets a 12345 hotline platform pushed to Tongxin in the period, each counted once "
            "however often it was pushed, in the grid or community of the case made from it."
        ),
        source=tickets,
        where=during("received_at"),
        month_field="received_at",
    ),
)
