"""Writes for 三会一课, member development, mobile members and training classes."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import RoleAssignment
from tongxin.audit.edits import audited_edit
from tongxin.core.actors import SYSTEM, Actor, require_scope, user_or_none
from tongxin.core.roles import Capability, capabilities_of
from tongxin.lib.tree import ancestor_ids
from tongxin.lib.validators import is_valid_phone
from tongxin.notifications.services import notify
from tongxin.organisations.models import BRANCH_KINDS, OrgKind, PartyOrganisation
from tongxin.partylife import development
from tongxin.partylife.models import (
    DevelopmentFile,
    DevelopmentRuleSet,
    DevelopmentStep,
    Frequency,
    MeetingRuleSet,
    MobileMember,
    PartyMeeting,
    PartyMeetingKind,
    ServiceWindow,
    StepKind,
    TrainingAttendance,
    TrainingClass,
    TrainingPurpose,
    TrainingSession,
)
from tongxin.partylife.selectors import development_rules_current, evaluate_file
from tongxin.people.models import PartyStatus, Person
from tongxin.people.services import person_update
from tongxin.regions.models import Region

# ---- 三会一课 ---------------------------------------------------------------------------------


def _party_meeting_validate(
    *, organisation: PartyOrganisation, kind: str, held_on: date | None, topic: str
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in PartyMeetingKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of meeting."))
    elif kind == PartyMeetingKind.GROUP and organisation.kind != OrgKind.GROUP:
        errors.setdefault("organisation", []).append(
            _("A Party group meeting is recorded by its group (党小组).")
        )
    elif kind != PartyMeetingKind.GROUP and organisation.kind not in BRANCH_KINDS:
        errors.setdefault("organisation", []).append(_("This meeting is recorded by a branch (党支部)."))
    if held_on is None:
        errors.setdefault("held_on", []).append(_("Enter the date of the meeting."))
    elif held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("A meeting is recorded after it was held."))
    if not (topic or "").strip():
        errors.setdefault("topic", []).append(_("Enter the topic."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def party_meeting_record(
    *,
    organisation: PartyOrganisation,
    kind: str,
    held_on: date,
    topic: str,
    attendees: Iterable[Person] = (),
    attendee_count: int | None = None,
    lecturer: str = "",
    minutes: str = "",
    actor: Actor = SYSTEM,
) -> PartyMeeting:
    _party_meeting_validate(organisation=organisation, kind=kind, held_on=held_on, topic=topic)
    people = list(attendees)
    meeting = PartyMeeting.objects.create(
        organisation=organisation,
        kind=kind,
        held_on=held_on,
        topic=topic.strip(),
        attendee_count=attendee_count if attendee_count is not None else len(people),
        lecturer=lecturer.strip(),
        minutes=minutes.strip(),
        recorded_by=user_or_none(actor),
    )
    if people:
        meeting.attendees.set(people)
    return meeting


MEETING_FIELDS = ("kind", "held_on", "topic", "lecturer", "minutes", "attendee_count")


def party_meeting_update(
    *, meeting: PartyMeeting, actor: Actor, attendees: Iterable[Person] | None = None, **changes: Any
) -> PartyMeeting:
    editing = audited_edit(
        PartyMeeting,
        meeting.pk,
        actor=actor,
        fields=MEETING_FIELDS,
        region=lambda m: m.organisation.region,
        related=("organisation__region",),
    )
    with editing as edit:
        locked = edit.row
        require_scope(actor, Capability.PARTYLIFE_MANAGE, locked.organisation.region)
        edit.set(changes, only=MEETING_FIELDS)
        _party_meeting_validate(
            organisation=locked.organisation, kind=locked.kind, held_on=locked.held_on, topic=locked.topic
        )
        if attendees is not None:
            people = list(attendees)
            locked.attendees.set(people)
            if "attendee_count" not in changes:
                locked.attendee_count = len(people)
    return edit.row


@transaction.atomic
def party_meeting_delete(*, meeting: PartyMeeting) -> None:
    PartyMeeting.objects.filter(pk=meeting.pk).delete()


@transaction.atomic
def meeting_rules_create(
    *,
    version: str,
    source: str,
    valid_from: date,
    region: Region | None,
    frequencies: dict[str, str],
    actor: Actor = SYSTEM,
) -> MeetingRuleSet:
    errors: dict[str, list[str]] = {}
    if not version.strip():
        errors.setdefault("version", []).append(_("Name the version."))
    if not source.strip():
        errors.setdefault("source", []).append(_("Say where the frequencies come from."))
    if MeetingRuleSet.objects.filter(region=region, version=version.strip()).exists():
        errors.setdefault("version", []).append(_("This version exists already."))
    for kind in PartyMeetingKind.values:
        if frequencies.get(kind) not in Frequency.values:
            errors.setdefault(kind, []).append(_("Choose monthly, quarterly or yearly."))
    if errors:
        raise ValidationError(errors)
    return MeetingRuleSet.objects.create(
        version=version.strip(),
        source=source.strip(),
        valid_from=valid_from,
        region=region,
        created_by=user_or_none(actor),
        **{kind: frequencies[kind] for kind in PartyMeetingKind.values},
    )


# ---- 发展党员 ---------------------------------------------------------------------------------

# steps that happen once in a file (assessments, training records and extensions may repeat)
ONCE = {
    StepKind.APPLICATION,
    StepKind.TALK,
    StepKind.ACTIVIST,
    StepKind.TARGET,
    StepKind.POLITICAL_REVIEW,
    StepKind.PRE_REVIEW,
    StepKind.PUBLIC_NOTICE,
    StepKind.BRANCH_MEETING,
    StepKind.APPROVAL,
    StepKind.FULL_MEMBERSHIP,
    StepKind.STOPPED,
}


@transaction.atomic
def development_rules_create(
    *, version: str, source: str, valid_from: date, params: dict[str, Any]
) -> DevelopmentRuleSet:
    """A new version of the time rules; files opened from `valid_from` on follow it."""
    if not version.strip() or not source.strip():
        raise ValidationError(_("A rules version needs a name and a source."))
    if DevelopmentRuleSet.objects.filter(version=version.strip()).exists():
        raise ValidationError({"version": [_("This version exists already.")]})
    rules = development.DevelopmentRules.from_params(
        version=version.strip(), source=source.strip(), valid_from=valid_from, params=params
    )
    return DevelopmentRuleSet.objects.create(
        version=rules.version, source=rules.source, valid_from=valid_from, params=rules.params()
    )


def _detail_validate(kind: str, detail: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if kind == StepKind.ACTIVIST and detail.get("mentors"):
        clean["mentors"] = [str(m).strip() for m in detail["mentors"] if str(m).strip()]
    if kind == StepKind.PUBLIC_NOTICE:
        until = detail.get("until")
        if isinstance(until, date):
            until = until.isoformat()
        if not until:
            errors.setdefault("until", []).append(_("Enter the last day of the public notice."))
        else:
            clean["until"] = str(until)
    if kind == StepKind.BRANCH_MEETING:
        for key in ("votes_for", "entitled"):
            value = detail.get(key)
            if value in (None, ""):
                errors.setdefault(key, []).append(
                    _("Enter the votes in favour and the members entitled to vote.")
                )
            else:
                clean[key] = int(value)
        if not errors and clean["votes_for"] > clean["entitled"]:
            errors.setdefault("votes_for", []).append(
                _("More votes in favour than members entitled to vote.")
            )
    if kind == StepKind.APPROVAL and detail.get("special"):
        clean["special"] = str(detail["special"]).strip()
    if kind == StepKind.EXTENSION:
        if not detail.get("months"):
            errors.setdefault("months", []).append(_("Enter by how many months probation is extended."))
        else:
            clean["months"] = int(detail["months"])
    if kind == StepKind.TRAINING:
        clean["days"] = int(detail.get("days") or 0)
        clean["hours"] = str(Decimal(str(detail.get("hours") or 0)))
        if not clean["days"] and Decimal(clean["hours"]) <= 0:
            errors.setdefault("hours", []).append(_("Enter the days or class hours of training received."))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def development_file_open(
    *, person: Person, branch: PartyOrganisation, application_on: date, actor: Actor = SYSTEM, note: str = ""
) -> DevelopmentFile:
    """Open an applicant's file with their application; the rules in force that day apply to it."""
    errors: dict[str, list[str]] = {}
    if person.party_status:
        errors.setdefault("person", []).append(_("This person is a Party member already."))
    if DevelopmentFile.objects.filter(person=person, closed=False).exists():
        errors.setdefault("person", []).append(_("This person has an open development file."))
    if branch.kind not in BRANCH_KINDS:
        errors.setdefault("branch", []).append(_("A file is kept by a branch (党支部)."))
    if application_on > timezone.localdate():
        errors.setdefault("application_on", []).append(_("The date is in the future."))
    if errors:
        raise ValidationError(errors)
    row, rules = development_rules_current(on=application_on)
    file = DevelopmentFile.objects.create(
        person=person,
        branch=branch,
        rules=row,
        rules_version=rules.version,
        note=note.strip(),
        created_by=user_or_none(actor),
    )
    DevelopmentStep.objects.create(
        file=file,
        kind=StepKind.APPLICATION,
        on=application_on,
        recorded_by=user_or_none(actor),
        recorded_at=timezone.now(),
    )
    development_file_refresh(file=file)
    return file


