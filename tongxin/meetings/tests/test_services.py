"""Joint meetings: planning at the alliance's frequency, calling (each invitee hears once),
attendance, minutes, tasks from adopted decisions, and the due reminders."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.meetings.models import MeetingStatus, TaskStatus
from tongxin.meetings.services import (
    agenda_item_add,
    decision_create,
    decision_step,
    invitation_add,
    meeting_attendance,
    meeting_call,
    meeting_cancel,
    meeting_record,
    meeting_schedule,
    meetings_plan_year,
    task_create,
    task_done,
    tasks_remind_due,
)
from tongxin.notifications.models import Notification
from tongxin.partners.models import AllianceKind, MeetingInterval
from tongxin.partners.services import alliance_create, alliance_member_add
from tongxin.partners.testing import build_cobuilding

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


@pytest.fixture
def alliance(cast, tree):
    alliance = alliance_create(
        name="滚绣坊社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=tree.community_a1,
        actor=cast.secretary,
        founded_on=date(2025, 1, 1),
    )
    alliance_member_add(alliance=alliance, actor=cast.secretary, unit=cast.unit_a)
    return alliance


def test_schedule_invites_members_and_call_notifies_once(cast, alliance, django_capture_on_commit_callbacks):
    when = timezone.now() + timedelta(days=5)
    meeting = meeting_schedule(
        actor=cast.secretary,
        alliance=alliance,
        title="联席会议",
        scheduled_at=when,
        agenda=["认领需求", " ", "研究项目"],
    )
    assert [i.unit for i in meeting.invitations.all()] == [cast.unit_a]
    assert [a.title for a in meeting.agenda.all()] == ["认领需求", "研究项目"]
    assert meeting.region == alliance.region
    invitation_add(meeting=meeting, actor=cast.secretary, user=cast.street)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_call(meeting=meeting, actor=cast.secretary)
    assert meeting.status == MeetingStatus.CALLED
    heard = set(
        Notification.objects.filter(event_key__startswith=f"meeting-called:{meeting.pk}:").values_list(
            "user", flat=True
        )
    )
    assert heard == {cast.liaison_a.pk, cast.street.pk}
    with pytest.raises(ValidationError):  # called once
        meeting_call(meeting=meeting, actor=cast.secretary)
    with django_capture_on_commit_callbacks(execute=True):  # a late invitation hears on its own
        invitation_add(meeting=meeting, actor=cast.secretary, unit=cast.unit_b)
        invitation_add(meeting=meeting, actor=cast.secretary, unit=cast.unit_b)  # twice: still one invitation
    assert meeting.invitations.count() == 3
    assert Notification.objects.filter(user=cast.liaison_b).count() == 1
    assert Notification.objects.filter(user=cast.liaison_a).count() == 1


def test_schedule_rules(cast, alliance, tree):
    when = timezone.now()
    with pytest.raises(PermissionDenied):
        meeting_schedule(actor=cast.neighbour, alliance=alliance, title="x", scheduled_at=when)
    with pytest.raises(PermissionDenied):
        meeting_schedule(actor=cast.liaison_a, alliance=alliance, title="x", scheduled_at=when)
    with pytest.raises(ValidationError):
        meeting_schedule(actor=cast.secretary, title="x", scheduled_at=when)  # neither alliance nor region
    with pytest.raises(ValidationError):
        meeting_schedule(
            actor=cast.street, alliance=alliance, region=tree.community_a2, title="x", scheduled_at=when
        )
    empty = meeting_schedule(
        actor=cast.secretary, region=tree.community_a1, title="议事会", scheduled_at=when
    )
    with pytest.raises(ValidationError):
        meeting_call(meeting=empty, actor=cast.secretary)  # nobody invited


def test_plan_year_fills_the_periods_still_to_come(cast, alliance):
    held_day = datetime(2026, 2, 10, 9, tzinfo=TZ)
    held = meeting_schedule(actor=cast.secretary, alliance=alliance, title="一季度", scheduled_at=held_day)
    meeting_record(meeting=held, actor=cast.secretary, minutes="纪要", held_at=held_day)
    planned = meetings_plan_year(alliance=alliance, year=2026, actor=cast.secretary, today=date(2026, 5, 20))
    assert [timezone.localtime(m.scheduled_at).date() for m in planned] == [
        date(2026, 5, 21),
        date(2026, 7, 15),
        date(2026, 10, 15),
    ]  # Q2 (not yet over: tomorrow), Q3, Q4; Q1 has its meeting
    assert (
        meetings_plan_year(alliance=alliance, year=2026, actor=cast.secretary, today=date(2026, 5, 20)) == []
    )
    alliance.meeting_interval = MeetingInterval.MONTHLY
    alliance.save()
    # monthly now: October has its meeting already; November and December are added
    assert (
        len(meetings_plan_year(alliance=alliance, year=2026, actor=cast.secretary, today=date(2026, 10, 1)))
        == 2
    )
    with pytest.raises(PermissionDenied):
        meetings_plan_year(alliance=alliance, year=2026, actor=cast.liaison_a)


def test_attendance_minutes_and_cancel(cast, alliance, django_capture_on_commit_callbacks):
    meeting = meeting_schedule(
        actor=cast.secretary,
        alliance=alliance,
        title="联席会议",
        scheduled_at=timezone.now() - timedelta(hours=2),
    )
    invitation = meeting.invitations.get()
    with pytest.raises(ValidationError):  # attendance once it is called
        meeting_attendance(meeting=meeting, actor=cast.secretary, attended=[invitation.pk])
    meeting_call(meeting=meeting, actor=cast.secretary)
    with pytest.raises(ValidationError):
        meeting_attendance(meeting=meeting, actor=cast.secretary, attended=[invitation.pk + 999])
    assert meeting_attendance(meeting=meeting, actor=cast.secretary, attended=[invitation.pk]) == 1
    invitation.refresh_from_db()
    assert invitation.attended is True
    with pytest.raises(ValidationError):
        meeting_record(meeting=meeting, actor=cast.secretary, minutes="")
    with pytest.raises(ValidationError):
        meeting_record(
            meeting=meeting, actor=cast.secretary, minutes="纪要", held_at=timezone.now() + timedelta(days=2)
        )
    meeting = meeting_record(meeting=meeting, actor=cast.secretary, minutes="认领需求2项")
    assert meeting.status == MeetingStatus.HELD and meeting.held_at == meeting.scheduled_at
    with pytest.raises(ValidationError):
        agenda_item_add(meeting=meeting, actor=cast.secretary, title="迟到的议题")
    with pytest.raises(ValidationError):
        meeting_cancel(meeting=meeting, actor=cast.secretary, reason="x")
    coming = meeting_schedule(
        actor=cast.secretary, alliance=alliance, title="下次", scheduled_at=timezone.now() + timedelta(days=9)
    )
    meeting_call(meeting=coming, actor=cast.secretary)
    with pytest.raises(ValidationError):
        meeting_cancel(meeting=coming, actor=cast.secretary, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=coming, actor=cast.secretary, reason="防汛值班")
    assert Notification.objects.filter(
        user=cast.liaison_a, event_key=f"meeting-cancelled:{coming.pk}"
    ).exists()


def test_tasks_from_adopted_decisions(cast, alliance):
    meeting = meeting_schedule(
        actor=cast.secretary, alliance=alliance, title="联席会议", scheduled_at=timezone.now()
    )
    decision = decision_create(meeting=meeting, actor=cast.secretary, title="开放场地")
    with pytest.raises(ValidationError):  # not adopted yet
        task_create(
            decision=decision,
            actor=cast.secretary,
            title="开放报告厅",
            due_on=date(2026, 6, 1),
            owner_unit=cast.unit_a,
        )
    decision_step(decision=decision, action="adopt", actor=cast.secretary)
    with pytest.raises(ValidationError):
        task_create(decision=decision, actor=cast.secretary, title="无人负责", due_on=date(2026, 6, 1))
    task = task_create(
        decision=decision,
        actor=cast.secretary,
        title="开放报告厅",
        due_on=date(2026, 6, 1),
        owner_unit=cast.unit_a,
    )
    assert task.owner_name == cast.unit_a.name
    with pytest.raises(PermissionDenied):
        task_done(task=task, actor=cast.liaison_b, note="x")
    with pytest.raises(ValidationError):
        task_done(task=task, actor=cast.liaison_a, note="")
    task = task_done(task=task, actor=cast.liaison_a, note="已开放")
    assert task.status == TaskStatus.DONE and task.done_by == cast.liaison_a
    with pytest.raises(ValidationError):
        task_done(task=task, actor=cast.secretary, note="again")


def test_due_and_overdue_reminders_once_each(cast, alliance):
    meeting = meeting_schedule(
        actor=cast.secretary, alliance=alliance, title="联席会议", scheduled_at=timezone.now()
    )
    decision = decision_create(meeting=meeting, actor=cast.secretary, title="开放场地")
    decision_step(decision=decision, action="adopt", actor=cast.secretary)
    task = task_create(
        decision=decision,
        actor=cast.secretary,
        title="开放报告厅",
        due_on=date(2026, 6, 10),
        owner_unit=cast.unit_a,
    )
    far = task_create(
        decision=decision, actor=cast.secretary, title="远期", due_on=date(2026, 9, 1), owner_user=cast.street
    )
    soon = datetime(2026, 6, 8, 9, tzinfo=TZ)
    assert tasks_remind_due(now=soon) == 1  # the liaison, three days ahead
    assert tasks_remind_due(now=soon + timedelta(hours=1)) == 0
    late = datetime(2026, 6, 12, 9, tzinfo=TZ)
    assert tasks_remind_due(now=late) == 2  # overdue: the liaison and the community secretary
    assert tasks_remind_due(now=late + timedelta(days=1)) == 0
    keys = set(Notification.objects.values_list("user", "event_key"))
    assert keys == {
        (cast.liaison_a.pk, f"task-due:{task.pk}"),
        (cast.liaison_a.pk, f"task-overdue:{task.pk}"),
        (cast.secretary.pk, f"task-overdue:{task.pk}"),
    }
    task_done(task=far, actor=cast.street, note="提前完成")
    assert tasks_remind_due(now=datetime(2026, 9, 5, 9, tzinfo=TZ)) == 0
