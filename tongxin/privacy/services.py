"""Writing subject-rights requests: filing one (an official, or a resident on the public form) and
moving it through its workflow. Every change writes one RequestTransition."""

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.cases.clock import current_calendar
from tongxin.cases.models import Case
from tongxin.core.actors import RESIDENT, Actor, is_user
from tongxin.core.permissions import can
from tongxin.core.roles import Capability
from tongxin.core.workflow import IllegalTransition, record_step
from tongxin.lib.workclock import add_working_days
from tongxin.people.models import Person
from tongxin.privacy.conf import value
from tongxin.privacy.erasure import erase_case_reporters, erase_people
from tongxin.privacy.models import (
    RequestChannel,
    RequestKind,
    RequestStatus,
    RequestTransition,
    SubjectRequest,
)
from tongxin.privacy.workflow import RULES, RequestAction
from tongxin.regions.models import Region

HANDLE = Capability.PRIVACY_REQUESTS
RECEIVE = "receive"  # the first row of a request's history


class RequestConflict(ValidationError):
    """Someone changed the request since it was read."""


def request_due(received_on: date) -> date:
    """The answer is due after the configured working days, counted from the day after receipt."""
    days = value("TONGXIN_PRIVACY_DUE_WORKING_DAYS")
    return add_working_days(received_on + timedelta(days=1), days, current_calendar())


def _new_reference(today: date) -> str:
    for _attempt in range(20):
        reference = f"QL{today:%y%m%d}{secrets.randbelow(10**6):06d}"
        if not SubjectRequest.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("no free request reference")


def may_handle(actor: Actor, request: SubjectRequest) -> bool:
    return is_user(actor) and can(actor, HANDLE, request.region_path)


def request_create(
    *,
    actor: Actor,
    kind: str,
    region: Region,
    person: Person | None = None,
    requester_name: str = "",
    phone: str = "",
    detail: str = "",
    received_on: date | None = None,
    channel: str = RequestChannel.DESK,
    now: datetime | None = None,
) -> SubjectRequest:
    """File a request. An official needs privacy.requests at the region (and the person's region);
    a resident (RESIDENT, the public form) files online for the community they chose."""
    now = now or timezone.now()
    if actor == RESIDENT:
        channel = RequestChannel.ONLINE
        person = None
    elif not (is_user(actor) and can(actor, HANDLE, region.path)):
        raise PermissionDenied
    if person is not None and not can(actor, HANDLE, person.region.path):
        raise PermissionDenied
    if kind not in RequestKind.values:
        raise ValidationError({"kind": [_("Choose a kind of request.")]})
    phone = (phone or "").strip()
    if person is None and not phone:
        raise ValidationError(
            {"phone": [_("Give the phone number the person used, or choose them in the register.")]}
        )
    received_on = received_on or timezone.localdate(now)
    if received_on > timezone.localdate(now):
        raise ValidationError({"received_on": [_("The date of receipt cannot be in the future.")]})
    with transaction.atomic():
        request = SubjectRequest(
            reference=_new_reference(timezone.localdate(now)),
            kind=kind,
            channel=channel,
            region=region,
            region_path=region.path,
            person=person,
            requester_name=(requester_name or (person.name if person else "")).strip()[:50],
            detail=(detail or "").strip(),
            received_on=received_on,
            due_on=request_due(received_on),
        )
        request.set_phone(phone)
        request.full_clean(exclude=["region", "person", "handler"])
        request.save()
        record_step(
            RequestTransition,
            request=request,
            action=RECEIVE,
            from_status="",
            to_status=RequestStatus.RECEIVED,
            actor=actor,
            at=now,
        )
    return request


def subject_phone_hash(request: SubjectRequest) -> str:
    """The blind index the subject's reports are found by: the phone given, else the person's."""
    if request.phone_hash:
        return request.phone_hash
    return request.person.phone_hash if request.person is not None else ""


def subject_erase(request: SubjectRequest, *, actor: Actor) -> dict[str, int]:
    """A granted deletion request: the same erasure as the retention job, audited with counts."""
    counts = {"people": 0, "case_reporters": 0}
    if request.person_id is not None:
        counts["people"] = erase_people(Person.objects.filter(pk=request.person_id))
    phone_hash = subject_phone_hash(request)
    if phone_hash:
        counts["case_reporters"] = erase_case_reporters(Case.objects.filter(reporter_phone_hash=phone_hash))
    audit_record(
        action=Action.PI_ERASED,
        actor=actor,
        region=request.region,
        target=request.reference,
        detail={"reason": "deletion_request", **counts},
    )
    return counts


def request_transition(
    *,
    request: SubjectRequest,
    action: str,
    actor: Actor,
    reason: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> SubjectRequest:
    """The one way a request's status changes: lock, check version and right, apply the rule,
    write one RequestTransition (and erase, for a completed deletion request)."""
    now = now or timezone.now()
    if action not in RULES:
        raise ValidationError({"action": [_("Unknown action.")]})
    rule = RULES[action]
    with transaction.atomic():
        locked = (
            SubjectRequest.objects.select_for_update(of=("self",))
            .select_related("region", "person")
            .get(pk=request.pk)
        )
        if not may_handle(actor, locked):
            raise PermissionDenied
        if version is not None and version != locked.version:
            raise RequestConflict(_("Someone changed this request a moment ago. Reload and try again."))
        from_status = locked.status
        if not rule.leaves(from_status):
            raise IllegalTransition(
                _("The request is “%(status)s”: this step is not possible now.")
                % {"status": locked.get_status_display()}
            )
        rule.check(locked, reason=reason, params={})
        target = rule.run(locked, status=from_status, actor=actor, reason=reason, now=now, params={})
        data: dict[str, Any] = {}
        if action == RequestAction.COMPLETE and locked.kind == RequestKind.DELETION:
            data = subject_erase(locked, actor=actor)
        locked.status = target
        locked.version += 1
        locked.save()
        record_step(
            RequestTransition,
            request=locked,
            action=action,
            from_status=from_status,
            to_status=target,
            actor=actor,
            reason=reason,
            data=data,
            at=now,
        )
    return locked