@transaction.atomic
def development_step_record(
    *,
    file: DevelopmentFile,
    kind: str,
    on: date,
    detail: dict[str, Any] | None = None,
    note: str = "",
    actor: Actor = SYSTEM,
) -> DevelopmentStep:
    """Enter a decision the branch or the higher committee took. The dates are checked, not refused:
    a step that breaks a time rule is recorded and the file is listed as breaking it."""
    locked = (
        DevelopmentFile.objects.select_for_update(of=("self",))
        .select_related("person", "branch")
        .get(pk=file.pk)
    )
    if locked.closed:
        raise ValidationError(_("This file is closed."))
    if kind not in StepKind.values or kind == StepKind.APPLICATION:
        raise ValidationError({"kind": [_("Choose a step.")]})
    if on > timezone.localdate():
        raise ValidationError({"on": [_("A step is entered once it has happened.")]})
    if kind in ONCE and locked.steps.filter(kind=kind).exists():
        raise ValidationError({"kind": [_("This step is in the file already; correct it instead.")]})
    clean = _detail_validate(kind, detail or {})
    step = DevelopmentStep.objects.create(
        file=locked,
        kind=kind,
        on=on,
        detail=clean,
        note=note.strip()[:300],
        recorded_by=user_or_none(actor),
        recorded_at=timezone.now(),
    )
    evaluation = development_file_refresh(file=locked)
    _membership_follows(locked, kind, evaluation, actor)
    return step


