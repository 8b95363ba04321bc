"""Every status change leaves a history row: a transition (case, need, project, decision) or an audit
row with the old and new status (activities, meetings, follow-up tasks).

The test walks every service that changes a status (found in the source of the services modules, so
a new one without a case here fails) on a demo district written through the services."""

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

import tongxin
from tongxin.accounts.models import RoleAssignment
from tongxin.activities.models import Activity, ActivityStatus
from tongxin.activities.services import activity_cancel, attendance_confirm
from tongxin.assessment.models import Scheme, SchemeStatus
from tongxin.assessment.services import (
    Cell,
    run_finalise,
    run_start,
    scheme_new_version,
    scheme_publish,
    scores_enter,
)
from tongxin.audit.models import Action, AuditEvent
from tongxin.cases.models import Case, CaseCategory, CaseTransition
from tongxin.cases.services import case_intake, case_transition
from tongxin.cases.workflow import OPEN_STATUSES
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.estates.models import SubsidyRun
from tongxin.estates.services import subsidy_approve, subsidy_compute
from tongxin.lists.models import (
    Milestone,
    MilestoneStatus,
    Need,
    NeedTransition,
    Project,
    ProjectStatus,
    ProjectTransition,
)
from tongxin.lists.services import (
    milestone_accept,
    milestone_report,
    need_claim,
    need_create,
    need_release,
    need_withdraw,
    project_cancel,
    project_close,
    project_create,
)
from tongxin.meetings.models import (
    Decision,
    FollowUpTask,
    Meeting,
    MeetingStatus,
    TaskStatus,
)
from tongxin.meetings.services import (
    decision_create,
    decision_step,
    meeting_call,
    meeting_cancel,
    meeting_record,
    meeting_schedule,
    task_done,
)
from tongxin.meetings.workflow import DecisionAction
from tongxin.partners.models import PartnerUnit
from tongxin.privacy.models import RequestKind, RequestTransition, SubjectRequest
from tongxin.privacy.services import request_create, request_transition
from tongxin.privacy.workflow import RequestAction
from tongxin.regions.models import Level, Region
from tongxin.testing import make_user
from tongxin.transfer.models import ExportRequest
from tongxin.transfer.requests import export_request_create, export_request_decide, export_requests_expire
from tongxin.venues.models import Booking, BookingStatus, BookingTransition
from tongxin.venues.services import booking_create, booking_transition
from tongxin.venues.workflow import BookingAction

from .test_audited_edits import district  # noqa: F401  (the module's demo district)

# a status written in the source: a field set, a transition row's target, or one of the step writers
CHANGES_STATUS = re.compile(
    r"\.status = |\bto_status=|_need_step\(|_project_step\(|decision_step\(|case_transition\("
    r"|\.update\(\s*status="  # a conditional update: "only from this status" with its count checked
)
# the modules that change state: every app's services, and the export requests' own module
STATE_MODULES = re.compile(r"\.services$|^tongxin\.transfer\.requests$")

# found by the pattern, but not a record's status: the writers themselves and the job queue's own state
NOT_A_RECORD = {
    "tongxin.lists.services._need_step": "the need's transition writer itself",
    "tongxin.lists.services._project_step": "the project's transition writer itself",
    "tongxin.lists.services._milestone_step": "a milestone's step writer: its project's transition row",
    "tongxin.jobs.services.job_run": "a background job's queue state, kept on the job row itself",
    "tongxin.jobs.services.job_claim": "a background job's queue state: claimed by a worker",
    "tongxin.jobs.services.recover_abandoned": "a background job's queue state: queued again",
    "tongxin.notifications.services.deliveries_send": "a notification's delivery state: sent or failed",
    "tongxin.notifications.services.release_stuck": "a notification's delivery state: queued again",
}


def _status_services() -> set[str]:
    found = set()
    for module_info in pkgutil.walk_packages(tongxin.__path__, "tongxin."):
        if not STATE_MODULES.search(module_info.name) or ".tests" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and CHANGES_STATUS.search(inspect.getsource(fn)):
                found.add(f"{fn.__module__}.{name}")
    return found - set(NOT_A_RECORD)


def _first(rows: QuerySet[Any]) -> Any:
    found = rows.order_by("pk").first()
    assert found is not None, rows.model
    return found


