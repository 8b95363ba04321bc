"""The case state machine: one rule per action, and everything else derived from the rules.

A rule (core.workflow.Rule) holds the statuses it leaves and the one it reaches, who may take it,
its note, params, guard and effect (effects.py), who hears of it and its words. case_transition
(services.py) applies it; pages, the API, the notifier and the resident's page read it.

`who` names the party that may take the action (checked in services.may_act):
  community  – cases.manage over the case's region      handler  – the current assignee
  member     – a Party member of a branch over the grid   verifier – cases.verify over the region,
  stand_in   – cases.manage over the region, when nobody                or the verifier the case names
               may verify the case (services.verifier_missing)
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
    ACCEPT_DISPATCH = "accept_dispatch"
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
    ASSIGN_VERIFIER = "assign_verifier"
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
    STAND_IN = "stand_in"  # the community verifies itself when the case has no verifier
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


DISPATCH_PARAMS = (
    Param("to_user", User),
    Param("to_responder", Responder, message=_("Choose an active team, unit or department.")),
)

# --- the rules ---------------------------------------------------------------------------------------

# a case's first row: written by services.case_intake, never applied through case_transition
INTAKE: Rule[Case] = Rule(
    Action.INTAKE,
    (),
    S.REPORTED,
    {P.REPORTER, P.RESIDENT},
    Labels(
        timeline=pgettext_lazy("case timeline", "Report received"),
        public=_("Your report was received."),
    ),
    audiences=(A.COMMUNITY,),
    webhook=True,
)

RULES: dict[str, Rule[Case]] = by_action(
    [
        Rule(
            Action.ACCEPT,
            {S.REPORTED},
            S.ACCEPTED,
            {P.COMMUNITY},
            Labels(
                button=_("Accept (受理)"),
                timeline=pgettext_lazy("case timeline", "Accepted"),
                done=_("accepted"),
                public=_("The community accepted it."),
            ),
            effect=effects.accept,
        ),
        Rule(
            Action.ACCEPT_DISPATCH,  # 受理并派单: accept and dispatch in one step
            {S.REPORTED},
            S.DISPATCHED,
            {P.COMMUNITY},
            Labels(
                button=_("Accept and dispatch (受理并派单)"),
                timeline=pgettext_lazy("case timeline", "Accepted and dispatched"),
                done=_("accepted and dispatched"),
                public=_("The community accepted it and assigned it to a handler."),
            ),
            params=DISPATCH_PARAMS,
            effect=effects.accept_dispatch,
            audiences=(A.HANDLERS,),
            webhook=True,
        ),
        Rule(
            Action.REJECT,
            {S.REPORTED},
            S.REJECTED,
            {P.COMMUNITY},
            Labels(
                button=_("Do not accept"),
                timeline=pgettext_lazy("case timeline", "Not accepted"),
                done=_("rejected"),
                public=_("The community did not accept it."),
                reason=_("Why, in a sentence the resident will understand"),
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
        Rule(
            Action.MERGE,
            {S.REPORTED, S.ACCEPTED},
            S.MERGED,
            {P.COMMUNITY},
            Labels(
                button=_("Merge into another case"),
                timeline=pgettext_lazy("case timeline", "Merged"),
                done=_("merged"),
                public=_("It was combined with a report of the same problem."),
            ),
            params=(Param("into", Case, required=True, message=_("Choose an open case to merge into.")),),
            effect=effects.merge,
        ),
        Rule(
            Action.DISPATCH,
            {S.ACCEPTED, S.POOLED, S.DISPATCHED},
            S.DISPATCHED,
            {P.COMMUNITY},
            Labels(
                button=_("Dispatch (派单)"),
                timeline=pgettext_lazy("case timeline", "Dispatched"),
                done=_("dispatched"),
                public=_("It was assigned to a handler."),
            ),
            params=DISPATCH_PARAMS,
            effect=effects.dispatch,
            audiences=(A.HANDLERS,),
            webhook=True,
        ),
        Rule(
            Action.POOL,
            {S.ACCEPTED},
            S.POOLED,
            {P.COMMUNITY},
            Labels(
                button=_("Put in the grid's order pool"),
                timeline=pgettext_lazy("case timeline", "Put in the order pool"),
                done=_("put in the order pool"),
                public=_("It was offered to the Party members of the grid."),
            ),
            guard=_located_in_grid,
            effect=effects.pool,
            audiences=(A.POOL,),
        ),
        Rule(
            Action.TAKE,
            {S.POOLED},
            S.IN_PROGRESS,
            {P.MEMBER},
            Labels(
                button=_("Take this order (接单)"),
                timeline=pgettext_lazy("case timeline", "Taken from the pool"),
                done=_("taken"),
                public=_("A Party member of the grid took it on."),
            ),
            effect=effects.take,
            audiences=(A.COMMUNITY,),
        ),
        Rule(
            Action.RESPOND,
            {S.DISPATCHED},
            S.IN_PROGRESS,
            {P.HANDLER},
            Labels(
                button=_("Accept the task"),
                timeline=pgettext_lazy("case timeline", "Accepted by the handler"),
                done=_("accepted by the handler"),
                public=_("The handler started work on it."),
            ),
            effect=effects.respond,
        ),
        Rule(
            Action.DECLINE,
            {S.DISPATCHED},
            S.ACCEPTED,
            {P.HANDLER},
            Labels(
                button=_("Return the task"),
                timeline=pgettext_lazy("case timeline", "Returned by the handler"),
                done=_("returned by the handler"),
                public=_("It was returned to the community to be reassigned."),
                reason=_("Why you cannot take it"),
            ),
            needs_reason=True,
            effect=effects.decline,
            audiences=(A.COMMUNITY,),
        ),
        Rule(
            Action.PROGRESS,
            {S.IN_PROGRESS},
            None,
            {P.HANDLER},
            Labels(
                button=_("Record progress"),
                timeline=pgettext_lazy("case timeline", "Progress"),
                done=_("updated"),
                public=_("The handler recorded progress."),
                reason=_("What has been done so far"),
            ),
            needs_reason=True,
        ),
        Rule(
            Action.WHISTLE,
            {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.WHISTLED},
            S.WHISTLED,
            {P.COMMUNITY, P.HANDLER, P.SYSTEM},
            Labels(
                button=_("Whistle (吹哨)"),
                timeline=pgettext_lazy("case timeline", "Whistled"),
                done=_("whistled"),
                public=_("It was passed up to the next level (吹哨)."),
                reason=_("Why this level cannot solve it"),
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
        Rule(
            Action.REPORT,
            {S.WHISTLED},
            S.IN_PROGRESS,
            {P.WHISTLED},
            Labels(
                button=_("Report to the whistle (报到)"),
                timeline=pgettext_lazy("case timeline", "Reported to the whistle"),
                done=_("reported to"),
                public=_("The next level took it on (报到)."),
            ),
            effect=effects.report,
            audiences=(A.COMMUNITY,),
        ),
        Rule(
            Action.RESOLVE,
            {S.IN_PROGRESS},
            S.RESOLVED,
            {P.HANDLER},
            Labels(
                button=_("Record the result"),
                timeline=pgettext_lazy("case timeline", "Result recorded"),
                done=_("marked handled"),
                public=_("The handler recorded the result."),
                reason=_("What was done (the resident sees this)"),
            ),
            needs_reason=True,
            effect=effects.resolve,
            audiences=(A.VERIFIERS,),
            webhook=True,
        ),
        Rule(
            Action.VERIFY_PASS,
            {S.RESOLVED},
            S.VERIFIED,
            {P.VERIFIER, P.STAND_IN},
            Labels(
                button=_("Check passed: on to the follow-up call"),
                timeline=pgettext_lazy("case timeline", "Verified on site"),
                done=_("verified"),
                public=_("The grid worker checked it on site."),
                reason=_("What you saw on site"),
            ),
            effect=effects.verify_pass,
            audiences=(A.COMMUNITY,),
        ),
        Rule(
            Action.VERIFY_FAIL,
            {S.RESOLVED},
            S.IN_PROGRESS,
            {P.VERIFIER, P.STAND_IN},
            Labels(
                button=_("Check failed: back to the handler"),
                timeline=pgettext_lazy("case timeline", "Sent back after the check on site"),
                done=_("sent back"),
                public=_("The check on site found more to do."),
                reason=_("What is still wrong"),
            ),
            needs_reason=True,
            effect=effects.verify_fail,
            audiences=(A.HANDLERS,),
        ),
        Rule(
            Action.ASSIGN_VERIFIER,  # 改派核查: so that no handled case waits for a check nobody makes
            {S.RESOLVED},
            None,
            {P.COMMUNITY},
            Labels(
                button=_("Name who checks on site (改派核查)"),
                timeline=pgettext_lazy("case timeline", "Verifier named"),
                done=_("given a verifier"),
            ),
            params=(
                Param("to_user", User, required=True, message=_("Choose who checks the result on site.")),
            ),
            effect=effects.assign_verifier,
            audiences=(A.VERIFIERS,),
        ),
        Rule(
            Action.RATE,  # on the resident's tracking page, not a button of the officials' pages
            {S.VERIFIED, *CLOSED},
            None,  # or reopened, when the resident says it is not solved
            {P.RESIDENT},
            Labels(
                timeline=pgettext_lazy("case timeline", "Rated by the resident"),
                done=_("rated"),
                public=_("You rated the result."),
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
        Rule(
            Action.FOLLOW_UP,
            {S.VERIFIED},
            None,  # closed, solved or not, as the resident says
            {P.COMMUNITY},
            Labels(
                button=_("Record the follow-up call (回访)"),
                timeline=pgettext_lazy("case timeline", "Follow-up call"),
                done=_("followed up"),
                public=_("The community called to follow up."),
                reason=_("Notes from the call"),
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
        Rule(
            Action.CLOSE_UNSOLVED,
            {S.IN_PROGRESS, S.RESOLVED, S.VERIFIED, S.WHISTLED},
            S.CLOSED_UNSOLVED,
            {P.COMMUNITY},
            Labels(
                button=_("Close as not fixed"),
                timeline=pgettext_lazy("case timeline", "Closed as not fixed"),
                done=_("closed as not fixed"),
                public=_("It was closed, but the problem is not fixed."),
                reason=_("Why it cannot be fixed"),
            ),
            needs_reason=True,
            effect=effects.close_unsolved,
        ),
        Rule(
            Action.REOPEN,
            {S.VERIFIED, *CLOSED},
            S.IN_PROGRESS,  # or accepted, when nobody ever took it on
            {P.COMMUNITY, P.RESIDENT},
            Labels(
                button=_("Reopen"),
                timeline=pgettext_lazy("case timeline", "Reopened"),
                done=_("reopened"),
                public=_("It was reopened."),
                reason=_("Why it is reopened"),
            ),
            needs_reason=True,
            effect=effects.reopen,
            audiences=(A.HANDLERS, A.COMMUNITY),
            webhook=True,
        ),
        Rule(
            Action.ARCHIVE,
            {*CLOSED, S.REJECTED, S.MERGED},
            S.ARCHIVED,
            {P.COMMUNITY, P.SYSTEM},
            Labels(
                button=_("Archive (归档)"),
                timeline=pgettext_lazy("case timeline", "Archived"),
                done=_("archived"),
                public=_("The case was archived."),
            ),
            effect=effects.archive,
        ),
        Rule(
            Action.SUPERVISE,
            OPEN_STATUSES,
            None,
            {P.SUPERVISOR, P.SYSTEM},
            Labels(
                button=_("Supervise (督办)"),
                timeline=pgettext_lazy("case timeline", "Supervised"),
                done=_("supervised"),
                public=_("A higher level is supervising it (督办)."),
                reason=_("Supervision note for the handler"),
            ),
            needs_reason=True,
            params=(Param("overdue", bool),),  # the worker's: the handling time has passed
            effect=effects.supervise,
            audiences=(A.HANDLERS, A.COMMUNITY),
            webhook=True,
        ),
        Rule(
            Action.ANSWER_SUPERVISION,
            OPEN_STATUSES,
            None,
            {P.HANDLER, P.COMMUNITY},
            Labels(
                button=_("Answer the supervision note"),
                timeline=pgettext_lazy("case timeline", "Supervision answered"),
                done=_("answered"),
                public=_("The handler answered the supervision."),
                reason=_("Your answer"),
            ),
            needs_reason=True,
            guard=_supervision_waiting,
            effect=effects.answer_supervision,
            audiences=(A.COMMUNITY, A.SUPERVISORS),
        ),
        Rule(
            Action.WARN,  # the worker's, when most of the handling time is used up
            OPEN_STATUSES,
            None,
            {P.SYSTEM},
            Labels(timeline=pgettext_lazy("case timeline", "Deadline warning"), done=_("warned")),
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