def _membership_follows(
    file: DevelopmentFile, kind: str, evaluation: development.Evaluation, actor: Actor
) -> None:
    """The approval makes the applicant a probationary member from the branch meeting; full
    membership dates from the end of probation. Entered once here, it shows everywhere. The right to
    record the step covers its consequence: the person's record changes as the system, the step row
    says who recorded it."""

    if kind == StepKind.APPROVAL:
        meeting = file.steps.filter(kind=StepKind.BRANCH_MEETING).first()
        if meeting is not None:
            person_update(
                person=file.person,
                actor=SYSTEM,
                party_status=PartyStatus.PROBATIONARY,
                party_joined_on=meeting.on,
                branch=file.branch,
            )
    elif kind == StepKind.FULL_MEMBERSHIP:
        person = Person.objects.get(pk=file.person_id)
        if person.party_status == PartyStatus.PROBATIONARY:
            person_update(
                person=person,
                actor=SYSTEM,
                party_status=PartyStatus.FULL,
                party_full_on=evaluation.probation_ends,
            )
        DevelopmentFile.objects.filter(pk=file.pk).update(closed=True)
    elif kind == StepKind.STOPPED:
        DevelopmentFile.objects.filter(pk=file.pk).update(closed=True)


@transaction.atomic
def development_step_delete(*, step: DevelopmentStep) -> None:
    """Remove a step entered by mistake (not the application, not on a closed file)."""
    file = DevelopmentFile.objects.select_for_update(of=("self",)).get(pk=step.file_id)
    if file.closed:
        raise ValidationError(_("This file is closed."))
    if step.kind == StepKind.APPLICATION:
        raise ValidationError(_("The application opens the file and stays."))
    step.delete()
    development_file_refresh(file=file)


