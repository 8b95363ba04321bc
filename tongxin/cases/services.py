"""Writes for cases. One function applies every transition: case_transition()."""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.cases import daily_counts, flow_counts
from tongxin.cases.config_cache import community_of
from tongxin.cases.models import (
    Case,
    CaseCategory,
    CaseKind,
    CaseSource,
    CaseStatus,
    CaseTransition,
    Responder,
)
from tongxin.cases.selectors import open_whistle, verifier_missing
from tongxin.cases.workflow import RULES, Action, Party
from tongxin.core.actors import RESIDENT, SYSTEM, Actor, actor_label, is_user, user_or_none
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.core.workflow import IllegalTransition, Rule
from tongxin.lib.validators import is_valid_phone
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import grid_at, region_contains


class CaseConflict(Exception):
    """Someone else changed the case first."""


# --- intake -----------------------------------------------------------------------------------


_CODE_TAKEN = f"SELECT 1 FROM {Case._meta.db_table} WHERE tracking_code = %s LIMIT 1"  # nosec B608


def new_tracking_code(now: datetime) -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    for _attempt in range(10):
        code = f"{timezone.localtime(now):%y%m%d}" + "".join(secrets.choice(alphabet) for _ in range(5))
        with connection.cursor() as cursor:  # one fixed statement (it runs for every report)
            cursor.execute(_CODE_TAKEN, [code])
            if cursor.fetchone() is None:
                return code
    raise RuntimeError("could not find a free tracking code")


def rating_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# the pin map says the same before the form is sent (public_views.pin_map_config)
OUTSIDE_GRIDS = gettext_lazy(
    "This point is not inside any grid, so it is outside the area we serve. Move the pin onto one of "
    "the outlined grids, or choose your community and describe the address."
)


def locate(*, lng: float | None, lat: float | None, community: Region | None) -> tuple[Region | None, Region]:
    """The grid of a point and its community; without a point, the given community. A point in no
    grid goes to the chosen community, unless it lies outside that community's boundary."""

    grid = grid_at(lng, lat) if lng is not None and lat is not None else None
    if grid is not None:
        found = community_of(grid)  # kept per process by the grid's id and path (config_cache)
        if found is None:
            raise ValidationError({"location": [_("The grid at this point belongs to no community.")]})
        return grid, found
    if community is None or community.level != Level.COMMUNITY:
        raise ValidationError({"location": [str(OUTSIDE_GRIDS)]})
    if lng is not None and lat is not None and region_contains(community, lng, lat) is False:
        raise ValidationError(
            {
                "location": [
                    _(
                        "The pin lies outside %(community)s. Move the pin into the community, or remove "
                        "the pin and describe the address."
                    )
                    % {"community": community.name}
                ]
            }
        )
    return None, community


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
    # the writes in one transaction; inside a caller's (the Idempotency-Key's) without a savepoint
    # of their own (two round trips a report): validation and the look-ups above raise before it,
    # and a failed write leaves the caller's transaction to roll back whole
    with transaction.atomic(savepoint=False):
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
        case.set_tracking_token(token)
        case.save()
        CaseTransition.objects.create(
            case=case,
            action=Action.INTAKE,
            from_status="",
            to_status=CaseStatus.REPORTED,
            actor=case.reported_by,
            actor_label=_label(case.reported_by or RESIDENT),
            data={"source": source},
            at=now,
        )
        # the kept counts last: their month rows of the city, county and street are shared by every
        # report, and each stays locked until the transaction commits (BENCHMARKS.md, intake)
        flow_counts.move(case, None, flow_counts.contribution(case))
    return case, token


def case_tracking_link_token(*, case: Case) -> str:
    """The token of the resident's private link, for “find my report” once they proved they know
    the code and their phone. A case reported before tokens were kept gets a new one (its old
    link, lost anyway, stops working)."""
    token = case.reveal_tracking_token()
    if token:
        return token
    token = secrets.token_urlsafe(24)
    case.rating_token_hash = rating_token_hash(token)
    case.set_tracking_token(token)
    Case.objects.filter(pk=case.pk).update(
        rating_token_hash=case.rating_token_hash, tracking_token_encrypted=case.tracking_token_encrypted
    )
    return token


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


