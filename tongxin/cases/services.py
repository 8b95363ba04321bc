"""Writes for cases. One function applies every transition: case_transition()."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.roles import Capability
from tongxin.accounts.scope import scope_for
from tongxin.cases import clock, daily_counts, flow_counts
from tongxin.cases.models import (
    Case,
    CaseCategory,
    CaseKind,
    CaseSource,
    CaseStatus,
    CaseTransition,
    Rating,
    Responder,
    Supervision,
    Whistle,
    WhistleRouteStep,
    WhistleType,
)
from tongxin.cases.workflow import RULES, Rule
from tongxin.core.actors import RESIDENT, SYSTEM, actor_label, is_user, user_or_none
from tongxin.regions.models import Level, Region


class IllegalTransition(ValidationError):
    pass


class CaseConflict(Exception):
    """Someone else changed the case first."""


# --- intake -----------------------------------------------------------------------------------


def new_tracking_code(now: datetime) -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    for _attempt in range(10):
        code = f"{timezone.localtime(now):%y%m%d}" + "".join(secrets.choice(alphabet) for _ in range(5))
        if not Case.objects.filter(tracking_code=code).exists():
            return code
    raise RuntimeError("could not find a free tracking code")


def rating_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def locate(*, lng: float | None, lat: float | None, community: Region | None) -> tuple[Region | None, Region]:
    """The grid of a point and its community; without a point, the given community."""
    from tongxin.regions.selectors import grid_at

    grid = grid_at(lng, lat) if lng is not None and lat is not None else None
    if grid is not None:
        found = grid.community()
        if found is None:
            raise ValidationError({"location": [_("The grid at this point belongs to no community.")]})
        return grid, found
    if community is None or community.level != Level.COMMUNITY:
        raise ValidationError(
            {"location": [_("The point lies in no grid: choose the community, or move the pin onto a grid.")]}
        )
    return None, community


@transaction.atomic
def case_intake(
    *,
    source: str,
    kind: str,
    category: CaseCategory,
    description: str,
    lng: float | None = None,
    lat: float | None = None,
    community: Region | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    hotline_ticket: str = "",
    reported_by: Any = None,
    now: datetime | None = None,
) -> tuple[Case, str]:
    """Record a new case; returns it and the secret token of the resident's tracking/rating link."""
    from tongxin.lib.validators import is_valid_phone

    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if source not in CaseSource.values:
        errors.setdefault("source", []).append(_("Unknown source."))
    if kind not in CaseKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of case."))
    if not category.active or category.parent_id is None:
        errors.setdefault("category", []).append(_("Choose a category from the second level."))
    if len((description or "").strip()) < 5:
        errors.setdefault("description", []).append(
            _("Describe the problem in a few words (at least 5 characters).")
        )
    if reporter_phone and not is_valid_phone(reporter_phone):
        errors.setdefault("reporter_phone", []).append(_("Enter an 11-digit mobile number or a landline."))
    if source == CaseSource.HOTLINE and not hotline_ticket.strip():
        errors.setdefault("hotline_ticket", []).append(_("Enter the 12345 ticket number."))
    if (lng is None) != (lat is None):
        errors.setdefault("location", []).append(_("Give both longitude and latitude."))
    if errors:
        raise ValidationError(errors)
    grid, found_community = locate(lng=lng, lat=lat, community=community)
    token = secrets.token_urlsafe(24)
    case = Case(
        tracking_code=new_tracking_code(now),
        rating_token_hash=rating_token_hash(token),
        source=source,
        kind=kind,
        category=category,
        hotline_ticket=hotline_ticket.strip(),
        description=description.strip(),
        address=address.strip(),
        lng=lng,
        lat=lat,
        grid=grid,
        community=found_community,
        region_path=(grid or found_community).path,
        reporter_name=reporter_name.strip(),
        reported_by=reported_by if getattr(reported_by, "is_authenticated", False) else None,
        reported_at=now,
    )
    case.set_reporter_phone(reporter_phone)
    case.save()
    flow_counts.move(case, None, flow_counts.contribution(case))
    CaseTransition.objects.create(
        case=case,
        action="intake",
        from_status="",
        to_status=CaseStatus.REPORTED,
        actor=case.reported_by,
        actor_label=_label(case.reported_by or RESIDENT),
        data={"source": source},
        at=now,
    )
    return case, token


# --- responders -------------------------------------------------------------------------------


