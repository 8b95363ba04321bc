"""The case state machine: one rule per action, and everything else derived from the rules.

A rule (core.workflow.Rule) holds the statuses it leaves and the one it reaches, who may take it,
its note, params, guard and effect (effects.py), who hears of it and its words. services.
case_transition applies it; pages, the API, the notifier and the resident's page read it.

`who` names the party that may take the action (checked in services.may_act):
  community  – cases.manage over the case's region      handler  – the current assignee
  member     – a Party member of a branch over the grid   verifier – cases.verify over the region
  supervisor – cases.supervise over the region            whistled – the party a whistle went to
  resident   – the reporter, through the tracking link    system   – the worker
"""

from collections.abc import Collection
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.accounts.models import User
from tongxin.cases import effects
from tongxin.cases.models import OPEN_STATUSES, Case, CaseStatus, Rating, Responder, WhistleType
from tongxin.core.workflow import IllegalTransition, Labels, Param, Rule, by_action

S = CaseStatus


class Action(StrEnum):
    """What a CaseTransition row records (`action`); intake starts a case, the rest move it."""

    INTAKE = "intake"
    ACCEPT = "accept"
    REJECT = "reject"
    MERGE = "merge"
    DISPATCH = "dispatch"
    POOL = "pool"
    TAKE = "take"
    RESPOND = "respond"
    DECLINE = "decline"
    PROGRESS = "progress"
    WHISTLE = "whistle"
    REPORT = "report"
    RESOLVE = "resolve"
    VERIFY_PASS = "verify_pass"
    VERIFY_FAIL = "verify_fail"
    RATE = "rate"
    FOLLOW_UP = "follow_up"
    CLOSE_UNSOLVED = "close_unsolved"
    REOPEN = "reopen"
    ARCHIVE = "archive"
    SUPERVISE = "supervise"
    ANSWER_SUPERVISION = "answer_supervision"
    WARN = "warn"


class Party(StrEnum):
    COMMUNITY = "community"
    HANDLER = "handler"
    MEMBER = "member"
    VERIFIER = "verifier"
    SUPERVISOR = "supervisor"
    WHISTLED = "whistled"
    RESIDENT = "resident"
    SYSTEM = "system"
    REPORTER = "reporter"  # cases.report where the case lies (intake only, checked by its callers)


class Audience(StrEnum):
    """Who the notifier tells of a transition (outbox.py finds the accounts)."""

    HANDLERS = "handlers"  # who holds the case right after the transition
    POOL = "pool"  # the Party members of the branches over the grid
    WHISTLED = "whistled"  # the team or the officials the whistle went to
    VERIFIERS = "verifiers"  # cases.verify at the grid or the community
    COMMUNITY = "community"  # cases.manage at the community
    SUPERVISORS = "supervisors"  # who wrote the supervision notes


P = Party
A = Audience
CLOSED = {S.CLOSED, S.CLOSED_UNSOLVED}


# --- guards: what must hold besides the status -----------------------------------------------------


def _located_in_grid(case: Case) -> ValidationError | None:
    if case.grid_id is None:
        return ValidationError({"to": [_("Only a case located in a grid can go to the grid's order pool.")]})
    return None


def _result_not_rated(case: Case) -> ValidationError | None:
    """One rating per result: a reopened and handled-again case may be rated again."""
    handled = [t for t in (case.resolved_at, case.verified_at, case.closed_at) if t is not None]
    if case.rated_at is not None and (not handled or case.rated_at >= max(handled)):
        return IllegalTransition(_("This result has already been rated."))
    return None


def _supervision_waiting(case: Case) -> ValidationError | None:
    if not case.supervisions.filter(answered_at__isnull=True).exists():
        return ValidationError({"reason": [_("There is no supervision note waiting for an answer.")]})
    return None


def _rate_audiences(row: Any) -> Collection[str]:
    if row.to_status != row.from_status:  # "not solved": reopened
        return (A.HANDLERS, A.COMMUNITY)
    return (A.COMMUNITY,) if row.data.get("rating") == Rating.UNSATISFIED else ()


