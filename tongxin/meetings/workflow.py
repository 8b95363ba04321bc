"""The steps of a decision as data: 两委三会四议 — 提议 → 商议 → 审议 → 评议, one core.workflow rule per
action.

A decision is proposed (提议) when it is recorded. A decision under 两委三会四议 (`four_step`)
must be discussed (商议) before it is reviewed (审议: adopted or not); an ordinary joint-meeting
decision may be adopted at once — the guard of "adopt" and "reject" says so, and their words depend
on the status they start from. An adopted decision is evaluated (评议) once its tasks are done.
services.decision_step applies a rule; nothing else changes a decision's status. Pages read the
steps a decision may take now (`allowed_steps`), derived from the rules.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongxin.core.workflow import Labels, Rule, by_action
from tongxin.meetings.models import DecisionStatus

S = DecisionStatus


class DecisionAction(StrEnum):
    DISCUSS = "discuss"
    ADOPT = "adopt"
    REJECT = "reject"
    EVALUATE = "evaluate"


class _Procedure(Protocol):
    status: str
    four_step: bool


def _reviewed_after_discussion(decision: _Procedure) -> ValidationError | None:
    """Under 两委三会四议 a decision is reviewed only after it has been discussed (商议)."""
    if decision.four_step and decision.status == S.PROPOSED:
        return ValidationError(_("Under 两委三会四议 a decision is discussed before it is reviewed."))
    return None


@dataclass(frozen=True)
class DecisionRule:
    """A rule with the words of its step by the status it starts from (审议 after 商议 or at once)."""

    rule: Rule[Any]
    label_from: dict[str, Any]


RULES: dict[str, DecisionRule] = {
    r.rule.action: r
    for r in [
        DecisionRule(
            Rule(
                action=DecisionAction.DISCUSS,
                sources={S.PROPOSED},
                target=S.DISCUSSED,
                who={"organiser"},
                labels=Labels(timeline=_("Discussed (商议)")),
            ),
            {S.PROPOSED: _("Discussed (商议)")},
        ),
        DecisionRule(
            Rule(
                action=DecisionAction.ADOPT,
                sources={S.PROPOSED, S.DISCUSSED},
                target=S.ADOPTED,
                who={"organiser"},
                guard=_reviewed_after_discussion,
                labels=Labels(timeline=_("Adopted on review (审议通过)")),
            ),
            {S.DISCUSSED: _("Adopted on review (审议通过)"), S.PROPOSED: _("Adopted at the meeting")},
        ),
        DecisionRule(
            Rule(
                action=DecisionAction.REJECT,
                sources={S.PROPOSED, S.DISCUSSED},
                target=S.REJECTED,
                who={"organiser"},
                needs_reason=True,
                guard=_reviewed_after_discussion,
                labels=Labels(timeline=_("Not adopted on review (审议未通过)")),
            ),
            {
                S.DISCUSSED: _("Not adopted on review (审议未通过)"),
                S.PROPOSED: _("Not adopted at the meeting"),
            },
        ),
        DecisionRule(
            Rule(
                action=DecisionAction.EVALUATE,
                sources={S.ADOPTED},
                target=S.EVALUATED,
                who={"organiser"},
                needs_reason=True,
                labels=Labels(timeline=_("Evaluated (评议)")),
            ),
            {S.ADOPTED: _("Evaluated (评议)")},
        ),
    ]
}
by_action([r.rule for r in RULES.values()])  # one rule per action
ACTIONS = tuple(RULES)


@dataclass(frozen=True)
class Step:
    """One step a decision in a given status may take: what a page offers and decision_step applies."""

    action: str
    sources: frozenset[str]
    target: str
    needs_note: bool
    label: object


@dataclass(frozen=True)
class _Now:
    status: str
    four_step: bool


def step_for(action: str, status: str, *, four_step: bool) -> Step | None:
    """The step that lets a decision in `status` (under its procedure) take `action`, if any."""
    found = RULES.get(action)
    if found is None or not found.rule.permits(_Now(status, four_step), status):
        return None
    rule = found.rule
    assert rule.target is not None
    return Step(action, frozenset({status}), rule.target, rule.needs_reason, found.label_from[status])


def allowed_steps(status: str, *, four_step: bool) -> list[Step]:
    return [s for a in ACTIONS if (s := step_for(a, status, four_step=four_step)) is not None]


# every step of the table, for each status it may start from and each procedure
TABLE: list[Step] = sorted(
    {
        step
        for r in RULES.values()
        for status in r.rule.sources
        for four_step in (True, False)
        if (step := step_for(r.rule.action, status, four_step=four_step)) is not None
    },
    key=lambda s: (ACTIONS.index(s.action), sorted(s.sources)),
)