def responder_create(
    *, name: str, kind: str, region: Region, members: Iterable[Any] = (), active: bool = True
) -> Responder:
    """A team, partner unit, department or police station that cases can be dispatched or whistled to."""
    if kind not in Responder.Kind.values:
        raise ValidationError({"kind": [_("Choose a kind of responder.")]})
    if not name.strip():
        raise ValidationError({"name": [_("Give the responder a name.")]})
    responder = Responder.objects.create(name=name.strip(), kind=kind, region=region, active=active)
    responder.members.set(list(members))
    return responder


# --- who may act ------------------------------------------------------------------------------


def _label(actor: Any) -> str:
    return "system" if actor is None else actor_label(actor)


def _is_handler(actor: Any, case: Case) -> bool:
    if case.assignee_user_id and case.assignee_user_id == actor.pk:
        return True
    return bool(case.assignee_responder_id and case.assignee_responder.members.filter(pk=actor.pk).exists())  # type: ignore[union-attr]


def _is_grid_member(actor: Any, case: Case) -> bool:
    person = getattr(actor, "person", None)
    if person is None or not person.party_status or person.branch_id is None:
        return False
    return case.region_path.startswith(person.branch.region.path)


def _is_whistled(actor: Any, case: Case) -> bool:
    whistle = (
        case.whistles.filter(reported_at__isnull=True, superseded_at__isnull=True).order_by("-id").first()
    )
    if whistle is None:
        return False
    if whistle.to_responder_id and whistle.to_responder.members.filter(pk=actor.pk).exists():  # type: ignore[union-attr]
        return True
    return bool(
        whistle.to_region_id and scope_for(actor, Capability.CASES_MANAGE).contains(whistle.to_region.path)  # type: ignore[union-attr]
    )


def may_act(actor: Any, rule: Rule, case: Case) -> bool:
    if actor == SYSTEM:
        return "system" in rule.who
    if actor == RESIDENT:
        return "resident" in rule.who
    if not is_user(actor):
        return False
    checks = {
        "community": lambda: scope_for(actor, Capability.CASES_MANAGE).contains(case.region_path),
        "handler": lambda: _is_handler(actor, case),
        "member": lambda: _is_grid_member(actor, case),
        "verifier": lambda: scope_for(actor, Capability.CASES_VERIFY).contains(case.region_path),
        "supervisor": lambda: scope_for(actor, Capability.CASES_SUPERVISE).contains(case.region_path),
        "whistled": lambda: _is_whistled(actor, case),
    }
    return any(checks[w]() for w in rule.who if w in checks)


def allowed_actions_for(actor: Any, case: Case) -> list[str]:
    """The actions `actor` may take on the case now (what pages and the API offer)."""
    allowed = [
        action for action, rule in RULES.items() if case.status in rule.sources and may_act(actor, rule, case)
    ]
    if "answer_supervision" in allowed and not case.supervisions.filter(answered_at__isnull=True).exists():
        allowed.remove("answer_supervision")
    return allowed


# --- the one transition function ------------------------------------------------------------------


def case_transition(
    *,
    case: Case | int,
    action: str,
    actor: Any,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
    **params: Any,
) -> Case:
    """Apply `action` to a case atomically: lock, check, change, write one transition row.

    `actor` is a user, RESIDENT (the tracking link holder) or SYSTEM (the worker).
    Raises IllegalTransition, PermissionDenied or CaseConflict; writes nothing then.
    """
    rule = RULES.get(action)
    if rule is None:
        raise IllegalTransition(_("Unknown action."))
    now = now or timezone.now()
    case_id = case if isinstance(case, int) else case.pk
    with transaction.atomic():
        # lock the case row only (a join would lock the category row for every case of it)
        locked = Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case_id)
        if expected_version is not None and locked.version != expected_version:
            raise CaseConflict(_("Someone else changed this case a moment ago. Reload it and try again."))
        if locked.status not in rule.sources:
            raise IllegalTransition(
                _("A case that is “%(status)s” cannot be %(action)s.")
                % {"status": locked.get_status_display(), "action": ACTION_LABELS.get(action, action)}
            )
        if not may_act(actor, rule, locked):
            raise PermissionDenied(_("You may not do this to this case."))
        if rule.needs_reason and not (reason or "").strip():
            raise ValidationError({"reason": [_("Please give a reason or note.")]})
        from_status = locked.status
        counted = daily_counts.contribution(locked)
        flows = flow_counts.contribution(locked)
        target = EFFECTS[action](locked, actor, reason, now, params) or rule.target or from_status
        old_version = locked.version
        locked.status = target
        locked.version = old_version + 1
        fields = _changed_fields(locked)
        updated = Case.objects.filter(pk=locked.pk, version=old_version).update(**fields)
        if not updated:  # the lock makes this unreachable unless the row was changed outside the rules
            raise CaseConflict(_("Someone else changed this case a moment ago. Reload it and try again."))
        daily_counts.move(locked, counted, daily_counts.contribution(locked))
        flow_counts.move(locked, flows, flow_counts.contribution(locked))
        CaseTransition.objects.create(
            case=locked,
            action=action,
            from_status=from_status,
            to_status=target,
            actor=user_or_none(actor),
            actor_label=_label(actor),
            reason=(reason or "").strip(),
            data={**_jsonable(params), **_holder(locked)},
            at=now,
        )
    return locked