def _rule(
    action: Action,
    sources: Collection[str],
    target: str | None,
    who: Collection[Party],
    labels: Labels,
    **more: Any,
) -> Rule[Case]:
    return Rule(action, frozenset(sources), target, frozenset(who), labels, **more)


def _labels(button: Any, timeline: Any, done: Any, public: Any, reason: Any = None) -> Labels:
    return Labels(timeline=timeline, done=done, button=button, public=public, reason=reason)


# --- the rules ---------------------------------------------------------------------------------------

# a case's first row: written by services.case_intake, never applied through case_transition
INTAKE: Rule[Case] = _rule(
    Action.INTAKE,
    (),
    S.REPORTED,
    {P.REPORTER, P.RESIDENT},
    _labels(
        None,
        pgettext_lazy("case timeline", "Report received"),
        None,
        _("Your report was received."),
    ),
    audiences=(A.COMMUNITY,),
    webhook=True,
)

RULES: dict[str, Rule[Case]] = by_action(
    [
        _rule(
            Action.ACCEPT,
            {S.REPORTED},
            S.ACCEPTED,
            {P.COMMUNITY},
            _labels(
                _("Accept (受理)"),
                pgettext_lazy("case timeline", "Accepted"),
                _("accepted"),
                _("The community accepted it."),
            ),
            effect=effects.accept,
        ),
        _rule(
            Action.REJECT,
            {S.REPORTED},
            S.REJECTED,
            {P.COMMUNITY},
            _labels(
                _("Do not accept"),
                pgettext_lazy("case timeline", "Not accepted"),
                _("rejected"),
                _("The community did not accept it."),
                _("Why, in a sentence the resident will understand"),
            ),
            needs_reason=True,
            params=(
                Param("why", str, default="invalid", message=_("Choose why the case is not accepted.")),
                Param(
                    "original", Case, default=None, message=_("Name the original case this one duplicates.")
                ),
            ),
            effect=effects.reject,
        ),
        _rule(
            Action.MERGE,
            {S.REPORTED, S.ACCEPTED},
            S.MERGED,
            {P.COMMUNITY},
            _labels(
                _("Merge into another case"),
                pgettext_lazy("case timeline", "Merged"),
                _("merged"),
                _("It was combined with a report of the same problem."),
            ),
            params=(Param("into", Case, required=True, message=_("Choose an open case to merge into.")),),
            effect=effects.merge,
        ),
        _rule(
            Action.DISPATCH,
            {S.ACCEPTED, S.POOLED, S.DISPATCHED},
            S.DISPATCHED,
            {P.COMMUNITY},
            _labels(
                _("Dispatch (派单)"),
                pgettext_lazy("case timeline", "Dispatched"),
                _("dispatched"),
                _("It was assigned to a handler."),
            ),
            params=(
                Param("to_user", User),
                Param("to_responder", Responder, message=_("Choose an active team, unit or department.")),
            ),
            effect=effects.dispatch,
            audiences=(A.HANDLERS,),
            webhook=True,
        ),
        _rule(
            Action.POOL,
            {S.ACCEPTED},
            S.POOLED,
            {P.COMMUNITY},
            _labels(
                _("Put in the grid's order pool"),
                pgettext_lazy("case timeline", "Put in the order pool"),
                _("put in the order pool"),
                _("It was offered to the Party members of the grid."),
            ),
            guard=_located_in_grid,
            effect=effects.pool,
            audiences=(A.POOL,),
        ),
        _rule(
            Action.TAKE,
            {S.POOLED},
            S.IN_PROGRESS,
            {P.MEMBER},
            _labels(
                _("Take this order (接单)"),
                pgettext_lazy("case timeline", "Taken from the pool"),
                _("taken"),
                _("A Party member of the grid took it on."),
            ),
            effect=effects.take,
            audiences=(A.COMMUNITY,),
        ),
        _rule(
            Action.RESPOND,
            {S.DISPATCHED},
            S.IN_PROGRESS,
            {P.HANDLER},
            _labels(
                _("Accept the task"),
                pgettext_lazy("case timeline", "Accepted by the handler"),
                _("accepted by the handler"),
                _("The handler started work on it."),
            ),
            effect=effects.respond,
        ),
        _rule(
            Action.DECLINE,
            {S.DISPATCHED},
            S.ACCEPTED,
            {P.HANDLER},
            _labels(
                _("Return the task"),
                pgettext_lazy("case timeline", "Returned by the handler"),
                _("returned by the handler"),
                _("It was returned to the community to be reassigned."),
                _("Why you cannot take it"),
            ),
            needs_reason=True,
            effect=effects.decline,
            audiences=(A.COMMUNITY,),
        ),
        _rule(
            Action.PROGRESS,
            {S.IN_PROGRESS},
            None,
            {P.HANDLER},
            _labels(
                _("Record progress"),
                pgettext_lazy("case timeline", "Progress"),
                _("updated"),
                _("The handler recorded progress."),
                _("What has been done so far"),
            ),
            needs_reason=True,
        ),
        _rule(
            Action.WHISTLE,
            {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.WHISTLED},
            S.WHISTLED,
            {P.COMMUNITY, P.HANDLER, P.SYSTEM},
            _labels(
                _("Whistle (吹哨)"),
                pgettext_lazy("case timeline", "Whistled"),
                _("whistled"),
                _("It was passed up to the next level (吹哨)."),
                _("Why this level cannot solve it"),
            ),
            needs_reason=True,
            params=(
                Param("whistle_type", WhistleType, required=True, message=_("Choose a kind of whistle.")),
                Param("to_responder", Responder),
            ),
            effect=effects.whistle,
            audiences=(A.WHISTLED,),
            webhook=True,
        ),
        _rule(
            Action.REPORT,
            {S.WHISTLED},
            S.IN_PROGRESS,
            {P.WHISTLED},
            _labels(
                _("Report to the whistle (报到)"),
                pgettext_lazy("case timeline", "Reported to the whistle"),
                _("reported to"),
                _("The next level took it on (报到)."),
            ),
            effect=effects.report,
            audiences=(A.COMMUNITY,),
        ),
        _rule(
            Action.RESOLVE,
            {S.IN_PROGRESS},
            S.RESOLVED,
            {P.HANDLER},
            _labels(
                _("Record the result"),
                pgettext_lazy("case timeline", "Result recorded"),
                _("marked handled"),
                _("The handler recorded the result."),
                _("What was done (the resident sees this)"),
            ),
            needs_reason=True,
            effect=effects.resolve,
            audiences=(A.VERIFIERS,),
            webhook=True,
        ),
        _rule(
            Action.VERIFY_PASS,
            {S.RESOLVED},
            S.VERIFIED,
            {P.VERIFIER},
            _labels(
                _("Verified on site: handled"),
                pgettext_lazy("case timeline", "Verified on site"),
                _("verified"),
                _("The grid worker checked it on site."),
                _("What you saw on site"),
            ),
            effect=effects.verify_pass,
            audiences=(A.COMMUNITY,),
        ),
        _rule(
            Action.VERIFY_FAIL,
            {S.RESOLVED},
            S.IN_PROGRESS,
            {P.VERIFIER},
            _labels(
                _("Verified on site: not handled"),
                pgettext_lazy("case timeline", "Sent back after the check on site"),
                _("sent back"),
                _("The check on site found more to do."),
                _("What is still wrong"),
            ),
            needs_reason=True,
            effect=effects.verify_fail,
            audiences=(A.HANDLERS,),
        ),
        _rule(
            Action.RATE,  # on the resident's tracking page, not a button of the officials' pages
            {S.VERIFIED, *CLOSED},
            None,  # or reopened, when the resident says it is not solved
            {P.RESIDENT},
            _labels(
                None,
                pgettext_lazy("case timeline", "Rated by the resident"),
                _("rated"),
                _("You rated the result."),
            ),
            params=(
                Param(
                    "rating",
                    Rating,
                    required=True,
                    message=_("Choose satisfied, basically satisfied or unsatisfied."),
                ),
                Param("solved", bool),
                Param("comment", str),
            ),
            guard=_result_not_rated,
            effect=effects.rate,
            audiences=_rate_audiences,
        ),
        _rule(
            Action.FOLLOW_UP,
            {S.VERIFIED},
            None,  # closed, solved or not, as the resident says
            {P.COMMUNITY},
            _labels(
                _("Record the follow-up call (回访)"),
                pgettext_lazy("case timeline", "Follow-up call"),
                _("followed up"),
                _("The community called to follow up."),
                _("Notes from the call"),
            ),
            params=(
                Param(
                    "solved",
                    bool,
                    required=True,
                    message=_("Record whether the resident says the problem is solved."),
                ),
                Param("rating", Rating),
            ),
            effect=effects.follow_up,
        ),
        _rule(
            Action.CLOSE_UNSOLVED,
            {S.IN_PROGRESS, S.RESOLVED, S.VERIFIED, S.WHISTLED},
            S.CLOSED_UNSOLVED,
            {P.COMMUNITY},
            _labels(
                _("Close as not fixed"),
                pgettext_lazy("case timeline", "Closed as not fixed"),
                _("closed as not fixed"),
                _("It was closed, but the problem is not fixed."),
                _("Why it cannot be fixed"),
            ),
            needs_reason=True,
            effect=effects.close_unsolved,
        ),
        _rule(
            Action.REOPEN,
            {S.VERIFIED, *CLOSED},
            S.IN_PROGRESS,  # or accepted, when nobody ever took it on
            {P.COMMUNITY, P.RESIDENT},
            _labels(
                _("Reopen"),
                pgettext_lazy("case timeline", "Reopened"),
                _("reopened"),
                _("It was reopened."),
                _("Why it is reopened"),
            ),
            needs_reason=True,
            effect=effects.reopen,
            audiences=(A.HANDLERS, A.COMMUNITY),
            webhook=True,
        ),
        _rule(
            Action.ARCHIVE,
            {*CLOSED, S.REJECTED, S.MERGED},
            S.ARCHIVED,
            {P.COMMUNITY, P.SYSTEM},
            _labels(
                _("Archive (归档)"),
                pgettext_lazy("case timeline", "Archived"),
                _("archived"),
                _("The case was archived."),
            ),
            effect=effects.archive,
        ),
        _rule(
            Action.SUPERVISE,
            OPEN_STATUSES,
            None,
            {P.SUPERVISOR, P.SYSTEM},
            _labels(
                _("Supervise (督办)"),
                pgettext_lazy("case timeline", "Supervised"),
                _("supervised"),
                _("A higher level is supervising it (督办)."),
                _("Supervision note for the handler"),
            ),
            needs_reason=True,
            params=(Param("overdue", bool),),  # the worker's: the handling time has passed
            effect=effects.supervise,
            audiences=(A.HANDLERS, A.COMMUNITY),
            webhook=True,
        ),
        _rule(
            Action.ANSWER_SUPERVISION,
            OPEN_STATUSES,
            None,
            {P.HANDLER, P.COMMUNITY},
            _labels(
                _("Answer the supervision note"),
                pgettext_lazy("case timeline", "Supervision answered"),
                _("answered"),
                _("The handler answered the supervision."),
                _("Your answer"),
            ),
            needs_reason=True,
            guard=_supervision_waiting,
            effect=effects.answer_supervision,
            audiences=(A.COMMUNITY, A.SUPERVISORS),
        ),
        _rule(
            Action.WARN,  # the worker's, when most of the handling time is used up
            OPEN_STATUSES,
            None,
            {P.SYSTEM},
            _labels(None, pgettext_lazy("case timeline", "Deadline warning"), _("warned"), None),
            effect=effects.warn,
            audiences=(A.HANDLERS,),
        ),
    ]
)


def rule_for(action: str) -> Rule[Case] | None:
    """The rule of a transition row's action (intake included); None for an unknown one."""
    return INTAKE if action == INTAKE.action else RULES.get(action)


def timeline_label(action: str) -> str:
    rule = rule_for(action)
    return str(rule.labels.timeline) if rule is not None else action


def allowed_actions(status: str) -> list[str]:
    return [name for name, rule in RULES.items() if rule.leaves(status)]


def may_rate(case: Case) -> bool:
    """May the resident rate the case now: one rating per result (a reopened case that is handled
    again may be rated again). The tracking page, the API and case_transition all ask this."""
    return RULES[Action.RATE].permits(case, case.status)