def _audited(row: Any) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(action=Action.RECORD_CHANGED, target=f"{row._meta.model_name}:{row.pk}")


def _community() -> Region:
    return _first(Region.objects.filter(level=Level.COMMUNITY))


def _active_project() -> Project:
    return _first(
        Project.objects.filter(status=ProjectStatus.ACTIVE, need__isnull=False, parent__isnull=True)
    )


@dataclass(frozen=True)
class Walk:
    """Run the service on a row of the district; `history` counts the rows that record it."""

    run: Callable[[], Any]
    history: Callable[[Any], QuerySet[Any]]


def _activity(started: bool) -> Activity:
    now = timezone.now()
    rows = Activity.objects.filter(status=ActivityStatus.PUBLISHED)
    return _first(rows.filter(starts_at__lte=now) if started else rows.filter(starts_at__gt=now))


def _new_need() -> Need:
    return need_create(
        actor=SYSTEM,
        title="楼道照明修缮",
        description="三号楼楼道灯损坏，需共建单位协助更换。",
        category=_first(Need.objects.all()).category,
        source=_first(Need.objects.all()).source,
        region=_community(),
    )


def _claimed_need() -> Need:
    need = _new_need()
    return need_claim(need=need, unit=_first(PartnerUnit.objects.all()), actor=SYSTEM)


def _open_case() -> Case:
    return _first(Case.objects.filter(status__in=OPEN_STATUSES))


def _proposed() -> Decision:
    meeting = _meeting(MeetingStatus.PLANNED, MeetingStatus.CALLED, MeetingStatus.HELD)
    return decision_create(meeting=meeting, actor=SYSTEM, title="更换小区路灯")


WALKS: dict[str, Callable[[], tuple[Any, Callable[[], Any], Callable[[Any], QuerySet[Any]]]]] = {}


def walk(service: Callable[..., Any]) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(make: Callable[[], Any]) -> Callable[[], Any]:
        WALKS[f"{service.__module__}.{service.__name__}"] = make
        return make

    return register


# each walk returns (the row, a function that changes its status, the history rows of a row)


@walk(activity_cancel)
def _() -> Any:
    row = _activity(started=False)
    return row, lambda: activity_cancel(activity=row, actor=SYSTEM, reason="场地维修"), _audited


@walk(attendance_confirm)
def _() -> Any:
    row = _activity(started=True)
    return row, lambda: attendance_confirm(activity=row, actor=SYSTEM, attended=[]), _audited


@walk(case_intake)
def _() -> Any:
    made: list[Case] = []

    def run() -> None:
        case, _token = case_intake(
            source="resident",
            kind="complaint",
            category=_first(CaseCategory.objects.filter(active=True, parent__isnull=False)),
            description="小区门口井盖松动，夜间行人容易踩空。",
            community=_community(),
            address="文昌路12号",
        )
        made.append(case)

    return made, run, lambda rows: CaseTransition.objects.filter(case__in=rows)


@walk(case_transition)
def _() -> Any:
    row = _open_case()
    return (
        row,
        lambda: case_transition(case=row, action="supervise", actor=SYSTEM, reason="请加快办理"),
        lambda case: CaseTransition.objects.filter(case=case),
    )


def _need_history(need: Any) -> QuerySet[Any]:
    return NeedTransition.objects.filter(need=need)


@walk(need_create)
def _() -> Any:
    made: list[Need] = []
    return made, lambda: made.append(_new_need()), lambda rows: NeedTransition.objects.filter(need__in=rows)


@walk(need_claim)
def _() -> Any:
    row = _new_need()
    return (
        row,
        lambda: need_claim(need=row, unit=_first(PartnerUnit.objects.all()), actor=SYSTEM),
        _need_history,
    )


@walk(need_release)
def _() -> Any:
    row = _claimed_need()
    return row, lambda: need_release(need=row, actor=SYSTEM, reason="人手不足"), _need_history


@walk(need_withdraw)
def _() -> Any:
    row = _new_need()
    return row, lambda: need_withdraw(need=row, actor=SYSTEM, reason="居民已自行解决"), _need_history


def _project_history(project: Any) -> QuerySet[Any]:
    return ProjectTransition.objects.filter(project=project)