def _holder(case: Case) -> dict[str, int]:
    """Who holds the case after the change, kept on the row: the notifier tells them even if the
    case has moved on by the time it runs."""
    held = {"held_by_user": case.assignee_user_id, "held_by_responder": case.assignee_responder_id}
    return {key: value for key, value in held.items() if value}


_CASE_FIELDS = [
    f.attname
    for f in Case._meta.concrete_fields
    if f.attname not in {"id", "tracking_code", "rating_token_hash", "reported_at"}
]


def _changed_fields(case: Case) -> dict[str, Any]:
    return {name: getattr(case, name) for name in _CASE_FIELDS}


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if hasattr(value, "pk"):
            out[key] = value.pk
        elif isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


ACTION_LABELS = {
    "accept": _("accepted"),
    "reject": _("rejected"),
    "merge": _("merged"),
    "dispatch": _("dispatched"),
    "pool": _("put in the order pool"),
    "take": _("taken"),
    "respond": _("accepted by the handler"),
    "decline": _("returned by the handler"),
    "progress": _("updated"),
    "whistle": _("whistled"),
    "report": _("reported to"),
    "resolve": _("marked handled"),
    "verify_pass": _("verified"),
    "verify_fail": _("sent back"),
    "rate": _("rated"),
    "follow_up": _("followed up"),
    "close_unsolved": _("closed as not fixed"),
    "reopen": _("reopened"),
    "archive": _("archived"),
    "supervise": _("supervised"),
    "answer_supervision": _("answered"),
    "warn": _("warned"),
}


# --- effects of each action: change fields, return an explicit target or None ------------------


def _start_clock(case: Case, now: datetime) -> None:
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


