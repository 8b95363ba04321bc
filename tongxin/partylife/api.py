"""/api/v1/partylife: 三会一课 and compliance, member development, mobile members, training."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tongxin.core.api import listed, reference, require_capability, require_in_scope, required
from tongxin.core.periods import PeriodFilters, period_check
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page, Year
from tongxin.organisations.selectors import organisations_visible
from tongxin.partylife import selectors, services
from tongxin.partylife.models import (
    DevelopmentFile,
    MobileMember,
    PartyMeeting,
    PartyMeetingKind,
    StepKind,
    TrainingClass,
    TrainingPurpose,
    TrainingSession,
)
from tongxin.people.selectors import people_visible
from tongxin.regions.selectors import region_get

router = Router()
VIEW, MANAGE = Capability.PARTYLIFE_VIEW, Capability.PARTYLIFE_MANAGE


class MeetingOut(Schema):
    id: int
    organisation_id: int
    kind: str
    held_on: date
    topic: str
    attendee_count: int
    lecturer: str
    minutes: str


class MeetingIn(Schema):
    organisation: int
    kind: str
    held_on: date
    topic: str
    attendees: list[int] = []
    attendee_count: int | None = None
    lecturer: str = ""
    minutes: str = ""


class CellOut(Schema):
    first: date
    last: date
    state: str
    due: dict[str, int]
    met: dict[str, int]


class ComplianceOut(Schema):
    branch_id: int
    branch_name: str
    rules_version: str
    behind: int
    cells: list[CellOut]


class FindingOut(Schema):
    code: str
    message: str
    limit: date | None


class NextStepOut(Schema):
    kind: str
    earliest: date | None
    latest: date | None
    missing: list[str]


class StepOut(Schema):
    id: int
    kind: str
    on: date
    detail: dict[str, Any]
    note: str


class FileFields(Schema):
    id: int
    person_id: int
    person_name: str
    branch_id: int
    stage: str
    rules_version: str
    next_deadline: date | None
    broken: bool
    closed: bool


class FileOut(FileFields):
    @staticmethod
    def resolve_person_name(obj: DevelopmentFile) -> str:
        return obj.person.name


class FileDetailOut(FileFields):
    steps: list[StepOut]
    next_steps: list[NextStepOut]
    broken_rules: list[FindingOut]
    warnings: list[FindingOut]
    probation_ends: date | None


class FileIn(Schema):
    person: int
    branch: int
    application_on: date
    note: str = ""


class StepIn(Schema):
    kind: str
    on: date
    detail: dict[str, Any] = {}
    note: str = ""


class MobileOut(Schema):
    id: int
    person_id: int
    branch_id: int
    current_place: str
    work: str
    contact: str
    window_id: int | None
    left_on: date
    returned_on: date | None

    @staticmethod
    def resolve_contact(obj: MobileMember) -> str:
        return obj.contact_masked


class MobileIn(Schema):
    person: int
    current_place: str
    left_on: date
    contact: str = ""
    window: int | None = None
    work: str = ""
    certificate: str = ""


class TrainingOut(Schema):
    id: int
    name: str
    purpose: str
    organisation_id: int
    starts_on: date
    ends_on: date
    place: str


class TrainingIn(Schema):
    name: str
    purpose: str
    organisation: int
    starts_on: date
    ends_on: date
    place: str = ""
    participants: list[int] = []


class SessionIn(Schema):
    on: date
    topic: str
    hours: Decimal


class SessionOut(Schema):
    id: int
    on: date
    topic: str
    hours: Decimal
    confirmed_at: datetime | None


class AttendanceIn(Schema):
    people: list[int]


# ---- 三会一课 ---------------------------------------------------------------------------------


class MeetingFilters(PeriodFilters):
    kind: PartyMeetingKind | None = None
    organisation: int | None = None


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS}, summary="三会一课 meetings in your area")
@paginate(Page)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]) -> QuerySet[PartyMeeting]:
    """As on the meetings page; `since`/`until` apply to the day a meeting was held."""
    return listed(request, selectors.party_meetings_listed, filters, capability=VIEW)


@router.post("/meetings", response={201: MeetingOut, **ERRORS}, summary="Record a meeting")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status[PartyMeeting]:
    user = request.user
    org = required(organisations_visible(user), payload.organisation, field="organisation")
    require_in_scope(user, MANAGE, org.region)
    people = people_visible(user, capability=VIEW)
    attendees = [required(people, pk, field="attendees") for pk in payload.attendees]
    meeting = services.party_meeting_record(
        **payload.dict(exclude={"organisation", "attendees"}),
        organisation=org,
        attendees=attendees,
        actor=user,
    )
    return Status(201, meeting)


@router.get("/compliance", response=list[ComplianceOut], summary="Which branches are behind on 三会一课")
def compliance(
    request: HttpRequest, year: Year | None = None, view: str = "quarter", within: int | None = None
) -> list[dict[str, Any]]:
    require_capability(request.user, VIEW)
    region = region_get(request.user, within, capability=VIEW) if within is not None else None
    rows = selectors.compliance(
        request.user,
        year=year or timezone.localdate().year,
        view="month" if view == "month" else "quarter",
        region=region,
    )
    return [
        {
            "branch_id": r.branch.pk,
            "branch_name": r.branch.name,
            "rules_version": r.rules.version,
            "behind": r.behind,
            "cells": [
                {"first": c.first, "last": c.last, "state": c.state, "due": c.due, "met": c.met}
                for c in r.cells
            ],
        }
        for r in rows
    ]


# ---- 发展党员 ---------------------------------------------------------------------------------


def _file_detail(file: DevelopmentFile) -> dict[str, Any]:
    evaluation = selectors.evaluate_file(file)
    return {
        **{
            k: getattr(file, k)
            for k in (
                "id",
                "person_id",
                "branch_id",
                "stage",
                "rules_version",
                "next_deadline",
                "broken",
                "closed",
            )
        },
        "person_name": file.person.name,
        "steps": list(file.steps.order_by("on", "id")),
        "next_steps": [
            {"kind": s.kind, "earliest": s.earliest, "latest": s.latest, "missing": list(s.missing)}
            for s in evaluation.next_steps
        ],
        "broken_rules": [{"code": f.code, "message": f.message, "limit": f.limit} for f in evaluation.broken],
        "warnings": [{"code": f.code, "message": f.message, "limit": f.limit} for f in evaluation.warnings],
        "probation_ends": evaluation.probation_ends,
    }


class FileFilters(PeriodFilters):
    broken: bool | None = None
    closed: bool = False
    stage: StepKind | None = None


@router.get("/development", response={200: list[FileOut], **ERRORS}, summary="Development files in your area")
@paginate(Page)
def file_list(request: HttpRequest, filters: Query[FileFilters]) -> QuerySet[DevelopmentFile]:
    """As on the development page; `since`/`until` apply to the day a file starts (its first step,
    usually the application, or the day it was opened if it has no step yet)."""
    require_capability(request.user, VIEW)
    period_check(filters.since, filters.until)
    files = selectors.files_listed(
        request.user,
        since=filters.since,
        until=filters.until,
        show="closed" if filters.closed else "",
        stage=filters.stage or "",
    )
    if filters.broken is not None:
        files = files.filter(broken=filters.broken)
    return files


@router.post("/development", response={201: FileDetailOut, **ERRORS}, summary="Open a development file")
def file_open(request: HttpRequest, payload: FileIn) -> Status[dict[str, Any]]:
    user = request.user
    branch = required(organisations_visible(user), payload.branch, field="branch")
    require_in_scope(user, MANAGE, branch.region)
    person = required(people_visible(user, capability=MANAGE), payload.person, field="person")
    file = services.development_file_open(
        **payload.dict(exclude={"person", "branch"}), person=person, branch=branch, actor=user
    )
    return Status(201, _file_detail(selectors.file_get(user, file.pk)))


@router.get(
    "/development/{id}", response={200: FileDetailOut, 404: ErrorOut}, summary="A development file, checked"
)
def file_detail(request: HttpRequest, id: int) -> dict[str, Any]:
    """The steps, the next steps with their earliest and latest dates, broken rules and warnings."""
    return _file_detail(selectors.file_get(request.user, id))


@router.post("/development/{id}/steps", response={201: FileDetailOut, **ERRORS}, summary="Enter a step")
def step_add(request: HttpRequest, id: int, payload: StepIn) -> Status[dict[str, Any]]:
    file = selectors.file_get(request.user, id, capability=MANAGE)
    services.development_step_record(file=file, actor=request.user, **payload.dict())
    return Status(201, _file_detail(selectors.file_get(request.user, id)))


# ---- 流动党员 ---------------------------------------------------------------------------------


class MobileFilters(PeriodFilters):
    returned: bool = Field(False, description="without a period: include those who came back")


@router.get(
    "/mobile",
    response={200: list[MobileOut], **ERRORS},
    summary="Mobile members registered or looked after in your area",
)
@paginate(Page)
def mobile_list(request: HttpRequest, filters: Query[MobileFilters]) -> QuerySet[MobileMember]:
    """As on the mobile members page. With `since`/`until`: everyone away at some time in the
    period (left on or before `until`, not back before `since`), whether back since or not."""
    return listed(request, selectors.mobile_members_listed, filters, capability=VIEW)


@router.post("/mobile", response={201: MobileOut, **ERRORS}, summary="Register a mobile member")
def mobile_register(request: HttpRequest, payload: MobileIn) -> Status[MobileMember]:
    user = request.user
    person = required(people_visible(user, capability=MANAGE), payload.person, field="person")
    window = reference(selectors.window_choices(user), payload.window, field="window")
    record = services.mobile_member_register(
        **payload.dict(exclude={"person", "window"}), person=person, window=window
    )
    return Status(201, record)


# ---- training ---------------------------------------------------------------------------------


class TrainingFilters(PeriodFilters):
    kind: TrainingPurpose | None = Field(None, description="who the class is for")


@router.get("/training", response={200: list[TrainingOut], **ERRORS}, summary="Training classes in your area")
@paginate(Page)
def training_list(request: HttpRequest, filters: Query[TrainingFilters]) -> QuerySet[TrainingClass]:
    """As on the training page; `since`/`until` take the classes held on at least one day of the
    period (their dates [starts_on, ends_on] overlap it)."""
    return listed(request, selectors.classes_listed, filters, capability=VIEW)


@router.post("/training", response={201: TrainingOut, **ERRORS}, summary="Set up a training class")
def training_create(request: HttpRequest, payload: TrainingIn) -> Status[TrainingClass]:
    user = request.user
    org = required(organisations_visible(user), payload.organisation, field="organisation")
    require_in_scope(user, MANAGE, org.region)
    people = people_visible(user, capability=MANAGE)
    participants = [required(people, pk, field="participants") for pk in payload.participants]
    training = services.training_class_create(
        **payload.dict(exclude={"organisation", "participants"}), organisation=org, participants=participants
    )
    return Status(201, training)


@router.post("/training/{id}/sessions", response={201: SessionOut, **ERRORS}, summary="Add a session")
def session_add(request: HttpRequest, id: int, payload: SessionIn) -> Status[TrainingSession]:
    training = selectors.class_get(request.user, id)
    require_in_scope(request.user, MANAGE, training.organisation.region)
    return Status(
        201,
        services.training_session_add(training=training, **payload.dict()),
    )


@router.put(
    "/training/sessions/{id}/attendance",
    response={200: SessionOut, **ERRORS},
    summary="Who attended a session",
)
def session_attendance(request: HttpRequest, id: int, payload: AttendanceIn) -> TrainingSession:
    """Replaces the list; class hours count toward the development rules of the attendees."""
    session = (
        TrainingSession.objects.filter(pk=id, training__in=selectors.classes_visible(request.user))
        .select_related("training__organisation__region")
        .first()
    )
    if session is None:
        raise Http404
    require_in_scope(request.user, MANAGE, session.training.organisation.region)
    participants = session.training.participants.all()
    people = [required(participants, pk, field="people") for pk in payload.people]
    services.training_attendance_set(session=session, people=people)
    session.refresh_from_db()
    return session
