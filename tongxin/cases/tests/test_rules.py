"""One rule per action: every rule is complete, and everything that used to be a table of actions
(forms, labels, API params, recipients, webhooks) is read from the rules, so an action added as a
rule is offered, applied, labelled, told and sent without another edit."""

from enum import StrEnum

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tongxin.cases import forms, outbox
from tongxin.cases.api import GENERIC_FIELDS, _action_params
from tongxin.cases.models import CaseStatus, CaseTransition
from tongxin.cases.public_views import _public_timeline
from tongxin.cases.schemas import ActionIn
from tongxin.cases.services import RESIDENT, allowed_actions_for, case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.cases.workflow import INTAKE, RULES, Action, Audience, Party, may_rate, rule_for, timeline_label
from tongxin.core.workflow import Labels, Param, Rule


def _words(text: object) -> dict[str, str]:
    found = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            found[language] = str(text)
    return found


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_one_complete_rule(action):
    rule = rule_for(action)
    assert rule is not None and rule.action == action
    assert (rule is INTAKE) == (action == Action.INTAKE) and (action in RULES) != (rule is INTAKE)
    assert rule.who and rule.who <= set(Party)
    assert rule.sources <= set(CaseStatus.values) and (
        rule.target is None or rule.target in CaseStatus.values
    )
    labels = [
        rule.labels.timeline,
        rule.labels.done,
        rule.labels.button,
        rule.labels.public,
        rule.labels.reason,
    ]
    if rule is not INTAKE:
        assert rule.sources, "an action on a case starts somewhere"
        assert rule.labels.done is not None
    for label in filter(None, labels):
        words = _words(label)
        assert all(words.values()), (action, words)
        assert words["en"] != words["zh-hans"], f"{action}: “{words['en']}” has no Chinese translation"
    names = [p.name for p in rule.params]
    assert len(names) == len(set(names)) and all(isinstance(p.type, type) for p in rule.params)
    if not callable(rule.audiences):
        assert set(rule.audiences) <= set(Audience)


def test_the_rate_audiences_follow_the_outcome():
    audiences = RULES[Action.RATE].audiences_for
    row = CaseTransition(
        action="rate", from_status="verified", to_status="verified", data={"rating": "satisfied"}
    )
    assert audiences(row) == ()
    row.data = {"rating": "unsatisfied"}
    assert audiences(row) == (Audience.COMMUNITY,)
    row.to_status = "in_progress"
    assert audiences(row) == (Audience.HANDLERS, Audience.COMMUNITY)


def test_the_former_tables_are_read_from_the_rules():
    assert set(forms.ACTION_FORMS) == {a for a, r in RULES.items() if r.labels.button is not None}
    assert all(form.action == action for action, form in forms.ACTION_FORMS.items())
    assert set(outbox.AUDIENCES) == set(Audience)
    # the API reads no body field that no rule declares
    body = set(ActionIn.model_fields) - GENERIC_FIELDS
    assert body <= {p.name for r in RULES.values() for p in r.params}
    assert timeline_label("intake") == str(INTAKE.labels.timeline)
    assert timeline_label("something old") == "something old"


@pytest.mark.django_db
def test_an_action_added_as_a_rule_is_offered_applied_labelled_and_told(tree, monkeypatch):
    class Extra(StrEnum):
        REMIND = "remind"

    reminded: list[tuple[object, dict]] = []

    def remind(case, actor, reason, now, params):
        reminded.append((actor, params))

    rule = Rule(
        Extra.REMIND,
        frozenset({CaseStatus.REPORTED}),
        None,
        frozenset({Party.COMMUNITY}),
        Labels(timeline="Reminded", done="reminded", button="Remind", public="You were reminded."),
        effect=remind,
        params=(Param("urgent", bool, required=True, message="Say whether it is urgent."),),
        audiences=(Audience.COMMUNITY,),
        webhook=True,
    )
    monkeypatch.setitem(RULES, "remind", rule)
    cast = build_cast(tree)
    case = report_case(tree)

    assert "remind" in allowed_actions_for(cast.secretary, case)
    assert "remind" not in allowed_actions_for(cast.grid_worker, case)
    assert "remind" in forms._action_forms()
    with pytest.raises(ValidationError) as refused:
        case_transition(case=case, action="remind", actor=cast.secretary)
    assert refused.value.message_dict == {"urgent": ["Say whether it is urgent."]}
    with pytest.raises(TypeError):
        case_transition(case=case, action="remind", actor=cast.secretary, urgent=True, loud=True)

    case = case_transition(case=case, action="remind", actor=cast.secretary, urgent=True)
    assert reminded == [(cast.secretary, {"urgent": True})]
    row = CaseTransition.objects.filter(case=case).latest("id")
    assert (row.action, row.from_status, row.to_status, row.data) == (
        "remind",
        "reported",
        "reported",
        {"urgent": True},
    )
    assert timeline_label(row.action) == "Reminded"
    assert [s["text"] for s in _public_timeline(case)][-1] == "You were reminded."
    assert outbox.recipients(row) == outbox._community_managers(case) and outbox.recipients(row)
    # the API takes the rule's params and refuses the others
    with pytest.raises(ValidationError):
        _action_params(cast.secretary, case, "remind", ActionIn(solved=True))
    assert _action_params(cast.secretary, case, "remind", ActionIn()) == {"urgent": None}  # the rule says


@pytest.mark.django_db
def test_one_rating_per_result(tree):
    cast = build_cast(tree)
    case = report_case(tree)
    assert not may_rate(case)  # not handled yet
    for actor, action, params in [
        (cast.secretary, "accept", {}),
        (cast.secretary, "dispatch", {"to_user": cast.handler}),
        (cast.handler, "respond", {}),
        (cast.handler, "resolve", {"reason": "已清运"}),
        (cast.grid_worker, "verify_pass", {}),
    ]:
        case = case_transition(case=case, action=action, actor=actor, **params)
    assert may_rate(case)
    case = case_transition(case=case, action="rate", actor=RESIDENT, rating="satisfied", solved=True)
    assert not may_rate(case)
    assert "rate" not in allowed_actions_for(RESIDENT, case)
