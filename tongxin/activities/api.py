"""/api/v1/activities: activities, sign-up, attendance confirmed by the organiser; teams and call-outs."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tongxin.activities import selectors, services
from tongxin.activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Callout,
    CalloutResponse,
    SignUp,
    Team,
    TeamKind,
    TeamMember,
)
from tongxin.cases.selectors import cases_visible
from tongxin.core.api import listed, reference, require_in_scope, required
from tongxin.core.periods import PeriodFilters, period_check
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page
from tongxin.organisations.selectors import organisations_visible
from tongxin.people.selectors import people_visible
from tongxin.regions.selectors import regions_visible

router = Router()
VIEW, MANAGE = Capability.MEMBERS_VIEW, Capability.MEMBERS_MANAGE


class ActivityOut(Schema):
    id: int
    title: str
    kind: str
    region_id: int
    organisation_id: int | None
    unit_id: int | None
    starts_at: datetime
    ends_at: datetime
    place: str
    places: int | None
    signed: int = 0
    audience: str
    signup_until: datetime | None
    hours: Decimal
    description: str
    summary: str
    status: str


class ActivityIn(Schema):
    title: str
    kind: str
    region: int | None = None
    organisation: int | None = None
    unit: int | None = None
    starts_at: datetime
    ends_at: datetime
    place: str
    places: int | None = None
    audience: str = "members"
    signup_until: datetime | None = None
    hours: Decimal | None = None
    description: str = ""


class SignUpOut(Schema):
    id: int
    activity_id: int
    person_id: int
    person_name: str
    signed_up_at: datetime | None
    cancelled_at: datetime | None
    walk_in: bool
    attended: bool | None

    @staticmethod
    def resolve_person_name(obj: SignUp) -> str:
        return obj.person.name


class AttendanceIn(Schema):
    attended: list[int]
    walk_ins: list[int] = []
    summary: str | None = None


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    region_id: int
    organisation_id: int | None
    description: str
    active: bool
    responder_id: int | None


class TeamIn(Schema):
    name: str
    kind: str
    region: int
    organisation: int | None = None
    description: str = ""


class TeamMemberOut(Schema):
    id: int
    person_id: int
    person_name: str
    role: str
    skills: str
    joined_on: date

    @staticmethod
    def resolve_person_name(obj: TeamMember) -> str:
        return obj.person.name


class TeamMemberIn(Schema):
    person: int
    role: str = "member"
    skills: str = ""


class CalloutIn(Schema):
    case: str
    note: str = ""


class CalloutOut(Schema):
    id: int
    team_id: int
    case_id: int
    note: str
    called_at: datetime
    closed_at: datetime | None


class AnswerIn(Schema):
    answer: str
    note: str = ""


class AnswerOut(Schema):
    callout_id: int
    person_id: int
    answer: str
    note: str
    answered_at: datetime


# ---- activities -------------------------------------------------------------------------------


class ActivityFilters(PeriodFilters):
    area: bool = Field(False, description="every activity of your area (the area list and its export)")
    upcoming: bool | None = Field(
        None, description="only those not ended yet; by default true unless a period is given"
    )
    kind: ActivityKind | None = None


@router.get(
    "", response={200: list[ActivityOut], **ERRORS}, summary="Activities open to you, or of your area"
)
@paginate(Page)
def activity_list(request: HttpRequest, filters: Query[ActivityFilters]) -> QuerySet[Activity]:
    """By default the published activities you may sign up for; `area=true`: every activity of your
    area, as on the page and in its export. `since`/`until` filter on the day the activity starts."""
    user = request.user
    period_check(filters.since, filters.until)
    since, until, kind = filters.since, filters.until, filters.kind or ""
    if filters.area:
        activities = selectors.activities_listed(user, since=since, until=until, kind=kind)
    else:
        activities = selectors.activities_filter(
            selectors.activities_open_to(user).filter(status=ActivityStatus.PUBLISHED),
            since=since,
            until=until,
            kind=kind,
        )
    upcoming = filters.upcoming
    if upcoming is None:
        upcoming = filters.since is None and filters.until is None
    if upcoming:
        activities = activities.filter(ends_at__gte=timezone.now())
    return activities.order_by("starts_at", "id")


@router.post("", response={201: ActivityOut, **ERRORS}, summary="Publish an activity")
def activity_create(request: HttpRequest, payload: ActivityIn) -> Status[Activity]:
    """Needs members.manage over the area, or a liaison's own partner unit (then the unit's area)."""
    user = request.user
    data = payload.dict()
    unit = reference(selectors.unit_choices_for(user), data.pop("unit"), field="unit")
    region = reference(regions_visible(user), data.pop("region"), field="region")
    organisation = reference(organisations_visible(user), data.pop("organisation"), field="organisation")
    if region is None:
        if unit is None:
            raise PermissionDenied
        region = unit.region
    activity = services.activity_create(
        organiser=user, region=region, organisation=organisation, unit=unit, **data
    )
    return Status(201, selectors.activity_get_for(user, activity.pk))


@router.get("/{id}", response={200: ActivityOut, 404: ErrorOut}, summary="An activity")
def activity_detail(request: HttpRequest, id: int) -> Activity:
    return selectors.activity_get_for(request.user, id)


@router.post("/{id}/signup", response={200: SignUpOut, **ERRORS}, summary="Sign up")
def signup(request: HttpRequest, id: int) -> SignUp:
    activity = selectors.activity_get_for(request.user, id)
    return services.signup_create(activity=activity, user=request.user)


@router.delete("/{id}/signup", response={204: None, **ERRORS}, summary="Withdraw a sign-up")
def signup_cancel(request: HttpRequest, id: int) -> Status[None]:
    activity = selectors.activity_get_for(request.user, id)
    services.signup_cancel(activity=activity, user=request.user)
    return Status(204, None)


def _manageable(request: HttpRequest, id: int) -> Activity:
    activity = selectors.activity_get_for(request.user, id)
    if not selectors.may_manage_activity(request.user, activity):
        raise PermissionDenied
    return activity


@router.get("/{id}/signups", response={200: list[SignUpOut], **ERRORS}, summary="Who signed up (organiser)")
def signup_list(request: HttpRequest, id: int) -> QuerySet[SignUp]:
    return selectors.signups_of(_manageable(request, id))


@router.post(
    "/{id}/attendance", response={200: ActivityOut, **ERRORS}, summary="Confirm attendance (organiser)"
)
def attendance(request: HttpRequest, id: int, payload: AttendanceIn) -> Activity:
    """`attended`: sign-up ids; `walk_ins`: people (in your area) who came without signing up.
    Confirming puts the activity on each attendee's service record."""
    activity = _manageable(request, id)
    people = people_visible(request.user, capability=VIEW)
    walk_ins = [required(people, pk, field="walk_ins") for pk in payload.walk_ins]
    services.attendance_confirm(
        activity=activity,
        actor=request.user,
        attended=payload.attended,
        walk_ins=walk_ins,
        summary=payload.summary,
    )
    return selectors.activity_get_for(request.user, id)


