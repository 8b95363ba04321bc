"""The steps of a decision (两委三会四议): the table, applied by decision_step, case by case."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.meetings.models import DecisionStatus as S
from tongxin.meetings.services import decision_create, decision_step, meeting_record, meeting_schedule
from tongxin.meetings.workflow import TABLE, allowed_steps, step_for
from tongxin.partners.testing import build_cobuilding

ALL = list(S.values)
# (procedure, status) -> actions allowed; everything else is refused
EXPECTED = {
    (True, S.PROPOSED): {"discuss"},
    (True, S.DISCUSSED): {"adopt", "reject"},
    (True, S.ADOPTED): {"evaluate"},
    (True, S.REJECTED): set(),
    (True, S.EVALUATED): set(),
    (False, S.PROPOSED): {"discuss", "adopt", "reject"},
    (False, S.DISCUSSED): {"adopt", "reject"},
    (False, S.ADOPTED): {"evaluate"},
    (False, S.REJECTED): set(),
    (False, S.EVALUATED): set(),
}


@pytest.mark.parametrize("four_step", [True, False])
@pytest.mark.parametrize("status", ALL)
def test_table(four_step, status):
    allowed = {s.action for s in allowed_steps(status, four_step=four_step)}
    assert allowed == EXPECTED[(four_step, status)]
    for action in ("discuss", "adopt", "reject", "evaluate", "propose", "anything"):
        assert (step_for(action, status, four_step=four_step) is not None) == (action in allowed)


def test_every_row_leads_somewhere_it_can_be_taken_from():
    for step in TABLE:
        assert step.target in S.values and step.sources <= set(S.values)
        assert step.target not in step.sources
    # review (审议) needs a note when it says no; evaluation (评议) always needs one
    assert all(s.needs_note for s in TABLE if s.action in ("reject", "evaluate"))


@pytest.mark.django_db
@pytest.mark.parametrize("four_step", [True, False])
@pytest.mark.parametrize("start", [S.PROPOSED, S.DISCUSSED, S.ADOPTED, S.REJECTED, S.EVALUATED])
@pytest.mark.parametrize("action", ["discuss", "adopt", "reject", "evaluate"])
def test_decision_step_follows_the_table(tree, four_step, start, action):
    cast = build_cobuilding(tree)
    meeting = meeting_schedule(
        actor=cast.secretary,
        region=tree.community_a1,
        title="议事会",
        scheduled_at=timezone.now() - timedelta(days=1),
    )
    meeting_record(meeting=meeting, actor=cast.secretary, minutes="纪要")
    decision = decision_create(meeting=meeting, actor=cast.secretary, title="决定", four_step=four_step)
    path = {
        S.PROPOSED: [],
        S.DISCUSSED: ["discuss"],
        S.ADOPTED: ["discuss", "adopt"],
        S.REJECTED: ["discuss", "reject"],
        S.EVALUATED: ["discuss", "adopt", "evaluate"],
    }[start]
    for step in path:
        decision = decision_step(decision=decision, action=step, actor=cast.secretary, note="说明")
    assert decision.status == start
    expected = step_for(action, start, four_step=four_step)
    before = decision.steps.count()
    if expected is None:
        with pytest.raises(ValidationError):
            decision_step(decision=decision, action=action, actor=cast.secretary, note="说明")
        assert decision.steps.count() == before
        return
    changed = decision_step(decision=decision, action=action, actor=cast.secretary, note="说明")
    assert changed.status == expected.target
    last = decision.steps.order_by("-id").first()
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        action,
        start,
        expected.target,
        cast.secretary,
    )
    assert decision.steps.count() == before + 1


@pytest.mark.django_db
def test_notes_and_who_may_step(tree):
    cast = build_cobuilding(tree)
    meeting = meeting_schedule(
        actor=cast.secretary,
        region=tree.community_a1,
        title="议事会",
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    decision = decision_create(meeting=meeting, actor=cast.secretary, title="决定", four_step=True)
    assert [s.action for s in decision.steps.all()] == ["propose"]
    with pytest.raises(PermissionDenied):
        decision_step(decision=decision, action="discuss", actor=cast.liaison_a)
    with pytest.raises(PermissionDenied):
        decision_step(decision=decision, action="discuss", actor=cast.neighbour)
    decision = decision_step(decision=decision, action="discuss", actor=cast.secretary)
    with pytest.raises(ValidationError) as exc:
        decision_step(decision=decision, action="reject", actor=cast.secretary, note=" ")
    assert "note" in exc.value.message_dict
    decision = decision_step(decision=decision, action="adopt", actor=cast.secretary)
    with pytest.raises(ValidationError):  # 评议 comes after the meeting has been held
        decision_step(decision=decision, action="evaluate", actor=cast.secretary, note="好")
