"""The joint meetings list as its page, count, Excel export and API read it (one form, one selector)."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tongxin.audit.exports import export_view
from tongxin.core.access import requires
from tongxin.core.periods import PeriodForm, selection
from tongxin.core.roles import Capability
from tongxin.core.xlsx import Column, field
from tongxin.meetings.models import Meeting, MeetingKind
from tongxin.meetings.selectors import meetings_listed, with_attendance

PERIOD_HELP = _lazy("The period is the day a meeting was held, or the day it is scheduled for.")
WHEN = [("", _lazy("All meetings")), ("upcoming", _lazy("Coming")), ("held", _lazy("Held"))]


class MeetingListForm(PeriodForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:

        super().__init__(*args, kinds=MeetingKind.choices, period_help=PERIOD_HELP, **kwargs)
        self.fields["when"] = forms.ChoiceField(label=_("Show"), choices=WHEN, required=False)


meeting_selection = selection(MeetingListForm, meetings_listed)


def _where(meeting: Any) -> str:
    return meeting.alliance.name if meeting.alliance_id else meeting.region.name


COLUMNS = [
    field(Meeting, "title", width=36),
    field(Meeting, "kind", width=22),
    Column(_lazy("Alliance or area"), _where, width=26),
    field(Meeting, "scheduled_at", width=17),
    field(Meeting, "held_at", width=17),
    field(Meeting, "place", width=20),
    field(Meeting, "status", width=14),
    Column(_lazy("Invited"), lambda m: m.invited, width=9, total=True),
    Column(_lazy("Present"), lambda m: m.present, width=9, total=True),
    Column(_lazy("Decisions"), lambda m: m.decided, width=9, total=True),
]


meeting_export = requires(Capability.PARTNERS_VIEW)(
    export_view(
        meeting_selection,
        COLUMNS,
        name="joint-meetings",
        title=_lazy("Joint meetings"),
        back="meetings:index",
        prepare=lambda rows: with_attendance(rows),
    )
)
