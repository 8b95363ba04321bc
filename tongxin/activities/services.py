"""Writes for activities (publish, sign up, confirm attendance) and teams (roster, call-outs).

Attendance is confirmed by the organiser afterwards, never by a forced check-in; confirming it
is what puts the activity on each attendee's service record.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.activities.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivityStatus,
    Audience,
    Callout,
    CalloutAnswer,
    CalloutResponse,
    SignUp,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
)
from tongxin.activities.selectors import _unit_ids, audience_condition, may_manage_activity, may_sign_up
from tongxin.audit.edits import audited_edit
from tongxin.cases.services import responder_create
from tongxin.core.actors import SYSTEM, Actor, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.core.uploads import upload_accept
from tongxin.lib.filetypes import IMAGES
from tongxin.members.models import ServiceSource
from tongxin.members.services import service_record_sync_on_commit
from tongxin.notifications.services import notify_on_commit
from tongxin.organisations.models import PartyOrganisation
from tongxin.people.models import Person
from tongxin.regions.models import Region
from tongxin.venues.models import Room
from tongxin.venues.services import room_reserve

ACTIVITY_FIELDS = (
    "title",
    "kind",
    "place",
    "places",
    "audience",
    "starts_at",
    "ends_at",
    "signup_until",
    "hours",
    "description",
)


def default_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """The activity's length in hours, to the half hour (the service hours credited by default)."""
    hours = Decimal((ends_at - starts_at).total_seconds()) / 3600
    return max(Decimal("0.5"), (hours * 2).quantize(Decimal(1)) / 2)