def _accept(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.accepted_at = now


def _reject(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    why = p.get("why", "invalid")
    if why not in {"not_our_matter", "duplicate", "invalid"}:
        raise ValidationError({"why": [_("Choose why the case is not accepted.")]})
    if why == "duplicate":
        original = p.get("original")
        if not isinstance(original, Case) or original.pk == case.pk:
            raise ValidationError({"original": [_("Name the original case this one duplicates.")]})
        case.duplicate_of = original
    case.closed_at = now


def _merge(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    into = p.get("into")
    if not isinstance(into, Case) or into.pk == case.pk or not into.is_open:
        raise ValidationError({"into": [_("Choose an open case to merge into.")]})
    if into.community_id != case.community_id:
        raise ValidationError({"into": [_("Only cases of the same community can be merged.")]})
    case.duplicate_of = into
    case.closed_at = now


def _dispatch(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    user, responder = p.get("to_user"), p.get("to_responder")
    if (user is None) == (responder is None):
        raise ValidationError({"to": [_("Dispatch to one person, team, unit or department.")]})
    if responder is not None and (not isinstance(responder, Responder) or not responder.active):
        raise ValidationError({"to": [_("Choose an active team, unit or department.")]})
    case.assignee_user = user
    case.assignee_responder = responder
    _start_clock(case, now)


def _pool(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    if case.grid_id is None:
        raise ValidationError({"to": [_("Only a case located in a grid can go to the grid's order pool.")]})
    case.assignee_user = None
    case.assignee_responder = None
    _start_clock(case, now)


def _take(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.assignee_user = actor
    case.assignee_responder = None
    case.responded_at = now


def _respond(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.responded_at = now
    if case.assignee_responder_id:
        case.assignee_user = actor  # the member of the team who took it on


def _decline(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.assignee_user = None
    case.assignee_responder = None


def _noop(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    return None


def _whistle(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    whistle_type = p.get("whistle_type")
    if not isinstance(whistle_type, WhistleType) or not whistle_type.active:
        raise ValidationError({"whistle_type": [_("Choose a kind of whistle.")]})
    open_whistle = (
        case.whistles.filter(reported_at__isnull=True, superseded_at__isnull=True).order_by("-id").first()
    )
    step_no = (
        (open_whistle.step + 1) if (open_whistle and open_whistle.whistle_type_id == whistle_type.pk) else 1
    )
    step = WhistleRouteStep.objects.filter(whistle_type=whistle_type, step=step_no).first()
    if step is None:
        raise ValidationError({"whistle_type": [_("The whistle route has no further step.")]})
    to_region, to_responder = _route_target(case, step, p.get("to_responder"))
    Whistle.objects.create(
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
    )
    if open_whistle is not None:  # the next step supersedes the unanswered one
        Whistle.objects.filter(pk=open_whistle.pk).update(superseded_at=now)
    if case.dispatched_at is None:  # whistled before any dispatch: the whistle is the dispatch
        _start_clock(case, now)


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
    from tongxin.lib.tree import ancestor_ids

    return ancestor_ids(case.region_path)


def _report(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    whistle = (
        case.whistles.filter(reported_at__isnull=True, superseded_at__isnull=True).order_by("-id").first()
    )
    if whistle is not None:
        Whistle.objects.filter(pk=whistle.pk).update(reported_at=now, reported_by=actor)
        case.assignee_responder = whistle.to_responder
    case.assignee_user = actor
    case.responded_at = case.responded_at or now


def _resolve(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.result = reason.strip()
    case.resolved_at = now


def _verify_pass(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.verified_at = now


def _verify_fail(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.resolved_at = None


def _rate(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> str | None:
    rating = p.get("rating")
    if rating not in Rating.values:
        raise ValidationError({"rating": [_("Choose satisfied, basically satisfied or unsatisfied.")]})
    handled = [t for t in (case.resolved_at, case.verified_at, case.closed_at) if t is not None]
    if case.rated_at is not None and (not handled or case.rated_at >= max(handled)):
        # one rating per result: a reopened and handled-again case may be rated again
        raise IllegalTransition(_("This result has already been rated."))
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


def _follow_up(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> str:
    solved = p.get("solved")
    if solved not in (True, False):
        raise ValidationError({"solved": [_("Record whether the resident says the problem is solved.")]})
    case.solved_confirmed = solved
    if p.get("rating") in Rating.values and not case.rating:
        case.rating = p["rating"]
        case.rated_at = now
    case.closed_at = now
    return CaseStatus.CLOSED if solved else CaseStatus.CLOSED_UNSOLVED


def _close_unsolved(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.closed_at = now


def _reopen(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> str:
    return _reopen_to(case, now)


def _archive(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.archived_at = now


def _supervise(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    Supervision.objects.create(
        case=case,
        by=user_or_none(actor),
        automatic=actor == SYSTEM,
        note=reason,
        created_at=now,
    )
    case.supervised = True
    if p.get("overdue"):
        case.overdue_at = now


def _answer_supervision(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    pending = case.supervisions.filter(answered_at__isnull=True)
    if not pending.exists():
        raise ValidationError({"reason": [_("There is no supervision note waiting for an answer.")]})
    pending.update(answer=reason, answered_at=now, answered_by=actor)
    case.supervised = False


def _warn(case: Case, actor: Any, reason: str, now: datetime, p: dict[str, Any]) -> None:
    case.warned_at = now


EFFECTS = {
    "accept": _accept,
    "reject": _reject,
    "merge": _merge,
    "dispatch": _dispatch,
    "pool": _pool,
    "take": _take,
    "respond": _respond,
    "decline": _decline,
    "progress": _noop,
    "whistle": _whistle,
    "report": _report,
    "resolve": _resolve,
    "verify_pass": _verify_pass,
    "verify_fail": _verify_fail,
    "rate": _rate,
    "follow_up": _follow_up,
    "close_unsolved": _close_unsolved,
    "reopen": _reopen,
    "archive": _archive,
    "supervise": _supervise,
    "answer_supervision": _answer_supervision,
    "warn": _warn,
}
assert set(EFFECTS) == set(RULES), "every rule needs its effect"
