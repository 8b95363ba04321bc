"""The 三会一课, development, mobile members and training lists as their pages, counts, Excel exports
and the API read them: one filter form and one selector per list, so a page and its export never
differ."""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _lazy

from tongxin.audit.exports import export_view
from tongxin.core.access import requires
from tongxin.core.periods import selection
from tongxin.core.roles import Capability
from tongxin.core.xlsx import Column, field, related_name
from tongxin.partylife import selectors
from tongxin.partylife.forms import (
    FileFilterForm,
    MobileFilterForm,
    PartyMeetingFilterForm,
    TrainingFilterForm,
)
from tongxin.partylife.models import DevelopmentFile, MobileMember, PartyMeeting, TrainingClass

VIEW = Capability.PARTYLIFE_VIEW


meeting_selection = selection(PartyMeetingFilterForm, selectors.party_meetings_listed)
file_selection = selection(FileFilterForm, selectors.files_listed)
mobile_selection = selection(MobileFilterForm, selectors.mobile_members_listed)
training_selection = selection(TrainingFilterForm, selectors.classes_listed)


def participant_rows(classes: QuerySet[TrainingClass]) -> Iterator[tuple[TrainingClass, Any, int, Any]]:
    """(class, participant, days attended, class hours attended): one row per participant."""
    for training in classes:
        for person, days, hours in selectors.class_hours(training):
            yield training, person, days, hours


MEETING_COLUMNS = [
    field(PartyMeeting, "held_on", width=12),
    field(PartyMeeting, "kind", width=26),
    field(PartyMeeting, "topic", width=40),
    Column(_lazy("Branch or group"), related_name("organisation.name"), width=28),
    field(PartyMeeting, "lecturer", width=10),
    field(PartyMeeting, "attendee_count", width=10, total=True),
]

FILE_COLUMNS = [
    Column(_lazy("Applicant"), related_name("person.name"), width=12),
    Column(_lazy("Branch"), related_name("branch.name"), width=28),
    field(DevelopmentFile, "stage", width=28),
    field(DevelopmentFile, "next_deadline", width=12),
    field(DevelopmentFile, "broken", width=10),
    field(DevelopmentFile, "closed", width=8),
    field(DevelopmentFile, "rules_version", width=12),
    Column(_lazy("Opened on"), lambda f: f.created_at, width=17),
]

MOBILE_COLUMNS = [
    Column(_lazy("Member"), related_name("person.name"), width=12),
    Column(_lazy("Home branch"), related_name("branch.name"), width=28),
    field(MobileMember, "current_place", width=28),
    Column(_lazy("Region where they are"), related_name("current_region.name"), width=16),
    field(MobileMember, "work", width=20),
    field(MobileMember, "certificate", width=14),
    field(MobileMember, "left_on", width=12),
    field(MobileMember, "returned_on", width=12),
    Column(_lazy("Service window"), related_name("window.name"), width=24),
    Column(_lazy("Window's region"), related_name("window.region.name"), width=16),
    Column(_lazy("Window's address"), related_name("window.address"), width=28),
    Column(_lazy("Window's phone"), related_name("window.phone"), width=14),
]

TRAINING_COLUMNS = [
    field(TrainingClass, "name", width=32),
    field(TrainingClass, "purpose", width=24),
    Column(_lazy("Held by"), related_name("organisation.name"), width=28),
    field(TrainingClass, "place", width=20),
    field(TrainingClass, "starts_on", width=12),
    field(TrainingClass, "ends_on", width=12),
    Column(_lazy("Sessions"), lambda t: t.session_count, width=9, total=True),
    Column(_lazy("Class hours"), lambda t: t.class_hours or 0, width=9, total=True),
    Column(_lazy("Participants"), lambda t: t.participant_count, width=9, total=True),
]

PARTICIPANT_COLUMNS = [
    Column(_lazy("Class"), lambda row: row[0].name, width=32),
    Column(_lazy("Dates"), lambda row: f"{row[0].starts_on:%Y-%m-%d} – {row[0].ends_on:%Y-%m-%d}", width=24),
    Column(_lazy("Participant"), lambda row: row[1].name, width=12),
    Column(_lazy("Where they live"), lambda row: row[1].region.name, width=18),
    Column(_lazy("Days attended"), lambda row: row[2], width=10, total=True),
    Column(_lazy("Class hours attended"), lambda row: row[3], width=12, total=True),
]


def _export(selection: Any, columns: list[Column], name: str, title: Any, page: str, **more: Any) -> Any:
    """The Excel download of the list page `partylife:<page>`."""
    return requires(VIEW)(
        export_view(selection, columns, name=name, title=title, back=f"partylife:{page}", **more)
    )


meeting_export = _export(
    meeting_selection, MEETING_COLUMNS, "party-meetings", _lazy("三会一课 meetings"), "meetings"
)
file_export = _export(
    file_selection, FILE_COLUMNS, "development-files", _lazy("Member development"), "development"
)
mobile_export = _export(mobile_selection, MOBILE_COLUMNS, "mobile-members", _lazy("Mobile members"), "mobile")
training_export = _export(
    training_selection,
    TRAINING_COLUMNS,
    "training-classes",
    _lazy("Training classes"),
    "training",
    prepare=selectors.with_class_figures,
)
# Every participant of the classes listed, with the days and class hours they attended.
participant_export = _export(
    training_selection,
    PARTICIPANT_COLUMNS,
    "training-participants",
    _lazy("Participants"),
    "training",
    prepare=lambda rows: rows.select_related("organisation"),
    rows=participant_rows,
)
