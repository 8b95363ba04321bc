"""case_transition details beyond the table: clocks on whistle and reopen, one rating per result,
what each party is offered, responders."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tongxin.cases.models import CaseStatus, Responder, WhistleType
from tongxin.cases.services import (
    RESIDENT,
    SYSTEM,
    IllegalTransition,
    allowed_actions_for,
    case_transition,
    responder_create,
)
from tongxin.cases.testing import category, report_case
from tongxin.cases.tests.cast import build_cast

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def cast(tree):
    return build_cast(tree)


def _verified(tree, cast, now=MONDAY_9):
    case = report_case(tree, now=now)
    steps = [
        (cast.secretary, "accept", {}),
        (cast.secretary, "dispatch", {"to_user": cast.handler}),
        (cast.handler, "respond", {}),
        (cast.handler, "resolve", {"reason": "已处理"}),
        (cast.grid_worker, "verify_pass", {}),
    ]
    for i, (actor, action, params) in enumerate(steps):
        case = case_transition(
            case=case, action=action, actor=actor, now=now + timedelta(minutes=10 * (i + 1)), **params
        )
    return case


def test_whistle_before_any_dispatch_starts_the_clock(tree, cast):
    case = report_case(tree, now=MONDAY_9)
    case_transition(case=case, action="accept", actor=cast.secretary, now=MONDAY_9)
    case = case_transition(
        case=case,
        action="whistle",
        actor=cast.secretary,
        reason="社区解决不了",
        whistle_type=WhistleType.objects.get(code="police"),
        now=MONDAY_9,
    )
    assert case.status == CaseStatus.WHISTLED
    assert case.dispatched_at == MONDAY_9
    assert case.dispatched_at <= case.response_due <= case.handling_due <= case.closure_due


def test_reopening_gives_fresh_handling_time_but_keeps_the_response_record(tree, cast):
    case = _verified(tree, cast)
    response_due, responded_at = case.response_due, case.responded_at
    later = MONDAY_9 + timedelta(days=10)
    case = case_transition(
        case=case, action="reopen", actor=cast.secretary, reason="居民反映又堆了", now=later
    )
    assert case.status == CaseStatus.IN_PROGRESS and case.reopened_count == 1
    assert case.response_due == response_due and case.responded_at == responded_at
    assert case.handling_due > later and case.closure_due >= case.handling_due
    assert case.overdue_at is None and case.warned_at is None and case.warn_at <= case.handling_due


def test_one_rating_per_result(tree, cast):
    case = _verified(tree, cast)
    case = case_transition(
        case=case,
        action="rate",
        actor=RESIDENT,
        rating="unsatisfied",
        solved=False,
        now=MONDAY_9 + timedelta(hours=2),
    )
    assert case.status == CaseStatus.IN_PROGRESS and case.rating == "unsatisfied"
    with pytest.raises(IllegalTransition):  # nothing new to rate while it is being handled again
        case_transition(case=case, action="rate", actor=RESIDENT, rating="satisfied")
    t = MONDAY_9 + timedelta(hours=3)
    case = case_transition(case=case, action="resolve", actor=cast.handler, reason="重新清运", now=t)
    case = case_transition(
        case=case, action="verify_pass", actor=cast.grid_worker, now=t + timedelta(minutes=5)
    )
    case = case_transition(
        case=case, action="rate", actor=RESIDENT, rating="satisfied", now=t + timedelta(minutes=10)
    )
    assert case.rating == "satisfied"
    with pytest.raises(IllegalTransition):
        case_transition(case=case, action="rate", actor=RESIDENT, rating="satisfied")


def test_rating_needs_a_known_value(tree, cast):
    case = _verified(tree, cast)
    with pytest.raises(ValidationError):
        case_transition(case=case, action="rate", actor=RESIDENT, rating="great")


def test_allowed_actions_for_each_party(tree, cast):
    case = report_case(tree)
    assert set(allowed_actions_for(cast.secretary, case)) == {"accept", "accept_dispatch", "reject", "merge"}
    assert allowed_actions_for(cast.outsider, case) == []
    assert allowed_actions_for(RESIDENT, case) == []
    assert set(allowed_actions_for(SYSTEM, case)) == {"supervise", "warn"}
    case = case_transition(case=case, action="accept", actor=cast.secretary)
    case = case_transition(case=case, action="pool", actor=cast.secretary)
    assert allowed_actions_for(cast.member, case) == ["take"]
    case = case_transition(case=case, action="take", actor=cast.member)
    assert set(allowed_actions_for(cast.member, case)) == {"progress", "whistle", "resolve"}
    assert "answer_supervision" not in allowed_actions_for(cast.secretary, case)
    case = case_transition(case=case, action="supervise", actor=cast.county, reason="请加快")
    assert "answer_supervision" in allowed_actions_for(cast.member, case)


def test_responder_create(tree, cast):
    unit = responder_create(name=" 苏州大学 ", kind="unit", region=tree.street_a, members=[cast.handler])
    assert unit.name == "苏州大学" and list(unit.members.all()) == [cast.handler]
    with pytest.raises(ValidationError):
        responder_create(name="x", kind="club", region=tree.street_a)
    with pytest.raises(ValidationError):
        responder_create(name=" ", kind="unit", region=tree.street_a)
    assert Responder.objects.filter(kind="unit").count() == 1


def test_deadlines_never_out_of_order_even_with_odd_limits(tree, cast):
    odd = category("0101")
    odd.response_hours, odd.handling_hours, odd.closure_hours = 8, 2, 1  # misconfigured
    odd.save()
    case = report_case(tree, category=odd)
    case_transition(case=case, action="accept", actor=cast.secretary)
    case = case_transition(case=case, action="dispatch", actor=cast.secretary, to_user=cast.handler)
    assert case.dispatched_at <= case.response_due <= case.handling_due <= case.closure_due
    assert case.warn_at <= case.handling_due


def test_reopening_a_case_nobody_took_on_goes_back_to_dispatch(tree, cast):
    case = report_case(tree, now=MONDAY_9)
    case_transition(case=case, action="accept", actor=cast.secretary, now=MONDAY_9)
    case_transition(
        case=case,
        action="whistle",
        actor=cast.secretary,
        reason="社区解决不了",
        whistle_type=WhistleType.objects.get(code="escalate"),
        now=MONDAY_9,
    )
    case_transition(case=case, action="close_unsolved", actor=cast.secretary, reason="无人报到", now=MONDAY_9)
    case = case_transition(case=case, action="reopen", actor=cast.secretary, reason="重新派单", now=MONDAY_9)
    assert case.status == CaseStatus.ACCEPTED and case.closed_at is None
    assert "dispatch" in allowed_actions_for(cast.secretary, case)