def _activity_validate(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not (data.get("title") or "").strip():
        errors.setdefault("title", []).append(_("Give the activity a title."))
    if data.get("kind") not in ActivityKind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of activity."))
    if data.get("audience") not in Audience.values:
        errors.setdefault("audience", []).append(_("Choose who may sign up."))
    if not (data.get("place") or "").strip():
        errors.setdefault("place", []).append(_("Say where it takes place."))
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is None or ends is None:
        errors.setdefault("starts_at", []).append(_("Give the start and the end."))
    elif ends <= starts:
        errors.setdefault("ends_at", []).append(_("The end must come after the start."))
    until = data.get("signup_until")
    if until is not None and starts is not None and until > starts:
        errors.setdefault("signup_until", []).append(_("Sign-up must close before the activity starts."))
    places = data.get("places")
    if places is not None and places < 1:
        errors.setdefault("places", []).append(_("At least one place, or leave it empty for no limit."))
    hours = data.get("hours")
    if hours is not None and not Decimal(0) < Decimal(hours) <= Decimal(24):
        errors.setdefault("hours", []).append(_("Between half an hour and 24 hours."))
    if data.get("audience") == Audience.BRANCH and data.get("organisation") is None:
        errors.setdefault("audience", []).append(
            _("An activity for a branch's members needs its organising branch.")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_create(
    *,
    organiser: Any,
    region: Region,
    organisation: PartyOrganisation | None = None,
    unit: Any = None,
    hours: Decimal | None = None,
    room: Room | None = None,
    **data: Any,
) -> Activity:
    """Publish an activity. The organiser needs members.manage over the area, or speaks for `unit`.

    `organiser=None`: entered by an import or the demo, confirmed later by the area's officials."""
    if organiser is not None:
        allowed = scope_for(organiser, Capability.MEMBERS_MANAGE).contains(region.path)
        if not allowed and unit is not None:
            allowed = unit.pk in _unit_ids(organiser) and (
                region.path.startswith(unit.region.path) or unit.region.path.startswith(region.path)
            )
        if not allowed:
            raise PermissionDenied(_("You may not publish activities for this area."))
    data = {k: data.get(k) for k in ACTIVITY_FIELDS if k in data}
    data.setdefault("audience", Audience.MEMBERS)
    data["organisation"] = organisation
    data["hours"] = hours
    _activity_validate(data)
    if hours is None:
        data["hours"] = default_hours(data["starts_at"], data["ends_at"])
    for key in ("title", "place", "description"):
        data[key] = (data.get(key) or "").strip()
    activity = Activity.objects.create(region=region, unit=unit, organiser=organiser, **data)
    if room is not None:  # the room is booked in this transaction: a clash undoes the activity too
        room_reserve(
            actor=organiser if organiser is not None else SYSTEM,
            room=room,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            purpose=activity.title,
            attendees=activity.places or 1,
            reference=f"activities.activity:{activity.pk}",
        )
    return activity


def activity_update(*, activity: Activity, actor: Actor, **changes: Any) -> Activity:
    fields = (*ACTIVITY_FIELDS, "organisation")
    editing = audited_edit(
        Activity, activity.pk, actor=actor, fields=fields, region=lambda a: a.region, related=("region",)
    )
    with editing as edit:
        locked = edit.row
        if not may_manage_activity(actor, locked):
            raise PermissionDenied
        if locked.status != ActivityStatus.PUBLISHED:
            raise ValidationError(_("Only an open activity can be changed."))
        edit.set(changes, only=fields)
        _activity_validate({k: getattr(locked, k) for k in fields})
    return edit.row


@transaction.atomic
def activity_cancel(*, activity: Activity, actor: Actor, reason: str = "") -> Activity:
    editing = audited_edit(
        Activity,
        activity.pk,
        actor=actor,
        fields=("status", "summary"),
        region=lambda a: a.region,
        related=("region",),
    )
    with editing as edit:
        locked = edit.row
        if not may_manage_activity(actor, locked):
            raise PermissionDenied
        if locked.status != ActivityStatus.PUBLISHED:
            raise ValidationError(_("Only an open activity can be cancelled."))
        locked.status = ActivityStatus.CANCELLED
        if reason.strip():
            locked.summary = reason.strip()
    users = [
        s.user for s in locked.signups.filter(cancelled_at__isnull=True).select_related("user") if s.user
    ]
    title = _("“%(title)s” is cancelled") % {"title": locked.title}
    notify_on_commit(
        users=lambda: users,
        event_key=f"activity-cancelled:{locked.pk}",
        title=title,
        url=locked.get_absolute_url(),
    )
    return locked


@transaction.atomic
def signup_create(
    *, activity: Activity, user: Any, now: datetime | None = None, quiet: bool = False
) -> SignUp:
    """The user's person signs up (on a phone, in two taps). Places are checked under a lock.

    `quiet`: no notification (imports and demo data)."""
    now = now or timezone.now()
    locked = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("region", "organiser")
        .get(pk=activity.pk)
    )
    person = getattr(user, "person", None)
    if person is None:
        raise ValidationError(_("Your account is not linked to a person; ask your community to link it."))
    if not may_sign_up(user, locked, now=now):
        raise ValidationError(_("Sign-up for this activity is not open to you."))
    return _signup(locked, person, user, now, quiet)


@transaction.atomic
def signup_enter(
    *, activity: Activity, person: Person, actor: Actor, now: datetime | None = None, quiet: bool = False
) -> SignUp:
    """The organiser enters a sign-up taken by phone or in person (for someone without an account)."""

    now = now or timezone.now()
    locked = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("region", "organiser")
        .get(pk=activity.pk)
    )
    if not may_manage_activity(actor, locked):  # SYSTEM: an import or the demo
        raise PermissionDenied(_("Only the organiser enters sign-ups for others."))
    if locked.status != ActivityStatus.PUBLISHED or (locked.signup_until or locked.starts_at) <= now:
        raise ValidationError(_("Sign-up for this activity is closed."))
    if not Activity.objects.filter(audience_condition(person), pk=locked.pk).exists():
        raise ValidationError(_("The activity is not open to %(name)s.") % {"name": person.name})
    return _signup(locked, person, None, now, quiet)


def _signup(locked: Activity, person: Person, user: Any, now: datetime, quiet: bool) -> SignUp:
    existing = SignUp.objects.filter(activity=locked, person=person).first()
    if existing is not None and existing.cancelled_at is None:
        return existing
    if locked.places is not None:
        taken = locked.signups.filter(cancelled_at__isnull=True, walk_in=False).count()
        if taken >= locked.places:
            raise ValidationError(_("All places are taken."))
    if existing is not None:
        existing.cancelled_at = None
        existing.signed_up_at = now
        existing.user = user
        existing.save(update_fields=["cancelled_at", "signed_up_at", "user"])
        signup = existing
    else:
        signup = SignUp.objects.create(activity=locked, person=person, user=user, signed_up_at=now)
    title = _("%(name)s signed up for “%(title)s”") % {"name": person.name, "title": locked.title}
    organiser = locked.organiser
    key = f"activity-signup:{signup.pk}:{now:%Y%m%d%H%M%S}"
    if not quiet and organiser is not None:
        url = reverse("activities:attendance", args=[locked.pk])
        notify_on_commit(users=lambda: [organiser], event_key=key, title=title, url=url)
    return signup


@transaction.atomic
def signup_cancel(*, activity: Activity, user: Any, now: datetime | None = None) -> SignUp | None:
    now = now or timezone.now()
    locked = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
    person_id = getattr(user, "person_id", None)
    signup = SignUp.objects.filter(activity=locked, person_id=person_id).first() if person_id else None
    if signup is None or signup.cancelled_at is not None:
        return signup
    if locked.status != ActivityStatus.PUBLISHED or locked.starts_at <= now:
        raise ValidationError(_("The activity has started; your sign-up stays as it is."))
    signup.cancelled_at = now
    signup.save(update_fields=["cancelled_at"])
    return signup


