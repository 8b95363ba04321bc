"""What each case action changes (see workflow.RULES): the fields of the locked case, and any
row beside it (a whistle, a supervision note). An effect returns the target status when the outcome
decides it, otherwise None (the rule's target). case_transition saves the case and writes the row.

The rows beside the case go through a `Ledger`: the database, or — for the city-scale demo writer,
which applies these same effects to unsaved cases — lists written later with bulk_create.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongxin.cases import clock
from tongxin.cases.models import (
    Case,
    CaseStatus,
    Rating,
    RejectReason,
    Responder,
    Supervision,
    Whistle,
    WhistleRouteStep,
    WhistleType,
)
from tongxin.cases.selectors import open_whistle
from tongxin.core.actors import SYSTEM, Actor, user_or_none
from tongxin.lib.tree import ancestor_ids
from tongxin.regions.models import Level, Region


class Ledger:
    """Reads and writes of the rows beside a case, in the database."""

    def open_whistle(self, case: Case) -> Whistle | None:
        return open_whistle(case)

    def route_step(self, whistle_type: WhistleType, step_no: int) -> WhistleRouteStep | None:
        return WhistleRouteStep.objects.filter(whistle_type=whistle_type, step=step_no).first()

    def route_target(
        self, case: Case, step: WhistleRouteStep, chosen: Any
    ) -> tuple[Region | None, Responder | None]:
        return _route_target(case, step, chosen)

    def add_whistle(self, whistle: Whistle, *, supersedes: Whistle | None) -> None:
        whistle.save()
        if supersedes is not None:
            Whistle.objects.filter(pk=supersedes.pk).update(superseded_at=whistle.whistled_at)

    def whistle_reported(self, whistle: Whistle, *, at: datetime, by: Any) -> None:
        Whistle.objects.filter(pk=whistle.pk).update(reported_at=at, reported_by=by)

    def add_supervision(self, supervision: Supervision) -> None:
        supervision.save()

    def supervisions_answered(self, case: Case, *, answer: str, at: datetime, by: Any) -> None:
        case.supervisions.filter(answered_at__isnull=True).update(
            answer=answer, answered_at=at, answered_by=by
        )


DATABASE = Ledger()
LEDGER: ContextVar[Ledger | None] = ContextVar("case_ledger", default=None)


def _rows() -> Ledger:
    return LEDGER.get() or DATABASE


@contextmanager
def ledger(instead: Ledger) -> Iterator[Ledger]:
    """Write the rows beside cases to `instead` within the block."""
    token = LEDGER.set(instead)
    try:
        yield instead
    finally:
        LEDGER.reset(token)


def start_clock(case: Case, now: datetime) -> None:
    """Deadlines count from dispatch: response ≤ handling ≤ closure, whatever the configuration."""
    category = case.category
    calendar = clock.current_calendar()
    case.dispatched_at = now
    case.responded_at = None
    case.response_due = clock.due_after(now, category.response_hours, calendar)
    _restart_handling(case, now, calendar)


def _restart_handling(case: Case, now: datetime, calendar: Any = None) -> None:
    """Handling and closure limits from `now` (dispatch, or reopening: the response is history)."""
    category = case.category
    calendar = calendar or clock.current_calendar()
    assert case.response_due is not None
    case.handling_due = max(clock.due_after(now, category.handling_hours, calendar), case.response_due)
    case.closure_due = max(clock.due_after(now, category.closure_hours, calendar), case.handling_due)
    case.warn_at = min(
        clock.due_after(now, category.handling_hours * category.warn_share, calendar), case.handling_due
    )
    case.warned_at = None
    case.overdue_at = None


def accept(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.accepted_at = now


def reject(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    why = p.get("why", RejectReason.INVALID)
    if why not in RejectReason.values:
        raise ValidationError({"why": [_("Choose why the case is not accepted.")]})
    if why == RejectReason.DUPLICATE:
        original = p.get("original")
        if not isinstance(original, Case) or original.pk == case.pk:
            raise ValidationError({"original": [_("Name the original case this one duplicates.")]})
        case.duplicate_of = original
    case.closed_at = now


def merge(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    into = p.get("into")
    if not isinstance(into, Case) or into.pk == case.pk or not into.is_open:
        raise ValidationError({"into": [_("Choose an open case to merge into.")]})
    if into.community_id != case.community_id:
        raise ValidationError({"into": [_("Only cases of the same community can be merged.")]})
    case.duplicate_of = into
    case.closed_at = now


def dispatch(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    user, responder = p.get("to_user"), p.get("to_responder")
    if (user is None) == (responder is None):
        raise ValidationError({"to": [_("Dispatch to one person, team, unit or department.")]})
    if responder is not None and (not isinstance(responder, Responder) or not responder.active):
        raise ValidationError({"to": [_("Choose an active team, unit or department.")]})
    case.assignee_user = user
    case.assignee_responder = responder
    start_clock(case, now)


def accept_dispatch(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    """受理并派单: what accepting and dispatching each change, at the same moment."""
    accept(case, actor, reason, now, p)
    dispatch(case, actor, reason, now, p)


def pool(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.assignee_user = None
    case.assignee_responder = None
    start_clock(case, now)


def take(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.assignee_user = user_or_none(actor)
    case.assignee_responder = None
    case.responded_at = now


def respond(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.responded_at = now
    if case.assignee_responder_id:
        case.assignee_user = user_or_none(actor)  # the member of the team who took it on


def decline(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.assignee_user = None
    case.assignee_responder = None


def whistle(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    whistle_type = p.get("whistle_type")
    if not isinstance(whistle_type, WhistleType) or not whistle_type.active:
        raise ValidationError({"whistle_type": [_("Choose a kind of whistle.")]})
    rows = _rows()
    current = rows.open_whistle(case)
    step_no = (current.step + 1) if (current and current.whistle_type_id == whistle_type.pk) else 1
    step = rows.route_step(whistle_type, step_no)
    if step is None:
        raise ValidationError({"whistle_type": [_("The whistle route has no further step.")]})
    to_region, to_responder = rows.route_target(case, step, p.get("to_responder"))
    whistle = Whistle(
        case=case,
        whistle_type=whistle_type,
        step=step_no,
        to_region=to_region,
        to_responder=to_responder,
        by=user_or_none(actor),
        automatic=actor == SYSTEM,
        reason=reason,
        whistled_at=now,
        report_due=clock.due_after(now, step.report_hours),
        community_path=case.community_path,
    )
    rows.add_whistle(whistle, supersedes=current)  # the next step supersedes the unanswered one
    if case.dispatched_at is None:  # whistled before any dispatch: the whistle is the dispatch
        start_clock(case, now)


def _route_target(case: Case, step: WhistleRouteStep, chosen: Any) -> tuple[Region | None, Responder | None]:
    if step.target == WhistleRouteStep.Target.RESPONDER_KIND:
        if isinstance(chosen, Responder) and chosen.kind == step.responder_kind and chosen.active:
            return None, chosen
        found = (
            Responder.objects.filter(kind=step.responder_kind, active=True)
            .filter(region__in=Region.objects.filter(pk__in=[*_ancestor_ids(case), case.community_id]))
            .order_by("-region__depth")
            .first()
        )
        if found is None:
            raise ValidationError({"to_responder": [_("No responder of this kind serves the case's area.")]})
        return None, found
    level = {"community": Level.COMMUNITY, "street": Level.STREET, "county": Level.COUNTY}[step.target]
    region = Region.objects.filter(pk__in=[*_ancestor_ids(case), case.community_id], level=level).first()
    if region is None:
        raise ValidationError({"whistle_type": [_("The case's area has no such level.")]})
    return region, None


def _ancestor_ids(case: Case) -> list[int]:

    return ancestor_ids(case.region_path)


def report(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    rows = _rows()
    whistle = rows.open_whistle(case)
    if whistle is not None:
        rows.whistle_reported(whistle, at=now, by=user_or_none(actor))
        case.assignee_responder = whistle.to_responder
    case.assignee_user = user_or_none(actor)
    case.responded_at = case.responded_at or now


def resolve(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.result = reason.strip()
    case.resolved_at = now


def verify_pass(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.verified_at = now


def verify_fail(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.resolved_at = None


def assign_verifier(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    user = p.get("to_user")
    if user is None or not getattr(user, "is_active", False):
        raise ValidationError({"to_user": [_("Choose who checks the result on site.")]})
    case.verifier = user


def rate(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> str | None:
    rating = p.get("rating")
    if rating not in Rating.values:
        raise ValidationError({"rating": [_("Choose satisfied, basically satisfied or unsatisfied.")]})
    case.rating = rating
    case.rating_comment = (p.get("comment") or "").strip()
    case.rated_at = now
    if p.get("solved") is False:  # the resident says it is not solved: reopen
        return _reopen_to(case, now)
    return None


def _reopen_to(case: Case, now: datetime) -> str:
    case.reopened_count += 1
    case.closed_at = None
    case.verified_at = None
    case.resolved_at = None
    case.solved_confirmed = None
    if case.dispatched_at is not None:  # a fresh handling time; the first response stays on record
        _restart_handling(case, now)
    # back to whoever holds it; if nobody ever took it on (closed while whistled), to dispatch
    if not (case.assignee_user_id or case.assignee_responder_id):
        return CaseStatus.ACCEPTED
    return CaseStatus.IN_PROGRESS


def follow_up(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> str:
    solved = p.get("solved")
    if solved not in (True, False):
        raise ValidationError({"solved": [_("Record whether the resident says the problem is solved.")]})
    case.solved_confirmed = solved
    if p.get("rating") in Rating.values and not case.rating:
        case.rating = p["rating"]
        case.rated_at = now
    case.closed_at = now
    return CaseStatus.CLOSED if solved else CaseStatus.CLOSED_UNSOLVED


def close_unsolved(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.closed_at = now


def reopen(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> str:
    return _reopen_to(case, now)


def archive(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.archived_at = now


def supervise(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    _rows().add_supervision(
        Supervision(
            case=case,
            by=user_or_none(actor),
            automatic=actor == SYSTEM,
            note=reason,
            created_at=now,
            community_path=case.community_path,
        )
    )
    case.supervised = True
    if p.get("overdue"):
        case.overdue_at = now


def answer_supervision(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    _rows().supervisions_answered(case, answer=reason, at=now, by=user_or_none(actor))
    case.supervised = False


def warn(case: Case, actor: Actor, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.warned_at = now
