"""The steps of a decision, in one table: 两委三会四议 — 提议 → 商议 → 审议 → 评议.

A decision is proposed (提议) when it is recorded. A decision under 两委三会四议 (`four_step`)
must be discussed (商议) before it is reviewed (审议: adopted or not); an ordinary joint-meeting
decision may be adopted at once. An adopted decision is evaluated (评议) once its tasks are done.
services.decision_step applies a step; nothing else changes a decision's status.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tongxin.meetings.models import DecisionStatus

S = DecisionStatus

ANY, FOUR_STEP, SIMPLE = "any", "four_step", "simple"


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str
    procedure: str  # which decisions may take it: ANY, FOUR_STEP only, SIMPLE only
    needs_note: bool
    label: object


def _step(
    action: str, sources: set[str], target: str, procedure: str, needs_note: bool, label: object
) -> Step:
    return Step(action, frozenset(sources), target, procedure, needs_note, label)


# one row per allowed step; "adopt" and "reject" have two: after 商议 for every decision, straight
# from 提议 only for an ordinary joint-meeting decision
TABLE: list[Step] = [
    _step("discuss", {S.PROPOSED}, S.DISCUSSED, ANY, False, _("Discussed (商议)")),
    _step("adopt", {S.DISCUSSED}, S.ADOPTED, ANY, False, _("Adopted on review (审议通过)")),
    _step("adopt", {S.PROPOSED}, S.ADOPTED, SIMPLE, False, _("Adopted at the meeting")),
    _step("reject", {S.DISCUSSED}, S.REJECTED, ANY, True, _("Not adopted on review (审议未通过)")),
    _step("reject", {S.PROPOSED}, S.REJECTED, SIMPLE, True, _("Not adopted at the meeting")),
    _step("evaluate", {S.ADOPTED}, S.EVALUATED, ANY, True, _("Evaluated (评议)")),
]
ACTIONS = ("discuss", "adopt", "reject", "evaluate")


def step_for(action: str, status: str, *, four_step: bool) -> Step | None:
    """The row of the table that lets a decision in `status` take `action`, if any."""
    for step in TABLE:
        if step.action != action or status not in step.sources:
            continue
        if step.procedure == FOUR_STEP and not four_step:
            continue
        if step.procedure == SIMPLE and four_step:
            continue
        return step
    return None


def allowed_steps(status: str, *, four_step: bool) -> list[Step]:
    return [s for a in ACTIONS if (s := step_for(a, status, four_step=four_step)) is not None]