@transaction.atomic
def attendance_confirm(
    *,
    activity: Activity,
    actor: Actor,
    attended: list[int],
    walk_ins: list[Person] | None = None,
    summary: str | None = None,
    now: datetime | None = None,
    quiet: bool = False,
) -> Activity:
    """The organiser says who attended (sign-up ids) and who came without signing up.

    May be repeated to correct it; each time the attendees' service records follow.
    """
    now = now or timezone.now()
    editing = audited_edit(
        Activity,
        activity.pk,
        actor=actor,
        fields=("status", "confirmed_at", "confirmed_by", "summary"),
        region=lambda a: a.region,
        related=("region",),
    )
    with editing as edit:
        locked = edit.row
        if not may_manage_activity(actor, locked):  # SYSTEM: an import or the demo
            raise PermissionDenied(_("Only the organiser confirms attendance."))
        if locked.status == ActivityStatus.CANCELLED:
            raise ValidationError(_("The activity was cancelled."))
        if locked.starts_at > now:
            raise ValidationError(_("Attendance is confirmed once the activity has started."))
        present = set(attended)
        signups = list(locked.signups.select_for_update(of=("self",)))
        unknown = present - {s.pk for s in signups}
        if unknown:
            raise ValidationError(
                {"attended": [_("Someone in the list has not signed up for this activity.")]}
            )
        for signup in signups:
            value = signup.pk in present
            if signup.attended != value:
                signup.attended = value
                signup.confirmed_at = now
                signup.save(update_fields=["attended", "confirmed_at"])
        for person in walk_ins or []:
            signup, created = SignUp.objects.get_or_create(
                activity=locked,
                person=person,
                defaults={"walk_in": True, "attended": True, "confirmed_at": now},
            )
            if not created and not signup.attended:
                signup.attended, signup.confirmed_at = True, now
                signup.save(update_fields=["attended", "confirmed_at"])
        locked.status = ActivityStatus.CONFIRMED
        locked.confirmed_at = now
        locked.confirmed_by = user_or_none(actor)
        if summary is not None:
            locked.summary = summary.strip()
    service_record_sync_on_commit(source=ServiceSource.ACTIVITY, ids=[str(locked.pk)])
    users = [s.user for s in locked.signups.filter(attended=True).select_related("user") if s.user]
    title = _("Your attendance at “%(title)s” is on your service record") % {"title": locked.title}
    key = f"activity-attended:{locked.pk}"
    if not quiet:
        notify_on_commit(users=lambda: users, event_key=key, title=title, url=reverse("members:me"))
    return locked


@transaction.atomic
def activity_summary_set(*, activity: Activity, actor: Actor, summary: str) -> Activity:
    editing = audited_edit(
        Activity,
        activity.pk,
        actor=actor,
        fields=("summary",),
        region=lambda a: a.region,
        related=("region",),
    )
    with editing as edit:
        if not may_manage_activity(actor, edit.row):
            raise PermissionDenied
        edit.row.summary = summary.strip()
    return edit.row


def activity_photo_add(
    *, activity: Activity, actor: Actor, upload: Any, now: datetime | None = None
) -> ActivityPhoto:
    """Optional evidence: a photo with the summary. Never required for anything."""
    if not may_manage_activity(actor, activity):
        raise PermissionDenied
    try:
        # the type read from the bytes, never the browser's word; re-encoded without EXIF
        content_type = upload_accept(upload, allowed=IMAGES)
    except ValidationError as exc:
        if exc.code == "type":
            raise ValidationError({"photo": [_("Send a JPEG, PNG or WebP photo.")]}) from exc
        raise ValidationError({"photo": exc.messages}) from exc
    if activity.photos.count() >= 9:
        raise ValidationError({"photo": [_("An activity keeps at most nine photos.")]})
    return ActivityPhoto.objects.create(
        activity=activity,
        file=upload,
        content_type=content_type,
        size=upload.size,
        uploaded_by=user_or_none(actor),
        uploaded_at=now or timezone.now(),
    )


