"""Writes to joint meetings: schedule, call (invitations), record attendance and minutes, decisions
through their steps (workflow.TABLE, applied by decision_step), follow-up tasks and reminders.

The organiser is an official keeping co-building for the meeting's region (partners.manage);
a task's owner (its unit's liaison, or the named account) marks it done.
`actor=SYSTEM` is the system itself (demo data, the reminder job).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.edits import Edit, audited_edit
from tongxin.core.actors import SYSTEM, Actor, user_or_none
from tongxin.meetings.models import (
    AgendaItem,
    Decision,
    DecisionStatus,
    DecisionStep,
    FollowUpTask,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    TaskStatus,
)
from tongxin.meetings.workflow import step_for
from tongxin.notifications.recipients import community_officials, liaisons_of
from tongxin.notifications.services import notify, notify_on_commit
from tongxin.partners.models import Alliance, PartnerUnit
from tongxin.partners.selectors import alliance_members_current, reach_for, rules_current
from tongxin.partners.services import require_manage
from tongxin.regions.models import Region
from tongxin.venues.models import Room
from tongxin.venues.services import room_reserve


class DecisionConflict(Exception):
    """Someone else moved the decision on a moment ago."""


def _display(user: Any) -> str:
    return user.display_name() if hasattr(user, "display_name") else str(user)


# ---- meetings -------------------------------------------------------------------------------------


MEETING_ROOM_HOURS = 2  # a meeting has a start only: its room is held this long


@transaction.atomic
def meeting_schedule(
    *,
    actor: Actor,
    title: str,
    scheduled_at: datetime,
    alliance: Alliance | None = None,
    region: Region | None = None,
    kind: str = MeetingKind.JOINT,
    place: str = "",
    agenda: Iterable[str] = (),
    invite_units: Iterable[PartnerUnit] | None = None,
    invite_users: Iterable[Any] = (),
    room: Room | None = None,
) -> Meeting:
    """Plan a meeting. An alliance's meeting invites its member units unless told otherwise. A
    `room` is booked for it in the same transaction (a clash undoes the meeting too)."""
    region = region or (alliance.region if alliance is not None else None)
    errors: dict[str, list[str]] = {}
    if region is None:
        errors.setdefault("region", []).append(_("Choose the alliance or the region of the meeting."))
    elif alliance is not None and not region.path.startswith(alliance.region.path):
        errors.setdefault("region", []).append(_("The meeting belongs to the alliance's area."))
    if kind not in MeetingKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of meeting."))
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("A title is required."))
    if scheduled_at is None:
        errors.setdefault("scheduled_at", []).append(_("Say when the meeting is."))
    if errors:
        raise ValidationError(errors)
    assert region is not None
    require_manage(actor, region)
    meeting = Meeting.objects.create(
        alliance=alliance,
        region=region,
        kind=kind,
        title=title.strip(),
        scheduled_at=scheduled_at,
        place=place.strip(),
        created_by=user_or_none(actor),
    )
    for order, item in enumerate([a.strip() for a in agenda if a and a.strip()], start=1):
        AgendaItem.objects.create(meeting=meeting, order=order, title=item[:200])
    if invite_units is None and alliance is not None:
        invite_units = [m.unit for m in alliance_members_current(alliance) if m.unit is not None]
    for unit in invite_units or []:
        Invitation.objects.get_or_create(meeting=meeting, unit=unit, defaults={"name": unit.name})
    for user in invite_users:
        Invitation.objects.get_or_create(meeting=meeting, user=user, defaults={"name": _display(user)[:120]})
    if room is not None:
        room_reserve(
            actor=actor,
            room=room,
            starts_at=meeting.scheduled_at,
            ends_at=meeting.scheduled_at + timedelta(hours=MEETING_ROOM_HOURS),
            purpose=meeting.title,
            reference=f"meetings.meeting:{meeting.pk}",
        )
    return meeting


def period_starts(year: int, interval: int) -> list[date]:
    """The first day of each period of a year for a meeting interval in months (3: each quarter)."""
    return [date(year, month, 1) for month in range(1, 13, interval)]


def meetings_plan_year(
    *, alliance: Alliance, year: int, actor: Actor, hour: int = 9, today: date | None = None
) -> list[Meeting]:
    """Plan one meeting in each period of `year` (at the alliance's interval) that has none and
    has not passed yet: the middle of the period's first month."""
    require_manage(actor, alliance.region)
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    planned = []
    for start in period_starts(year, alliance.meeting_interval):
        end = _add_months(start, alliance.meeting_interval)
        if end <= today or end <= alliance.founded_on:
            continue
        has = Meeting.objects.filter(
            alliance=alliance,
            scheduled_at__gte=datetime.combine(start, time.min, tzinfo=tz),
            scheduled_at__lt=datetime.combine(end, time.min, tzinfo=tz),
        ).exclude(status=MeetingStatus.CANCELLED)
        if has.exists():
            continue
        day = max(start.replace(day=15), today + timedelta(days=1))
        planned.append(
            meeting_schedule(
                actor=actor,
                alliance=alliance,
                title=_("%(alliance)s joint meeting, %(period)s")
                % {"alliance": alliance.name, "period": f"{start:%Y-%m}"},
                scheduled_at=datetime.combine(day, time(hour, 30), tzinfo=tz),
                place=alliance.region.name,
            )
        )
    return planned


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _organiser(actor: Actor, meeting: Meeting) -> None:
    require_manage(actor, meeting.region)


@contextmanager
def _meeting_edit(meeting: Meeting, actor: Actor, fields: tuple[str, ...]) -> Iterator[Edit[Meeting]]:
    """The organiser changes the meeting's state: locked, checked, saved with one audit row."""
    editing = audited_edit(
        Meeting, meeting.pk, actor=actor, fields=fields, region=lambda m: m.region, related=("region",)
    )
    with editing as edit:
        _organiser(actor, edit.row)
        yield edit


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, actor: Actor, title: str, note: str = "") -> AgendaItem:
    _organiser(actor, meeting)
    if not (title or "").strip():
        raise ValidationError({"title": [_("An agenda item needs a title.")]})
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        raise ValidationError(_("The agenda of a held or cancelled meeting is closed."))
    order = (meeting.agenda.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return AgendaItem.objects.create(
        meeting=meeting, order=order, title=title.strip()[:200], note=note.strip()
    )


@transaction.atomic
def invitation_add(
    *, meeting: Meeting, actor: Actor, unit: PartnerUnit | None = None, user: Any = None
) -> Invitation:
    _organiser(actor, meeting)
    if (unit is None) == (user is None):
        raise ValidationError({"unit": [_("Invite either a unit or an account.")]})
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        raise ValidationError(_("Invitations to a held or cancelled meeting are closed."))
    if unit is not None:
        invitation, _created = Invitation.objects.get_or_create(
            meeting=meeting, unit=unit, defaults={"name": unit.name}
        )
    else:
        invitation, _created = Invitation.objects.get_or_create(
            meeting=meeting, user=user, defaults={"name": _display(user)[:120]}
        )
    if meeting.status == MeetingStatus.CALLED:
        _announce_call(meeting, [invitation])
    return invitation


def _invitees(invitations: Iterable[Invitation]) -> list[Any]:
    users = []
    for invitation in invitations:
        if invitation.user_id and invitation.user.is_active:  # type: ignore[union-attr]
            users.append(invitation.user)
        if invitation.unit_id:
            users += liaisons_of(invitation.unit)
    return users


def _announce_call(meeting: Meeting, invitations: list[Invitation]) -> None:
    when = timezone.localtime(meeting.scheduled_at)
    for invitation in invitations:
        notify_on_commit(
            users=lambda invitation=invitation: _invitees([invitation]),  # type: ignore[misc]
            event_key=f"meeting-called:{meeting.pk}:{invitation.pk}",
            title=_("You are invited to %(meeting)s on %(when)s.")
            % {"meeting": meeting.title, "when": f"{when:%Y-%m-%d %H:%M}"},
            body=meeting.place,
            url=meeting.get_absolute_url(),
        )


@transaction.atomic
def meeting_call(*, meeting: Meeting, actor: Actor, now: datetime | None = None) -> Meeting:
    """Send the invitations (召集): each invited account and each invited unit's liaisons hear once."""
    with _meeting_edit(meeting, actor, ("status", "called_at")) as edit:
        locked = edit.row
        if locked.status != MeetingStatus.PLANNED:
            raise ValidationError(
                _("Only a planned meeting can be called; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        invitations = list(locked.invitations.select_related("unit", "user"))
        if not invitations:
            raise ValidationError(_("Invite someone before calling the meeting."))
        locked.status = MeetingStatus.CALLED
        locked.called_at = now or timezone.now()
    _announce_call(locked, invitations)
    return locked


@transaction.atomic
def meeting_attendance(*, meeting: Meeting, actor: Actor, attended: Iterable[int]) -> int:
    """The organiser confirms who came (invitation ids); everyone else invited is marked absent."""
    locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    _organiser(actor, locked)
    if locked.status not in (MeetingStatus.CALLED, MeetingStatus.HELD):
        raise ValidationError(_("Attendance is recorded once the meeting has been called."))
    present = {int(i) for i in attended}
    invitations = locked.invitations.all()
    unknown = present - set(invitations.values_list("pk", flat=True))
    if unknown:
        raise ValidationError({"attended": [_("Some of these were not invited to this meeting.")]})
    invitations.filter(pk__in=present).update(attended=True)
    invitations.exclude(pk__in=present).update(attended=False)
    return len(present)


@transaction.atomic
def meeting_record(
    *, meeting: Meeting, actor: Actor, minutes: str, held_at: datetime | None = None
) -> Meeting:
    """Record that the meeting was held, with its minutes (纪要). Minutes can be corrected later."""
    with _meeting_edit(meeting, actor, ("status", "minutes", "held_at")) as edit:
        locked = edit.row
        if locked.status == MeetingStatus.CANCELLED:
            raise ValidationError(_("A cancelled meeting has no minutes."))
        if not (minutes or "").strip():
            raise ValidationError({"minutes": [_("Write the minutes of the meeting.")]})
        held_at = held_at or locked.held_at or locked.scheduled_at
        if held_at > timezone.now() + timedelta(hours=12):
            raise ValidationError({"held_at": [_("A meeting cannot be recorded before it takes place.")]})
        locked.status = MeetingStatus.HELD
        locked.minutes = minutes.strip()
        locked.held_at = held_at
    return locked


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: Actor, reason: str) -> Meeting:
    with _meeting_edit(meeting, actor, ("status", "minutes")) as edit:
        locked = edit.row
        if locked.status not in (MeetingStatus.PLANNED, MeetingStatus.CALLED):
            raise ValidationError(_("Only a meeting still to come can be cancelled."))
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Say why the meeting is cancelled.")]})
        locked.status = MeetingStatus.CANCELLED
        locked.minutes = reason.strip()
    if locked.called_at:
        invitations = list(locked.invitations.select_related("unit", "user"))
        notify_on_commit(
            users=lambda: _invitees(invitations),
            event_key=f"meeting-cancelled:{locked.pk}",
            title=_("%(meeting)s is cancelled.") % {"meeting": locked.title},
            body=locked.minutes,
            url=locked.get_absolute_url(),
        )
    return locked


# ---- decisions ------------------------------------------------------------------------------------


@transaction.atomic
def decision_create(
    *,
    meeting: Meeting,
    actor: Actor,
    title: str,
    text: str = "",
    four_step: bool = False,
    now: datetime | None = None,
) -> Decision:
    """提议: a decision is proposed at (or for) a meeting; its first step is recorded."""
    _organiser(actor, meeting)
    if not (title or "").strip():
        raise ValidationError({"title": [_("Say what is to be decided.")]})
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting takes no decisions."))
    now = now or timezone.now()
    decision = Decision.objects.create(
        meeting=meeting,
        title=title.strip()[:200],
        text=text.strip(),
        four_step=four_step,
        created_by=user_or_none(actor),
        created_at=now,
    )
    DecisionStep.objects.create(
        decision=decision,
        action="propose",
        from_status="",
        to_status=DecisionStatus.PROPOSED,
        actor=user_or_none(actor),
        at=now,
    )
    return decision


def decision_step(
    *, decision: Decision | int, action: str, actor: Actor, note: str = "", now: datetime | None = None
) -> Decision:
    """Apply one step of the table to a decision: lock, check, change, write one step row."""
    now = now or timezone.now()
    decision_id = decision if isinstance(decision, int) else decision.pk
    with transaction.atomic():
        locked = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("meeting__region")
            .get(pk=decision_id)
        )
        _organiser(actor, locked.meeting)
        step = step_for(action, locked.status, four_step=locked.four_step)
        if step is None:
            raise ValidationError(
                _("A decision that is “%(status)s” cannot take this step.")
                % {"status": locked.get_status_display()}
            )
        if step.needs_note and not (note or "").strip():
            raise ValidationError({"note": [_("Please write a note for this step.")]})
        if action == "evaluate" and locked.meeting.status != MeetingStatus.HELD:
            raise ValidationError(_("A decision is evaluated after its meeting has been held."))
        from_status = locked.status
        fields: dict[str, Any] = {"status": step.target}
        if action == "evaluate":
            fields["evaluation"] = note.strip()
        if not Decision.objects.filter(pk=locked.pk, status=from_status).update(**fields):
            raise DecisionConflict(
                _("Someone else moved this decision on a moment ago. Reload and try again.")
            )
        DecisionStep.objects.create(
            decision=locked,
            action=action,
            from_status=from_status,
            to_status=step.target,
            actor=user_or_none(actor),
            note=(note or "").strip(),
            at=now,
        )
        for field, value in fields.items():
            setattr(locked, field, value)
    return locked


# ---- follow-up tasks ------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    decision: Decision,
    actor: Actor,
    title: str,
    due_on: date,
    owner_unit: PartnerUnit | None = None,
    owner_user: Any = None,
    owner_name: str = "",
    now: datetime | None = None,
) -> FollowUpTask:
    """An adopted decision becomes tasks, each with an owner and a due date."""
    decision = Decision.objects.select_related("meeting__region").get(pk=decision.pk)  # its status now
    meeting = decision.meeting
    _organiser(actor, meeting)
    errors: dict[str, list[str]] = {}
    if decision.status != DecisionStatus.ADOPTED:
        errors.setdefault("decision", []).append(_("Tasks follow from an adopted decision."))
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("Say what is to be done."))
    if due_on is None:
        errors.setdefault("due_on", []).append(_("Give a due date."))
    name = (owner_name or "").strip() or (
        owner_unit.name
        if owner_unit is not None
        else (_display(owner_user) if owner_user is not None else "")
    )
    if not name:
        errors.setdefault("owner_name", []).append(_("Name who owns the task."))
    if errors:
        raise ValidationError(errors)
    return FollowUpTask.objects.create(
        decision=decision,
        title=title.strip()[:200],
        owner_unit=owner_unit,
        owner_user=owner_user,
        owner_name=name[:120],
        due_on=due_on,
        created_at=now or timezone.now(),
    )