def _label(actor: Actor) -> str:
    return "system" if actor is None else actor_label(actor)


def _is_handler(actor: Actor, case: Case) -> bool:
    if not is_user(actor):
        return False
    if case.assignee_user_id and case.assignee_user_id == actor.pk:
        return True
    return bool(case.assignee_responder_id and case.assignee_responder.members.filter(pk=actor.pk).exists())  # type: ignore[union-attr]


def _is_grid_member(actor: Actor, case: Case) -> bool:
    person = getattr(actor, "person", None)
    if person is None or not person.party_status or person.branch_id is None:
        return False
    return case.region_path.startswith(person.branch.region.path)


def _is_whistled(actor: Actor, case: Case) -> bool:
    whistle = open_whistle(case)
    if whistle is None or not is_user(actor):
        return False
    if whistle.to_responder_id and whistle.to_responder.members.filter(pk=actor.pk).exists():  # type: ignore[union-attr]
        return True
    return bool(
        whistle.to_region_id and scope_for(actor, Capability.CASES_MANAGE).contains(whistle.to_region.path)  # type: ignore[union-attr]
    )


def may_act(actor: Actor, rule: Rule[Case], case: Case) -> bool:
    """Is `actor` one of the parties the rule names (workflow.Party), for this case?"""
    if actor == SYSTEM:
        return Party.SYSTEM in rule.who
    if actor == RESIDENT:
        return Party.RESIDENT in rule.who
    if not is_user(actor):
        return False
    checks: dict[str, Callable[[], bool]] = {
        Party.COMMUNITY: lambda: scope_for(actor, Capability.CASES_MANAGE).contains(case.region_path),
        Party.HANDLER: lambda: _is_handler(actor, case),
        Party.MEMBER: lambda: _is_grid_member(actor, case),
        Party.VERIFIER: lambda: (
            case.verifier_id == actor.pk
            or scope_for(actor, Capability.CASES_VERIFY).contains(case.region_path)
        ),
        Party.STAND_IN: lambda: (
            scope_for(actor, Capability.CASES_MANAGE).contains(case.region_path) and verifier_missing(case)
        ),
        Party.SUPERVISOR: lambda: scope_for(actor, Capability.CASES_SUPERVISE).contains(case.region_path),
        Party.WHISTLED: lambda: _is_whistled(actor, case),
    }
    return any(checks[w]() for w in rule.who if w in checks)


def allowed_actions_for(actor: Actor, case: Case) -> list[str]:
    """The actions `actor` may take on the case now (what pages and the API offer): the status
    fits, the actor is a party the rule names, and its guard does not object."""
    return [
        action
        for action, rule in RULES.items()
        if rule.leaves(case.status) and may_act(actor, rule, case) and rule.refusal(case) is None
    ]


# --- the one transition function ------------------------------------------------------------------


def case_transition(
    *,
    case: Case | int,
    action: str,
    actor: Actor,
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
        if not rule.leaves(locked.status):
            raise IllegalTransition(
                _("A case that is “%(status)s” cannot be %(action)s.")
                % {"status": locked.get_status_display(), "action": rule.labels.done or action}
            )
        if not may_act(actor, rule, locked):
            raise PermissionDenied(_("You may not do this to this case."))
        rule.check(locked, reason=reason, params=params)  # the note, the params, the guard
        from_status = locked.status
        counted = daily_counts.contribution(locked)
        flows = flow_counts.contribution(locked)
        target = rule.run(locked, status=from_status, actor=actor, reason=reason, now=now, params=params)
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
    if f.attname
    not in {"id", "tracking_code", "rating_token_hash", "tracking_token_encrypted", "reported_at"}
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
