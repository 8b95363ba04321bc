"""A property firm's evaluation equals the cases, tasks and duties behind it, and follows them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.cases.selectors import case_rates
from tongxin.cases.testing import report_case
from tongxin.cases.tests.pages import move
from tongxin.core.actors import SYSTEM
from tongxin.estates.evaluation import estate_case_ids, firm_evaluation
from tongxin.estates.models import Estate
from tongxin.estates.services import estate_rules_for, evaluation_score, is_red_committee, joint_meeting_link
from tongxin.estates.tests.conftest import FAR_IN_GRID, IN_ESTATE
from tongxin.meetings.services import decision_create, decision_step, meeting_schedule, task_create, task_done

pytestmark = pytest.mark.django_db


def _dispatched(w, at=IN_ESTATE):
    case = report_case(w.cast.tree, at=at)
    return move(
        case, ("accept", w.cast.secretary, {}), ("dispatch", w.cast.secretary, {"to_user": w.cast.staff})
    )


def _resolved(w, at=IN_ESTATE):
    return move(
        _dispatched(w, at),
        ("respond", w.cast.staff, {}),
        ("resolve", w.cast.staff, {"reason": "已处理"}),
        ("verify_pass", w.cast.worker, {}),
    )


def test_the_evaluation_counts_exactly_the_estate_s_cases(world):
    w = world
    near = _resolved(w)
    solved = move(near, ("follow_up", w.cast.secretary, {"solved": True}))
    unsolved = move(_resolved(w), ("close_unsolved", w.cast.secretary, {"reason": "业主不同意方案"}))
    still_open = _dispatched(w)
    far = _resolved(w, FAR_IN_GRID)  # in the grid, but far from the estate's buildings
    year = timezone.localdate().year
    e = firm_evaluation(w.firm, year)
    assert set(e.case_ids) == {solved.pk, unsolved.pk, still_open.pk}
    assert far.pk not in e.case_ids
    # the rates are the cases module's own, over exactly these cases
    expected = case_rates(
        type(solved).objects.filter(pk__in=[solved.pk, unsolved.pk, still_open.pk]),
        since=date(year, 1, 1),
        until=timezone.localdate(),
    )
    assert e.rates == expected
    assert (e.rates.concluded, e.rates.solved) == (2, 1)  # closed unsolved counts against 解决率
    assert e.rates.resolution_rate == Decimal("0.5000")
    assert e.received == 3 and e.rates.dispatched == 3
    # the other firm's estate has none of them
    assert firm_evaluation(w.other_firm, year).case_ids == []


def test_closing_a_case_changes_the_evaluation(world):
    w = world
    case = _resolved(w)
    year = timezone.localdate().year
    before = firm_evaluation(w.firm, year)
    assert before.rates.concluded == 0 and before.rates.resolution_rate is None
    move(case, ("follow_up", w.cast.secretary, {"solved": True}))
    after = firm_evaluation(w.firm, year)
    assert (after.rates.concluded, after.rates.solved) == (1, 1)
    assert after.objective is not None and after.objective != before.objective


def test_joint_meeting_tasks_and_the_score(world):
    w = world
    today = timezone.localdate()
    meeting = meeting_schedule(
        actor=SYSTEM,
        title="阳光花园三驾马车联席会议",
        scheduled_at=timezone.now() - timedelta(days=20),
        region=w.cast.tree.community_a1,
        invite_units=[w.firm],
    )
    joint_meeting_link(actor=SYSTEM, estate=w.estate, meeting=meeting)
    decision = decision_create(meeting=meeting, actor=SYSTEM, title="更换地下车库照明")
    decision = decision_step(decision=decision, action="adopt", actor=SYSTEM)
    t1 = task_create(
        decision=decision, actor=SYSTEM, title="采购灯具", due_on=today - timedelta(days=1), owner_unit=w.firm
    )
    task_create(
        decision=decision, actor=SYSTEM, title="施工", due_on=today - timedelta(days=1), owner_unit=w.firm
    )
    task_done(task=t1, actor=SYSTEM, note="已采购")
    e = firm_evaluation(w.firm, today.year)
    assert (e.tasks_due, e.tasks_done) == (2, 1)
    tasks = next(p for p in e.parts if p.key == "tasks")
    assert tasks.value == Decimal("0.5000")
    # with only the task part (and the duty) to count, the objective is their weighted mean
    duty = next(p for p in e.parts if p.key == "duty")
    expected = (tasks.value * tasks.weight + duty.value * duty.weight) * 100 / (tasks.weight + duty.weight)
    assert e.objective == expected.quantize(Decimal("0.01"))
    # the street's own score mixes in at the configured share
    evaluation_score(actor=w.cast.street, firm=w.firm, year=today.year, score=Decimal("100"))
    e = firm_evaluation(w.firm, today.year)
    share = e.rules.subjective_share
    assert e.total == (e.objective * (1 - share) + 100 * share).quantize(Decimal("0.01"))
    assert not e.gold  # too few concluded cases for 金牌


def test_the_street_s_score_is_the_street_s(world):
    with pytest.raises(PermissionDenied):
        evaluation_score(actor=world.cast.secretary, firm=world.firm, year=2026, score=Decimal(80))
    with pytest.raises(ValidationError):
        evaluation_score(actor=world.cast.street, firm=world.firm, year=2026, score=Decimal(120))


def test_red_committee_by_the_rule(world):
    estate = Estate.objects.get(pk=world.estate.pk)
    committee = estate.committees.get()
    members = list(committee.members.select_related("person"))
    rules = estate_rules_for(timezone.localdate())
    assert is_red_committee(members, rules)  # the director is a Party member
    rules.red_if_director_member = False
    rules.red_member_share = Decimal("0.60")
    assert not is_red_committee(members, rules)  # 1 of 2 is below 60%
    rules.red_member_share = Decimal("0.50")
    assert is_red_committee(members, rules)


def test_a_case_near_two_estates_goes_to_the_nearer_building(world):
    case = report_case(world.cast.tree, at=(120.6053, 31.31015))
    found = estate_case_ids([world.estate, world.other_estate], rules=estate_rules_for(timezone.localdate()))
    assert case.pk in found[world.estate.pk] and case.pk not in found[world.other_estate.pk]
