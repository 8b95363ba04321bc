"""The activities and teams lists as the pages, their counts and their Excel exports read them:
one filter form and one selector per list, so a page and its export never differ."""

from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from tongxin.activities import selectors
from tongxin.activities.models import Activity, ActivityKind, ActivityStatus, Team, TeamKind
from tongxin.audit.exports import export_view, xlsx_response
from tongxin.core.access import login_only
from tongxin.core.periods import PeriodForm, selection
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.core.xlsx import Column, field, related_name

ACTIVITY_PERIOD_HELP = _lazy("The period is the day the activity starts.")
TEAM_PERIOD_HELP = _lazy("The period is the day the team was set up.")


def may_list_area(user: Any) -> bool:
    """Who sees the area's activities list: members.view, or a publisher (officials, liaisons)."""
    return has_capability(user, Capability.MEMBERS_VIEW) or (
        has_capability(user, Capability.MEMBERS_MANAGE) or selectors.unit_choices_for(user).exists()
    )


activity_selection = selection(
    partial(PeriodForm, kinds=ActivityKind.choices, period_help=ACTIVITY_PERIOD_HELP),
    selectors.activities_listed,
)
team_selection = selection(
    partial(PeriodForm, kinds=TeamKind.choices, period_help=TEAM_PERIOD_HELP), selectors.teams_listed
)


def _given_hours(activity: Any) -> Any:
    """Hours credited to the attendees together (known once attendance is confirmed)."""
    return activity.attended_count * activity.hours if activity.status == ActivityStatus.CONFIRMED else 0


ACTIVITY_COLUMNS = [
    field(Activity, "title", width=36),
    field(Activity, "kind", width=22),
    Column(_lazy("Area"), related_name("region.name"), width=18),
    Column(_lazy("Organised by"), lambda a: a.unit.name if a.unit else related_name("organisation.name")(a)),
    field(Activity, "starts_at", width=17),
    field(Activity, "ends_at", width=17),
    field(Activity, "place", width=24),
    field(Activity, "status", width=10),
    field(Activity, "places", width=10),
    Column(_lazy("Signed up"), lambda a: a.signed, width=10, total=True),
    Column(_lazy("Attended"), lambda a: a.attended_count, width=10, total=True),
    field(Activity, "hours", width=10),
    Column(_lazy("Service hours given"), _given_hours, width=12, total=True),
]

TEAM_COLUMNS = [
    field(Team, "name", width=28),
    field(Team, "kind", width=26),
    Column(_lazy("Area served"), related_name("region.name"), width=18),
    Column(_lazy("Party organisation"), related_name("organisation.name"), width=26),
    field(Team, "active", width=8),
    Column(_lazy("Set up on"), lambda t: t.created_at, width=17),
    Column(_lazy("Roster"), lambda t: t.size, width=10, total=True),
]


@login_only
@require_GET
def activity_export(request: HttpRequest) -> HttpResponse:
    if not may_list_area(request.user):
        raise PermissionDenied
    form, activities = activity_selection(request)
    return xlsx_response(
        request,
        form,
        activities,
        ACTIVITY_COLUMNS,
        name="activities",
        title=_("Activities"),
        back=reverse("activities:index"),
    )


team_export = login_only(
    export_view(
        team_selection,
        TEAM_COLUMNS,
        name="teams",
        title=_lazy("Teams"),
        back="activities:teams",
    )
)