@router.post("/{id}/cancel", response={200: ActivityOut, **ERRORS}, summary="Cancel an activity (organiser)")
def cancel(request: HttpRequest, id: int) -> Activity:
    services.activity_cancel(activity=_manageable(request, id), actor=request.user)
    return selectors.activity_get_for(request.user, id)


# ---- teams ------------------------------------------------------------------------------------


class TeamFilters(PeriodFilters):
    kind: TeamKind | None = None


@router.get("/teams/", response={200: list[TeamOut], **ERRORS}, summary="Teams of your area and your own")
@paginate(Page)
def team_list(request: HttpRequest, filters: Query[TeamFilters]) -> QuerySet[Team]:
    """As on the teams page; `since`/`until` filter on the day the team was set up."""
    return listed(request, selectors.teams_listed, filters, capability=None)


@router.post("/teams/", response={201: TeamOut, **ERRORS}, summary="Create a team")
def team_create(request: HttpRequest, payload: TeamIn) -> Status[Team]:
    user = request.user
    region = required(regions_visible(user), payload.region, field="region")
    require_in_scope(user, MANAGE, region)
    organisation = reference(organisations_visible(user), payload.organisation, field="organisation")
    team = services.team_create(
        name=payload.name,
        kind=payload.kind,
        region=region,
        organisation=organisation,
        description=payload.description,
    )
    return Status(201, team)


@router.get(
    "/teams/{id}/members", response={200: list[TeamMemberOut], 404: ErrorOut}, summary="A team's roster"
)
def roster(request: HttpRequest, id: int) -> QuerySet[TeamMember]:
    return selectors.roster_of(selectors.team_get(request.user, id))


def _managed_team(request: HttpRequest, id: int) -> Team:
    team = selectors.team_get(request.user, id)
    require_in_scope(request.user, MANAGE, team.region)
    return team


@router.post("/teams/{id}/members", response={201: TeamMemberOut, **ERRORS}, summary="Add to a team")
def roster_add(request: HttpRequest, id: int, payload: TeamMemberIn) -> Status[TeamMember]:
    team = _managed_team(request, id)
    person = required(people_visible(request.user, capability=MANAGE), payload.person, field="person")
    member = services.team_member_add(team=team, person=person, role=payload.role, skills=payload.skills)
    return Status(201, member)


@router.post(
    "/teams/{id}/callouts", response={201: CalloutOut, **ERRORS}, summary="Call a team out to a case"
)
def callout_create(request: HttpRequest, id: int, payload: CalloutIn) -> Status[Callout]:

    team = _managed_team(request, id)
    case = cases_visible(request.user).filter(tracking_code=payload.case.strip()).first()
    if case is None:
        raise ValidationError({"case": [_("There is no such case in your area.")]})
    return Status(201, services.callout_create(team=team, case=case, actor=request.user, note=payload.note))


@router.get("/callouts/", response=list[CalloutOut], summary="Open call-outs of my teams")
def my_callouts(request: HttpRequest) -> QuerySet[Callout]:
    return selectors.open_callouts_for(request.user)


@router.post("/callouts/{id}/answer", response={200: AnswerOut, **ERRORS}, summary="Answer a call-out")
def callout_answer(request: HttpRequest, id: int, payload: AnswerIn) -> CalloutResponse:
    callout = selectors.callout_get_for_member(request.user, id)
    return services.callout_respond(
        callout=callout, user=request.user, answer=payload.answer, note=payload.note
    )
