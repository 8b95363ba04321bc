"""The case state machine: every allowed transition, in one table.

`who` names the party that may take the action (checked in services.case_transition):
  community  – cases.manage over the case's region      handler  – the current assignee
  member     – a Party member of a branch over the grid   verifier – cases.verify over the region
  supervisor – cases.supervise over the region            whistled – the party a whistle went to
  resident   – the reporter, through the tracking link    system   – the worker
"""

from dataclasses import dataclass

from tongxin.cases.models import OPEN_STATUSES, CaseStatus

S = CaseStatus


@dataclass(frozen=True)
class Rule:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the status does not change (a note, a supervision, a rating)
    who: frozenset[str]
    needs_reason: bool = False


def _rule(
    action: str, sources: set[str], target: str | None, who: set[str], needs_reason: bool = False
) -> Rule:
    return Rule(action, frozenset(sources), target, frozenset(who), needs_reason)


HANDLING = {S.DISPATCHED, S.IN_PROGRESS}
CLOSED = {S.CLOSED, S.CLOSED_UNSOLVED}

RULES: dict[str, Rule] = {
    r.action: r
    for r in [
        _rule("accept", {S.REPORTED}, S.ACCEPTED, {"community"}),
        _rule("reject", {S.REPORTED}, S.REJECTED, {"community"}, needs_reason=True),
        _rule("merge", {S.REPORTED, S.ACCEPTED}, S.MERGED, {"community"}),
        _rule("dispatch", {S.ACCEPTED, S.POOLED, S.DISPATCHED}, S.DISPATCHED, {"community"}),
        _rule("pool", {S.ACCEPTED}, S.POOLED, {"community"}),
        _rule("take", {S.POOLED}, S.IN_PROGRESS, {"member"}),
        _rule("respond", {S.DISPATCHED}, S.IN_PROGRESS, {"handler"}),
        _rule("decline", {S.DISPATCHED}, S.ACCEPTED, {"handler"}, needs_reason=True),
        _rule("progress", {S.IN_PROGRESS}, None, {"handler"}, needs_reason=True),
        _rule(
            "whistle",
            {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.WHISTLED},
            S.WHISTLED,
            {"community", "handler", "system"},
            needs_reason=True,
        ),
        _rule("report", {S.WHISTLED}, S.IN_PROGRESS, {"whistled"}),
        _rule("resolve", {S.IN_PROGRESS}, S.RESOLVED, {"handler"}, needs_reason=True),
        _rule("verify_pass", {S.RESOLVED}, S.VERIFIED, {"verifier"}),
        _rule("verify_fail", {S.RESOLVED}, S.IN_PROGRESS, {"verifier"}, needs_reason=True),
        _rule("rate", {S.VERIFIED, *CLOSED}, None, {"resident"}),
        _rule("follow_up", {S.VERIFIED}, None, {"community"}),  # target depends on the answer
        _rule(
            "close_unsolved",
            {S.IN_PROGRESS, S.RESOLVED, S.VERIFIED, S.WHISTLED},
            S.CLOSED_UNSOLVED,
            {"community"},
            needs_reason=True,
        ),
        _rule("reopen", {S.VERIFIED, *CLOSED}, S.IN_PROGRESS, {"community", "resident"}, needs_reason=True),
        _rule("archive", {*CLOSED, S.REJECTED, S.MERGED}, S.ARCHIVED, {"community", "system"}),
        _rule("supervise", set(OPEN_STATUSES), None, {"supervisor", "system"}, needs_reason=True),
        _rule("answer_supervision", set(OPEN_STATUSES), None, {"handler", "community"}, needs_reason=True),
        _rule("warn", set(OPEN_STATUSES), None, {"system"}),
    ]
}


def allowed_actions(status: str) -> list[str]:
    return [name for name, rule in RULES.items() if status in rule.sources]
