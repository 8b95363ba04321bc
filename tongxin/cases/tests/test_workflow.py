"""Every action from every status: allowed ones succeed, the rest are refused and write nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tongxin.accounts.services import role_grant
from tongxin.cases.models import Case, CaseStatus, CaseTransition, Supervision, Whistle, WhistleType
from tongxin.cases.services import RESIDENT, SYSTEM, IllegalTransition, case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.workflow import RULES
from tongxin.testing import make_member, make_user

pytestmark = pytest.mark.django_db


def _actor_for(rule, official):
    if rule.who == {"resident"}:
        return RESIDENT
    if rule.who == {"system"}:
        return SYSTEM
    return official


def _params(action, other_case, whistle_type):
    return {
        "reject": {"why": "invalid"},
        "merge": {"into": other_case},
        "dispatch": {"to_user": None},
        "whistle": {"whistle_type": whistle_type},
        "rate": {"rating": "satisfied", "solved": True},
        "follow_up": {"solved": True},
    }.get(action, {})


def test_transition_table(tree):
    official = make_user("community_secretary", tree.community_a1)
    for role in ("grid_worker", "street_official"):
        role_grant(user=official, role=role, region=tree.street_a, granted_by=None)
    member = make_member(tree.grids["1.1"], tree.orgs["grid_branch"])
    official.person = member
    official.save()
    other = report_case(tree)
    whistle_type = WhistleType.objects.get(code="escalate")
    results = {}
    for action, rule in RULES.items():
        for status in CaseStatus.values:
            case = report_case(tree)
            Case.objects.filter(pk=case.pk).update(status=status, assignee_user=official)
            Whistle.objects.create(
                case=case,
                whistle_type=whistle_type,
                to_region=tree.community_a1,
                whistled_at=timezone.now(),
                report_due=timezone.now(),
            )
            Supervision.objects.create(case=case, note="请加快", created_at=timezone.now())
            params = _params(action, other, whistle_type)
            if action in ("dispatch", "accept_dispatch", "assign_verifier"):
                params["to_user"] = official
            actor = _actor_for(rule, official)
            before = CaseTransition.objects.filter(case=case).count()
            try:
                with transaction.atomic():
                    updated = case_transition(case=case, action=action, actor=actor, reason="说明", **params)
            except IllegalTransition:
                assert status not in rule.sources, (action, status)
                assert CaseTransition.objects.filter(case=case).count() == before
                assert Case.objects.get(pk=case.pk).status == status
                results[(action, status)] = "refused"
                continue
            assert status in rule.sources, (action, status)
            expected = rule.target or status
            if action == "follow_up":
                expected = CaseStatus.CLOSED
            assert updated.status == expected, (action, status, updated.status)
            last = CaseTransition.objects.filter(case=case).latest("id")
            assert (last.action, last.from_status, last.to_status) == (action, status, expected)
            results[(action, status)] = "ok"
    assert len(results) == len(RULES) * len(CaseStatus.values)


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("grid_worker", "accept"),  # grid workers verify, they do not dispatch
        ("community_secretary", "verify_pass"),
        ("hotline_operator", "accept"),
    ],
)
def test_wrong_party_is_refused(tree, role, action):
    make_user("grid_worker", tree.grids["1.1"])  # the grid has its verifier: nobody stands in
    user = make_user(role, tree.community_a1)
    case = report_case(tree)
    status = RULES[action].sources and sorted(RULES[action].sources)[0]
    Case.objects.filter(pk=case.pk).update(status=status)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, action=action, actor=user, reason="x")


def test_other_community_cannot_touch_the_case(tree):
    outsider = make_user("community_secretary", tree.community_a2)
    case = report_case(tree)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, action="accept", actor=outsider)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REPORTED


def test_reason_required(tree):
    official = make_user("community_secretary", tree.community_a1)
    case = report_case(tree)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        case_transition(case=case, action="reject", actor=official, why="invalid", reason=" ")


def test_stale_version_is_a_conflict(tree):
    from tongxin.cases.services import CaseConflict

    official = make_user("community_secretary", tree.community_a1)
    case = report_case(tree)
    case_transition(case=case, action="accept", actor=official, expected_version=0)
    with pytest.raises(CaseConflict):
        case_transition(case=case, action="pool", actor=official, expected_version=0)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED
