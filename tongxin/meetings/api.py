"""Joint meetings (/meetings): plan, call, attendance, minutes, decisions through 两委三会四议,
follow-up tasks, and claiming needs at the meeting."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.core.api import ApiError, reference, require_capability
from tongxin.core.periods import PeriodFilters, period_check
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page
from tongxin.lists.schemas import NeedOut
from tongxin.lists.selectors import need_get
from tongxin.lists.services import AlreadyClaimed, need_claim
from tongxin.meetings import services
from tongxin.meetings.models import Meeting, MeetingKind, MeetingStatus, TaskStatus
from tongxin.meetings.schemas import (
    AttendanceIn,
    DecisionIn,
    DecisionOut,
    DoneIn,
    MeetingClaimIn,
    MeetingCreateIn,
    MeetingDetailOut,
    MeetingOut,
    MinutesIn,
    StepIn,
    TaskIn,
    TaskOut,
)
from tongxin.meetings.selectors import (
    decision_get,
    meeting_get,
    meetings_listed,
    task_get,
    tasks_visible,
)
from tongxin.partners.selectors import alliances_visible, units_visible
from tongxin.regions.selectors import regions_visible

router = Router()

VIEW, MANAGE = Capability.PARTNERS_VIEW, Capability.PARTNERS_MANAGE


class MeetingFilters(PeriodFilters):
    kind: MeetingKind | None = None
    status: MeetingStatus | None = None
    alliance: int | None = None


@router.get("", response={200: list[MeetingOut], **ERRORS}, summary="List joint meetings")
@paginate(Page)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]) -> QuerySet[Meeting]:
    """As on the meetings page; `since`/`until` apply to the day a meeting was held, or the day it
    is scheduled for while it is not held."""
    require_capability(request.user, VIEW)
    period_check(filters.since, filters.until)
    meetings = meetings_listed(
        request.user, since=filters.since, until=filters.until, kind=filters.kind or ""
    )
    status, alliance = filters.status, filters.alliance
    if status:
        meetings = meetings.filter(status=status)
    if alliance is not None:
        meetings = meetings.filter(alliance_id=alliance)
    return meetings


@router.post("", response={201: MeetingDetailOut, **ERRORS}, summary="Plan a meeting")
def meeting_create(request: HttpRequest, payload: MeetingCreateIn) -> Status[Meeting]:
    require_capability(request.user, MANAGE)
    user = request.user
    units = None
    if payload.invite_units is not None:
        units = list(units_visible(user).filter(pk__in=payload.invite_units))
        if len(units) != len(set(payload.invite_units)):
            raise ValidationError({"invite_units": [_("There is no such record in your area.")]})
    meeting = services.meeting_schedule(
        actor=user,
        title=payload.title,
        scheduled_at=payload.scheduled_at,
        alliance=reference(alliances_visible(user), payload.alliance, field="alliance"),
        region=reference(regions_visible(user, capability=MANAGE), payload.region, field="region"),
        kind=payload.kind,
        place=payload.place,
        agenda=payload.agenda,
        invite_units=units,
    )
    return Status(201, meeting)


@router.get("/tasks", response=list[TaskOut], summary="Follow-up tasks")
@paginate(Page)
def task_list(request: HttpRequest, open: bool | None = None) -> QuerySet[Any]:
    require_capability(request.user, VIEW)
    tasks = tasks_visible(request.user)
    if open is not None:
        tasks = tasks.filter(status=TaskStatus.OPEN) if open else tasks.exclude(status=TaskStatus.OPEN)
    return tasks.order_by("due_on", "id")


@router.post("/tasks/{id}/done", response={200: TaskOut, **ERRORS}, summary="Mark a task done")
def task_done(request: HttpRequest, id: int, payload: DoneIn) -> Any:
    """The owner unit's liaison, the owner account, or the organiser."""
    require_capability(request.user, VIEW)
    return services.task_done(task=task_get(request.user, id), actor=request.user, note=payload.note)


