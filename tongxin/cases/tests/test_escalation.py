"""Deadlines escalate by themselves: time is advanced and only the worker runs."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tongxin.cases.models import Case, CaseStatus, CaseTransition, Whistle
from tongxin.cases.services import case_transition
from tongxin.cases.testing import category, report_case
from tongxin.jobs.services import run_due_jobs
from tongxin.notifications.models import Delivery, Notification
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": MONDAY_9}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def set_to(moment):
        state["now"] = moment

    return set_to


def _dispatched_case(tree, code="0501"):
    secretary = make_user("community_secretary", tree.community_a1)
    handler = make_user("community_staff", tree.community_a1)
    handler.email = "handler@example.org"
    handler.save()
    case = report_case(tree, category=category(code))
    case_transition(case=case, action="accept", actor=secretary)
    case = case_transition(case=case, action="dispatch", actor=secretary, to_user=handler)
    return case, secretary, handler


def test_deadlines_are_working_hours_from_dispatch(tree, clock):
    case, _s, _h = _dispatched_case(tree)  # 停水: respond 0.5 h, handle 4 h, close 16 h
    assert case.dispatched_at == MONDAY_9
    assert case.response_due == MONDAY_9 + timedelta(minutes=30)
    assert case.handling_due == datetime(2026, 11, 23, 15, 0, tzinfo=TZ)  # lunch 12:00–14:00 skipped
    assert case.warn_at < case.handling_due


def test_worker_warns_supervises_and_whistles_without_anyone(tree, clock):
    case, _secretary, handler = _dispatched_case(tree)
    street_official = make_user("street_official", tree.street_a)
    run_due_jobs(worker="test")
    assert Case.objects.get(pk=case.pk).warned_at is None

    clock(datetime(2026, 11, 23, 14, 30, tzinfo=TZ))  # 80 % of 4 working hours used
    run_due_jobs(worker="test")
    case.refresh_from_db()
    assert case.warned_at is not None and not case.supervised

    clock(datetime(2026, 11, 23, 15, 1, tzinfo=TZ))  # overdue
    run_due_jobs(worker="test")
    case.refresh_from_db()
    assert case.supervised and case.overdue_at is not None
    assert case.status == CaseStatus.WHISTLED  # 停水 whistles automatically
    whistle = Whistle.objects.get(case=case)
    assert whistle.to_region == tree.community_a1 and whistle.automatic
    actions = list(
        CaseTransition.objects.filter(case=case, actor_label="system").values_list("action", flat=True)
    )
    assert actions == ["warn", "supervise", "whistle"]

    # nobody reports within 2 working hours: the whistle goes up to the street
    clock(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    run_due_jobs(worker="test")
    latest = Whistle.objects.filter(case=case).latest("id")
    assert latest.step == 2 and latest.to_region == tree.street_a
    run_due_jobs(worker="test")  # nothing more happens twice
    assert Whistle.objects.filter(case=case).count() == 2

    # the street reports (报到) and takes the case on
    case = case_transition(case=case.pk, action="report", actor=street_official)
    assert case.status == CaseStatus.IN_PROGRESS and case.assignee_user == street_official

    # everyone concerned was told once, in the inbox and by e-mail
    assert Notification.objects.filter(user=handler, event_key__startswith="case-transition").exists()
    assert Notification.objects.filter(user=street_official).count() >= 1
    keys = list(Delivery.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))
    sent_before = Delivery.objects.filter(status="sent").count()
    run_due_jobs(worker="test")
    assert Delivery.objects.filter(status="sent").count() == sent_before


def test_non_urgent_category_is_supervised_but_not_whistled(tree, clock):
    case, _s, _h = _dispatched_case(tree, code="0101")  # 垃圾清运: 24 working hours, no auto whistle
    clock(MONDAY_9 + timedelta(days=7))
    run_due_jobs(worker="test")
    case.refresh_from_db()
    assert case.supervised and case.status == CaseStatus.DISPATCHED
    assert not Whistle.objects.filter(case=case).exists()