def development_file_refresh(*, file: DevelopmentFile, today: date | None = None) -> development.Evaluation:
    """Recompute the stage, the next limit and whether a rule is broken (kept for lists)."""
    file = DevelopmentFile.objects.select_related("person", "rules").get(pk=file.pk)
    evaluation = evaluate_file(file, today=today)
    stage = evaluation.stage if evaluation.stage in StepKind.values else StepKind.APPLICATION
    DevelopmentFile.objects.filter(pk=file.pk).update(
        stage=stage,
        next_deadline=evaluation.next_deadline,
        broken=bool(evaluation.broken),
        updated_at=timezone.now(),
    )
    return evaluation


def _officials_near(region: Region, capability: str) -> list[Any]:
    """Accounts holding `capability` at the region or, failing that, at the nearest ancestor."""

    ids = ancestor_ids(region.path)
    assignments = RoleAssignment.objects.filter(region_id__in=ids, user__is_active=True).select_related(
        "user", "region"
    )
    by_depth: dict[int, list[Any]] = {}
    for a in assignments:
        if capability in capabilities_of(a.role):
            by_depth.setdefault(a.region.depth, []).append(a.user)
    return by_depth[max(by_depth)] if by_depth else []


def development_deadlines_notify(*, today: date | None = None) -> int:
    """Refresh every open file; tell the branch's officials once about each limit coming close or passed."""

    today = today or timezone.localdate()
    sent = 0
    cache: dict[int, list[Any]] = {}
    for file in (
        DevelopmentFile.objects.filter(closed=False)
        .select_related("person", "branch__region")
        .iterator(chunk_size=500)
    ):
        evaluation = development_file_refresh(file=file, today=today)
        findings = [f for f in evaluation.warnings + evaluation.broken if f.pending and f.limit]
        if not findings:
            continue
        users = cache.get(file.branch.region_id)
        if users is None:
            users = cache[file.branch.region_id] = _officials_near(
                file.branch.region, Capability.PARTYLIFE_MANAGE
            )
        for finding in findings:
            sent += notify(
                users=users,
                event_key=f"dev:{file.pk}:{finding.code}:{finding.limit:%Y%m%d}",
                title=_("Development of %(name)s: %(message)s")
                % {"name": file.person.name, "message": finding.message},
                url=reverse("partylife:development_file", args=[file.pk]),
            )
    return sent


# ---- 流动党员 ---------------------------------------------------------------------------------


@transaction.atomic
def window_create(
    *, name: str, region: Region, address: str = "", phone: str = "", active: bool = True
) -> ServiceWindow:
    if not name.strip():
        raise ValidationError({"name": [_("Give the window a name.")]})
    return ServiceWindow.objects.create(
        name=name.strip(), region=region, address=address.strip(), phone=phone.strip(), active=active
    )


def window_update(*, window: ServiceWindow, actor: Actor, **changes: Any) -> ServiceWindow:
    fields = ("name", "address", "phone", "active")
    with audited_edit(
        ServiceWindow, window.pk, actor=actor, fields=fields, region=lambda w: w.region
    ) as edit:
        window = edit.row
        require_scope(actor, Capability.PARTYLIFE_MANAGE, window.region)
        edit.set(changes, only=fields)
        if not window.name:
            raise ValidationError({"name": [_("Give the window a name.")]})
    return edit.row


