"""Two people acting on the same case at the same moment, on PostgreSQL (real row locks, real
concurrent transactions): exactly one wins, the other is told, and one transition is written."""

import dataclasses
import json
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tongxin.cases import services
from tongxin.cases.models import Case, CaseStatus, CaseTransition
from tongxin.cases.services import CaseConflict, IllegalTransition, case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.cases.workflow import RULES
from tongxin.testing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: sh scripts/with-postgres.sh .venv/bin/pytest tongxin/cases")


@pytest.fixture
def slow_effects(monkeypatch):
    """Each effect takes a moment while holding the row lock, so the two attempts overlap."""
    for action in ("accept", "reject"):
        rule = RULES[action]

        def slow(*args: Any, _effect: Any = rule.effect) -> Any:
            time.sleep(0.3)
            return _effect(*args)

        monkeypatch.setitem(RULES, action, dataclasses.replace(rule, effect=slow))


def test_conflicting_transitions_one_wins(tree, slow_effects):
    cast = build_cast(tree)
    case = report_case(tree)
    started = time.monotonic()
    results = race(
        lambda: case_transition(case=case.pk, action="accept", actor=cast.secretary),
        lambda: case_transition(
            case=case.pk, action="reject", actor=cast.handler, reason="不属于本社区", why="not_our_matter"
        ),
    )
    assert time.monotonic() - started >= 0.3
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if not isinstance(r, Case)]
    assert len(winners) == 1 and len(losers) == 1, results
    # refused for the status the winner left: it waited for the lock and then read the new row
    # (without the lock both would have read "reported" and the loser would hit the version check)
    assert isinstance(losers[0], IllegalTransition), losers
    case.refresh_from_db()
    assert case.status == winners[0].status and case.version == 1
    assert CaseTransition.objects.filter(case=case).exclude(action="intake").count() == 1


def test_same_action_with_the_version_seen_is_a_conflict(tree, slow_effects):
    cast = build_cast(tree)
    case = report_case(tree)
    results = race(
        *[
            lambda user=user: case_transition(case=case.pk, action="accept", actor=user, expected_version=0)
            for user in (cast.secretary, cast.handler)
        ]
    )
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, CaseConflict) for r in results) == 1, results
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert list(CaseTransition.objects.filter(case=case).values_list("action", flat=True)) == [
        "intake",
        "accept",
    ]


def test_concurrent_retries_with_one_idempotency_key_make_one_case(tree, monkeypatch):
    intake = services.case_intake

    def slow_intake(**kwargs: Any) -> Any:
        found = intake(**kwargs)
        time.sleep(0.3)  # still inside the request's transaction: the retry arrives meanwhile
        return found

    monkeypatch.setattr("tongxin.cases.api.case_intake", slow_intake)
    body = json.dumps(
        {
            "kind": "help",
            "category": "0802",
            "description": "独居老人摔倒，需要帮助",
            "lng": 120.605,
            "lat": 31.31,
        }
    )

    def post() -> Any:
        return Client().post(
            "/api/v1/cases/public", body, content_type="application/json", headers={"Idempotency-Key": "k-1"}
        )

    first, second = race(post, post)
    assert {first.status_code, second.status_code} == {201}, (first.content, second.content)
    assert first.json() == second.json()
    assert Case.objects.count() == 1


def test_daily_counts_of_concurrent_first_dispatches_add_up(tree):
    """Two cases of one community dispatched at once, the first of that day: one inserts the
    day's row, the other adds to it; nothing is lost."""
    from tongxin.cases.models import CaseDailyCount

    cast = build_cast(tree)
    cases = [report_case(tree) for _ in range(2)]
    for case in cases:
        case_transition(case=case, action="accept", actor=cast.secretary)
    results = race(
        *[
            lambda case=case: case_transition(
                case=case.pk, action="dispatch", actor=cast.secretary, to_user=cast.handler
            )
            for case in cases
        ]
    )
    assert all(isinstance(r, Case) for r in results), results
    [row] = CaseDailyCount.objects.all()
    assert row.dispatched == 2