@walk(project_create)
def _() -> Any:
    need = _claimed_need()
    made: list[Project] = []

    def run() -> None:
        made.append(
            project_create(
                actor=SYSTEM,
                title="楼道照明修缮项目",
                kind=_first(Project.objects.all()).kind,
                lead_name="王明",
                need=need,
            )
        )

    return made, run, lambda rows: ProjectTransition.objects.filter(project__in=rows)


@walk(project_close)
def _() -> Any:
    row = _active_project()
    Milestone.objects.filter(project=row).update(status=MilestoneStatus.ACCEPTED, progress=100)
    return (
        row,
        lambda: project_close(project=row, actor=SYSTEM, result="照明已恢复", beneficiaries_count=120),
        _project_history,
    )


@walk(project_cancel)
def _() -> Any:
    row = _active_project()
    return row, lambda: project_cancel(project=row, actor=SYSTEM, reason="单位调整"), _project_history


def _open_milestone() -> Milestone:
    return _first(Milestone.objects.filter(project__status=ProjectStatus.ACTIVE, status=MilestoneStatus.OPEN))


@walk(milestone_report)
def _() -> Any:
    row = _open_milestone()
    return (
        row.project,
        lambda: milestone_report(milestone=row, actor=SYSTEM, progress=100, note="已完成"),
        _project_history,
    )


@walk(milestone_accept)
def _() -> Any:
    row = _open_milestone()
    return row.project, lambda: milestone_accept(milestone=row, actor=SYSTEM), _project_history


def _meeting(*statuses: str) -> Meeting:
    return _first(Meeting.objects.filter(status__in=statuses, invitations__isnull=False).distinct())


@walk(meeting_call)
def _() -> Any:
    row = meeting_schedule(
        actor=SYSTEM,
        title="季度联席会议",
        scheduled_at=timezone.now() + timedelta(days=7),
        region=_community(),
        invite_units=[_first(PartnerUnit.objects.all())],
    )
    return row, lambda: meeting_call(meeting=row, actor=SYSTEM), _audited


@walk(meeting_record)
def _() -> Any:
    row = _meeting(MeetingStatus.CALLED, MeetingStatus.PLANNED)
    held = timezone.now() - timedelta(hours=1)
    return (
        row,
        lambda: meeting_record(meeting=row, actor=SYSTEM, minutes="议定三项事项", held_at=held),
        _audited,
    )


@walk(meeting_cancel)
def _() -> Any:
    row = _meeting(MeetingStatus.PLANNED, MeetingStatus.CALLED)
    return row, lambda: meeting_cancel(meeting=row, actor=SYSTEM, reason="主持人出差"), _audited


@walk(task_done)
def _() -> Any:
    row = _first(FollowUpTask.objects.filter(status=TaskStatus.OPEN))
    return row, lambda: task_done(task=row, actor=SYSTEM, note="已落实"), _audited


@walk(decision_create)
def _() -> Any:
    meeting = _meeting(MeetingStatus.PLANNED, MeetingStatus.CALLED, MeetingStatus.HELD)
    made: list[Decision] = []

    def run() -> None:
        made.append(decision_create(meeting=meeting, actor=SYSTEM, title="增设非机动车充电桩"))

    return (
        made,
        run,
        lambda rows: Decision.objects.get(pk=rows[0].pk).steps.all() if rows else Decision.objects.none(),
    )


@walk(decision_step)
def _() -> Any:
    row = _proposed()
    return (
        row,
        lambda: decision_step(decision=row, action=DecisionAction.DISCUSS, actor=SYSTEM, note="各方同意"),
        lambda decision: decision.steps.all(),
    )


def _request_history(rows: Any) -> QuerySet[Any]:
    return RequestTransition.objects.filter(request__in=rows if isinstance(rows, list) else [rows])


def _handler() -> RoleAssignment:
    """A community secretary: who answers a request filed at their community."""
    return _first(
        RoleAssignment.objects.filter(role=Role.COMMUNITY_SECRETARY).select_related("user", "region")
    )


def _new_request() -> SubjectRequest:
    seat = _handler()
    return request_create(actor=seat.user, kind=RequestKind.ACCESS, region=seat.region, phone="13800138000")


@walk(request_create)
def _() -> Any:
    made: list[SubjectRequest] = []
    return made, lambda: made.append(_new_request()), _request_history