def _mobile_validate(person: Person, current_place: str, left_on: date | None, contact: str | None) -> None:

    errors: dict[str, list[str]] = {}
    if not person.party_status or person.branch_id is None:
        errors.setdefault("person", []).append(
            _("Only a member with a branch is registered as a mobile member.")
        )
    if not (current_place or "").strip():
        errors.setdefault("current_place", []).append(_("Say where the member lives or works now."))
    if left_on is None:
        errors.setdefault("left_on", []).append(_("Enter when the member left."))
    elif left_on > timezone.localdate():
        errors.setdefault("left_on", []).append(_("The date is in the future."))
    if contact and not is_valid_phone(contact):
        errors.setdefault("contact", []).append(_("Enter an 11-digit mobile number or a landline."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mobile_member_register(
    *,
    person: Person,
    current_place: str,
    left_on: date,
    contact: str = "",
    window: ServiceWindow | None = None,
    current_region: Region | None = None,
    work: str = "",
    certificate: str = "",
) -> MobileMember:
    _mobile_validate(person, current_place, left_on, contact)
    if MobileMember.objects.filter(person=person, returned_on__isnull=True).exists():
        raise ValidationError({"person": [_("This member is registered as away already.")]})
    record = MobileMember(
        person=person,
        branch=person.branch,
        current_place=current_place.strip(),
        current_region=current_region,
        work=work.strip(),
        window=window,
        certificate=certificate.strip(),
        left_on=left_on,
    )
    record.set_contact(contact)
    record.save()
    return record


def mobile_member_update(
    *, record: MobileMember, actor: Actor, contact: str | None = None, **changes: Any
) -> MobileMember:
    fields = ("current_place", "current_region", "work", "window", "certificate", "left_on")
    editing = audited_edit(
        MobileMember,
        record.pk,
        actor=actor,
        fields=fields,
        personal={"contact": MobileMember.reveal_contact},
        region=lambda r: r.branch.region,
        related=("person", "branch__region"),
    )
    with editing as edit:
        locked = edit.row
        require_scope(actor, Capability.PARTYLIFE_MANAGE, locked.branch.region)
        edit.set(changes, only=fields)
        _mobile_validate(locked.person, locked.current_place, locked.left_on, contact)
        if contact is not None:
            locked.set_contact(contact)
    return edit.row


@transaction.atomic
def mobile_member_return(*, record: MobileMember, on: date | None = None) -> MobileMember:
    on = on or timezone.localdate()
    if on < record.left_on:
        raise ValidationError({"returned_on": [_("The return cannot come before leaving.")]})
    if record.returned_on is None:
        record.returned_on = on
        record.save(update_fields=["returned_on", "updated_at"])
    return record


# ---- training ---------------------------------------------------------------------------------


@transaction.atomic
def training_class_create(
    *,
    name: str,
    purpose: str,
    organisation: PartyOrganisation,
    starts_on: date,
    ends_on: date,
    place: str = "",
    participants: Iterable[Person] = (),
) -> TrainingClass:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors.setdefault("name", []).append(_("Give the class a name."))
    if purpose not in TrainingPurpose.values:
        errors.setdefault("purpose", []).append(_("Say who the class is for."))
    if ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The class ends before it starts."))
    if errors:
        raise ValidationError(errors)
    training = TrainingClass.objects.create(
        name=name.strip(),
        purpose=purpose,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place.strip(),
    )
    training.participants.set(list(participants))
    return training


@transaction.atomic
def training_participants_add(*, training: TrainingClass, people: Iterable[Person]) -> None:
    training.participants.add(*list(people))


@transaction.atomic
def training_session_add(*, training: TrainingClass, on: date, topic: str, hours: Decimal) -> TrainingSession:
    errors: dict[str, list[str]] = {}
    if not training.starts_on <= on <= training.ends_on:
        errors.setdefault("on", []).append(_("The session lies outside the class's dates."))
    if not Decimal(0) < Decimal(hours) <= Decimal(12):
        errors.setdefault("hours", []).append(_("Between 0.5 and 12 class hours."))
    if not topic.strip():
        errors.setdefault("topic", []).append(_("Enter the topic."))
    if errors:
        raise ValidationError(errors)
    return TrainingSession.objects.create(training=training, on=on, topic=topic.strip(), hours=hours)


@transaction.atomic
def training_attendance_set(*, session: TrainingSession, people: Iterable[Person], now: Any = None) -> int:
    """Who attended the session (participants of the class only); replaces any earlier list.

    Development files of the attendees are refreshed, since class hours count toward their training rule.
    """
    wanted = {p.pk for p in people}
    allowed = set(session.training.participants.values_list("pk", flat=True))
    if wanted - allowed:
        raise ValidationError({"people": [_("Only participants of the class can attend its sessions.")]})
    TrainingAttendance.objects.filter(session=session).exclude(person_id__in=wanted).delete()
    have = set(TrainingAttendance.objects.filter(session=session).values_list("person_id", flat=True))
    TrainingAttendance.objects.bulk_create(
        [TrainingAttendance(session=session, person_id=pk) for pk in wanted - have]
    )
    session.confirmed_at = now or timezone.now()
    session.save(update_fields=["confirmed_at"])
    for file in DevelopmentFile.objects.filter(person_id__in=wanted | have, closed=False):
        development_file_refresh(file=file)
    return len(wanted)