@router.post(
    "/decisions/{id}/steps",
    response={200: DecisionOut, 409: ErrorOut, **ERRORS},
    summary="Take a step of a decision",
)
def decision_step(request: HttpRequest, id: int, payload: StepIn) -> Any:
    """两委三会四议: discuss (商议), adopt or reject (审议), evaluate (评议); see meetings.workflow."""
    require_capability(request.user, MANAGE)
    decision = decision_get(request.user, id)
    try:
        services.decision_step(
            decision=decision, action=payload.action, actor=request.user, note=payload.note
        )
    except services.DecisionConflict as exc:
        raise ApiError(409, "conflict", str(exc))
    return decision_get(request.user, id)


@router.post(
    "/decisions/{id}/tasks", response={201: TaskOut, **ERRORS}, summary="Track a task of an adopted decision"
)
def task_create(request: HttpRequest, id: int, payload: TaskIn) -> Status[Any]:
    require_capability(request.user, MANAGE)
    decision = decision_get(request.user, id)
    task = services.task_create(
        decision=decision,
        actor=request.user,
        title=payload.title,
        due_on=payload.due_on,
        owner_unit=reference(units_visible(request.user), payload.owner_unit, field="owner_unit"),
        owner_name=payload.owner_name,
    )
    return Status(201, task)


@router.get("/{id}", response={200: MeetingDetailOut, 404: ErrorOut}, summary="Get a meeting")
def meeting_detail(request: HttpRequest, id: int) -> Meeting:
    require_capability(request.user, VIEW)
    return meeting_get(request.user, id)


def _organised(request: HttpRequest, id: int) -> Meeting:
    require_capability(request.user, MANAGE)
    return meeting_get(request.user, id)


@router.post(
    "/{id}/call", response={200: MeetingDetailOut, **ERRORS}, summary="Call the meeting (send invitations)"
)
def meeting_call(request: HttpRequest, id: int) -> Meeting:
    services.meeting_call(meeting=_organised(request, id), actor=request.user)
    return meeting_get(request.user, id)


@router.post("/{id}/attendance", response={200: MeetingDetailOut, **ERRORS}, summary="Confirm who attended")
def meeting_attendance(request: HttpRequest, id: int, payload: AttendanceIn) -> Meeting:
    services.meeting_attendance(
        meeting=_organised(request, id), actor=request.user, attended=payload.attended
    )
    return meeting_get(request.user, id)


@router.post(
    "/{id}/minutes", response={200: MeetingDetailOut, **ERRORS}, summary="Record the meeting as held"
)
def meeting_minutes(request: HttpRequest, id: int, payload: MinutesIn) -> Meeting:
    services.meeting_record(
        meeting=_organised(request, id), actor=request.user, minutes=payload.minutes, held_at=payload.held_at
    )
    return meeting_get(request.user, id)


@router.post("/{id}/decisions", response={201: DecisionOut, **ERRORS}, summary="Propose a decision (提议)")
def decision_create(request: HttpRequest, id: int, payload: DecisionIn) -> Status[Any]:
    decision = services.decision_create(meeting=_organised(request, id), actor=request.user, **payload.dict())
    return Status(201, decision)


@router.post(
    "/{id}/claim", response={200: NeedOut, 409: ErrorOut, **ERRORS}, summary="Claim a need at the meeting"
)
def meeting_claim(request: HttpRequest, id: int, payload: MeetingClaimIn) -> Any:

    require_capability(request.user, VIEW)
    meeting = meeting_get(request.user, id)
    need = need_get(request.user, payload.need)
    unit = reference(units_visible(request.user), payload.unit, field="unit")
    assert unit is not None
    try:
        return need_claim(need=need, unit=unit, actor=request.user, meeting=meeting)
    except AlreadyClaimed as exc:
        raise ApiError(409, "already_claimed", exc.message)
