"""Two workers sweep deadlines at once (the sweep runs in shards on two workers, and a dead worker's
sweep runs again): each case is warned, supervised and whistled once. A sweep claims a case by the
version it read; a whistle by a conditional update of its escalated_at."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tongxin.cases import escalation
from tongxin.cases.models import Case, CaseTransition, Whistle
from tongxin.cases.services import case_transition
from tongxin.cases.testing import category, report_case
from tongxin.cases.workflow import Action
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": MONDAY_9}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return lambda moment: state.update(now=moment)


def _dispatched(tree, code: str = "0501") -> Case:
    secretary = make_user("community_secretary", tree.community_a1)
    handler = make_user("community_staff", tree.community_a1)
    case = report_case(tree, category=category(code))
    case_transition(case=case, action="accept", actor=secretary)
    return case_transition(case=case, action="dispatch", actor=secretary, to_user=handler)


def _system_actions(case: Case) -> list[str]:
    return list(
        CaseTransition.objects.filter(case=case, actor_label="system")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_second_sweep_that_read_the_same_version_changes_nothing(tree, clock):
    case = _dispatched(tree)
    clock(datetime(2026, 11, 23, 14, 30, tzinfo=TZ))
    read = Case.objects.get(pk=case.pk).version  # both workers read the case before either writes
    now = timezone.now()
    assert escalation._apply(case.pk, read, Action.WARN, "first", now) is not None
    assert escalation._apply(case.pk, read, Action.WARN, "second", now) is None
    assert _system_actions(case) == ["warn"]


def test_the_shards_split_the_cases_and_together_cover_them(tree, clock):
    cases = [_dispatched(tree, code="0101") for _ in range(4)]
    clock(MONDAY_9 + timedelta(days=7))
    first = escalation.escalate_due(shard=0, shards=2)
    second = escalation.escalate_due(shard=1, shards=2)
    assert first["supervised"] + second["supervised"] == 4
    assert first["supervised"] == sum(1 for c in cases if c.pk % 2 == 0)
    assert (
        escalation.escalate_due(shard=0, shards=2)
        == escalation.escalate_due(shard=1, shards=2)
        == {
            "warned": 0,
            "supervised": 0,
            "whistled": 0,
        }
    )
    for case in cases:
        assert _system_actions(case) == ["supervise"]


def test_a_whistle_is_escalated_once_by_two_sweeps(tree, clock):
    case = _dispatched(tree)
    clock(datetime(2026, 11, 23, 15, 1, tzinfo=TZ))
    escalation.escalate_due()
    assert _system_actions(case) == ["supervise", "whistle"]
    clock(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    whistle = Whistle.objects.get(case=case)
    Whistle.objects.filter(pk=whistle.pk).update(escalated_at=timezone.now())  # the other sweep won
    escalation.escalate_due()
    assert _system_actions(case) == ["supervise", "whistle"]
    assert Whistle.objects.filter(case=case).count() == 1