def _may_finish(actor: Actor, task: FollowUpTask) -> bool:
    if actor == SYSTEM:
        return True
    reach = reach_for(actor)
    return (
        reach.manages(task.decision.meeting.region)
        or reach.speaks_for(task.owner_unit)
        or (task.owner_user_id is not None and task.owner_user_id == actor.pk)
    )


@transaction.atomic
def task_done(*, task: FollowUpTask, actor: Actor, note: str, now: datetime | None = None) -> FollowUpTask:
    editing = audited_edit(
        FollowUpTask,
        task.pk,
        actor=actor,
        fields=("status", "done_at", "done_by", "done_note"),
        region=lambda t: t.decision.meeting.region,
        related=("decision__meeting__region", "owner_unit"),
    )
    with editing as edit:
        locked = edit.row
        if not _may_finish(actor, locked):
            raise PermissionDenied(_("Only the task's owner or the organiser may mark it done."))
        if locked.status == TaskStatus.DONE:
            raise ValidationError(_("This task is done already."))
        if not (note or "").strip():
            raise ValidationError({"note": [_("Say what was done.")]})
        locked.status = TaskStatus.DONE
        locked.done_at = now or timezone.now()
        locked.done_by = user_or_none(actor)
        locked.done_note = note.strip()
    return locked


def tasks_remind_due(*, now: datetime | None = None) -> int:
    """Tell each open task's owner when it is due soon, and again once it is overdue (once each)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    window = rules_current().task_warn_days
    due = FollowUpTask.objects.filter(
        status=TaskStatus.OPEN, due_on__lte=today + timedelta(days=window)
    ).select_related("owner_unit", "owner_user", "decision__meeting__region")
    sent = 0
    for task in due:
        overdue = task.due_on < today
        users = liaisons_of(task.owner_unit) if task.owner_unit_id else []
        if task.owner_user is not None and task.owner_user.is_active:
            users.append(task.owner_user)
        if overdue:
            users += community_officials(task.decision.meeting.region)
        if not users:
            continue
        title = (
            _("The task “%(task)s” was due on %(day)s and is still open.")
            if overdue
            else _("The task “%(task)s” is due on %(day)s.")
        ) % {"task": task.title, "day": task.due_on.isoformat()}
        sent += notify(
            users=users,
            event_key=f"task-{'overdue' if overdue else 'due'}:{task.pk}",
            title=title,
            body=task.decision.title,
            url=task.decision.meeting.get_absolute_url(),
            now=now,
        )
    return sent