@walk(request_transition)
def _() -> Any:
    row = _new_request()
    user = _handler().user
    return (
        row,
        lambda: request_transition(request=row, action=RequestAction.START, actor=user),
        _request_history,
    )


def _booking_history(rows: Any) -> QuerySet[Any]:
    bookings = rows if isinstance(rows, list) else [rows]
    return BookingTransition.objects.filter(booking__in=bookings)


@walk(booking_create)
def _() -> Any:
    made: list[Booking] = []

    def run() -> None:
        # a week after an upcoming booking: the venue is open then (same weekday and hours)
        for earlier in Booking.objects.filter(starts_at__gt=timezone.now()).order_by("pk")[:50]:
            try:
                booking, _token = booking_create(
                    actor=SYSTEM,
                    room=earlier.room,
                    starts_at=earlier.starts_at + timedelta(days=7),
                    ends_at=earlier.ends_at + timedelta(days=7),
                    purpose="居民议事会",
                )
            except ValidationError:
                continue
            made.append(booking)
            return
        raise AssertionError("no free slot a week after an upcoming booking")

    return made, run, _booking_history


@walk(booking_transition)
def _() -> Any:
    row = _first(Booking.objects.filter(status=BookingStatus.REQUESTED, starts_at__gt=timezone.now()))
    return (
        row,
        lambda: booking_transition(booking=row, action=BookingAction.APPROVE, actor=SYSTEM),
        _booking_history,
    )


def _audited_at(prefix: str) -> Callable[[Any], QuerySet[AuditEvent]]:
    """The audit rows of a row whose target is written `<prefix>:<pk>`."""
    return lambda row: AuditEvent.objects.filter(target=f"{prefix}:{row.pk}")


def _draft_scheme() -> Scheme:
    """A new version of the demo's published assessment scheme: a draft with the same items."""
    return scheme_new_version(
        actor=SYSTEM, scheme=_first(Scheme.objects.filter(status=SchemeStatus.PUBLISHED))
    )


@walk(scheme_publish)
def _() -> Any:
    row = _draft_scheme()
    return row, lambda: scheme_publish(actor=SYSTEM, scheme=row), _audited_at("assessment.scheme")


@walk(run_finalise)
def _() -> Any:
    scheme = scheme_publish(actor=SYSTEM, scheme=_draft_scheme())
    row = run_start(actor=SYSTEM, scheme=scheme)
    subjective = [i for i in scheme.items.all() if not i.is_objective]
    scores_enter(
        actor=SYSTEM, run=row, cells=[Cell(r.pk, i.pk, "85") for r in row.results.all() for i in subjective]
    )
    return row, lambda: run_finalise(actor=SYSTEM, run=row), _audited_at("assessment.run")


@walk(subsidy_approve)
def _() -> Any:
    computed = _first(SubsidyRun.objects.select_related("community"))
    row = subsidy_compute(actor=SYSTEM, community=computed.community, year=computed.year - 1)
    return row, lambda: subsidy_approve(actor=SYSTEM, run=row), _audited


def _export_request() -> tuple[ExportRequest, Any]:
    """A pending export of a community's people, and a second official who may decide on it."""
    community = _community()
    street = _first(Region.objects.filter(level=Level.STREET, pk__in=community.ancestor_ids()))
    requester, approver = make_user(Role.STREET_OFFICIAL, street), make_user(Role.STREET_OFFICIAL, street)
    return export_request_create(user=requester, root=community, purpose="statistics"), approver


@walk(export_request_decide)
def _() -> Any:
    row, approver = _export_request()
    return (
        row,
        lambda: export_request_decide(export=row, user=approver, approve=False, reason="用途不明确"),
        _audited_at("export-request"),
    )


@walk(export_requests_expire)
def _() -> Any:
    row, _approver = _export_request()
    ExportRequest.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return row, export_requests_expire, _audited_at("export-request")


def test_every_status_change_is_walked():
    assert _status_services() == set(WALKS)


@pytest.mark.django_db
@pytest.mark.parametrize("service", sorted(WALKS), ids=lambda name: name.rsplit(".", 1)[-1])
def test_a_status_change_leaves_a_history_row(district, service):  # noqa: F811
    row, run, history = WALKS[service]()
    before = history(row).count()
    run()
    assert history(row).count() > before, service