# ---- teams ------------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *,
    name: str,
    kind: str,
    region: Region,
    organisation: PartyOrganisation | None = None,
    description: str = "",
    dispatchable: bool = True,
) -> Team:
    """A team; with `dispatchable` it is also a responder that cases can be dispatched to."""

    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors.setdefault("name", []).append(_("Give the team a name."))
    if kind not in TeamKind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of team."))
    if Team.objects.filter(region=region, name=name.strip()).exists():
        errors.setdefault("name", []).append(_("The area has a team of this name already."))
    if errors:
        raise ValidationError(errors)
    responder = responder_create(name=name.strip(), kind="team", region=region) if dispatchable else None
    return Team.objects.create(
        name=name.strip(),
        kind=kind,
        region=region,
        organisation=organisation,
        description=description.strip(),
        responder=responder,
    )


def _sync_responder(team: Team) -> None:
    """The responder's members are the roster's accounts, so a dispatched case reaches them."""
    if team.responder is None:
        return
    people = team.roster.filter(left_on__isnull=True).values("person_id")
    team.responder.members.set(User.objects.filter(person_id__in=people, is_active=True))


@transaction.atomic
def team_member_add(
    *,
    team: Team,
    person: Person,
    role: str = TeamRole.MEMBER,
    skills: str = "",
    joined_on: date | None = None,
) -> TeamMember:
    if role not in TeamRole.values:
        raise ValidationError({"role": [_("Choose a role in the team.")]})
    if TeamMember.objects.filter(team=team, person=person, left_on__isnull=True).exists():
        raise ValidationError({"person": [_("%(name)s is in the team already.") % {"name": person.name}]})
    member = TeamMember.objects.create(
        team=team,
        person=person,
        role=role,
        skills=skills.strip(),
        joined_on=joined_on or timezone.localdate(),
    )
    _sync_responder(team)
    return member


def team_member_update(
    *, member: TeamMember, actor: Actor, role: str | None = None, skills: str | None = None
) -> TeamMember:
    editing = audited_edit(
        TeamMember,
        member.pk,
        actor=actor,
        fields=("role", "skills"),
        region=lambda m: m.team.region,
        related=("team__region",),
    )
    with editing as edit:
        member = edit.row
        require_scope(actor, Capability.MEMBERS_MANAGE, member.team.region)
        if role is not None:
            if role not in TeamRole.values:
                raise ValidationError({"role": [_("Choose a role in the team.")]})
            member.role = role
        if skills is not None:
            member.skills = skills.strip()
    return edit.row


@transaction.atomic
def team_member_remove(*, member: TeamMember, on: date | None = None) -> TeamMember:
    if member.left_on is None:
        member.left_on = on or timezone.localdate()
        member.save(update_fields=["left_on"])
        _sync_responder(member.team)
    return member


@transaction.atomic
def callout_create(
    *, team: Team, case: Any, actor: Actor, note: str = "", now: datetime | None = None
) -> Callout:
    """Call a team out to a case; every member on the roster with an account is told at once."""
    now = now or timezone.now()
    if not team.active:
        raise ValidationError(_("The team is not active."))
    if not (
        case.region_path.startswith(team.region.path) or team.region.path.startswith(case.community.path)
    ):
        raise ValidationError({"case": [_("The case lies outside the area the team serves.")]})
    if not case.is_open:
        raise ValidationError({"case": [_("The case is no longer open.")]})
    callout = Callout.objects.create(
        team=team, case=case, note=note.strip(), called_at=now, called_by=user_or_none(actor)
    )
    people = team.roster.filter(left_on__isnull=True).values("person_id")
    users = list(User.objects.filter(person_id__in=people, is_active=True))
    title = _("%(team)s is called out: %(case)s") % {"team": team.name, "case": case.tracking_code}
    body = note.strip() or case.description[:200]
    url = reverse("activities:callout_respond", args=[callout.pk])
    notify_on_commit(users=lambda: users, event_key=f"callout:{callout.pk}", title=title, body=body, url=url)
    return callout


@transaction.atomic
def callout_respond(
    *, callout: Callout, user: Any, answer: str, note: str = "", now: datetime | None = None
) -> CalloutResponse:
    now = now or timezone.now()
    if answer not in CalloutAnswer.values:
        raise ValidationError({"answer": [_("Choose an answer.")]})
    if callout.closed_at is not None:
        raise ValidationError(_("This call-out is closed."))
    person = getattr(user, "person", None)
    if person is None or not callout.team.roster.filter(person=person, left_on__isnull=True).exists():
        raise PermissionDenied(_("Only the team's members answer a call-out."))
    response, _created = CalloutResponse.objects.update_or_create(
        callout=callout,
        person=person,
        defaults={"answer": answer, "note": note.strip()[:200], "answered_at": now},
    )
    return response


@transaction.atomic
def callout_close(*, callout: Callout, now: datetime | None = None) -> Callout:
    if callout.closed_at is None:
        callout.closed_at = now or timezone.now()
        callout.save(update_fields=["closed_at"])
    return callout
