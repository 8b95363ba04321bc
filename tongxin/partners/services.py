"""Writes to partner units, alliances, pairings and agreements.

Every service takes the acting account and checks that it keeps co-building (partners.manage)
for the region concerned; `actor=SYSTEM` is the system itself (demo data, imports).
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.audit.edits import audited_edit, known_fields
from tongxin.core.actors import SYSTEM, Actor, user_or_none
from tongxin.core.roles import Role
from tongxin.notifications.recipients import community_officials, liaisons_of
from tongxin.notifications.services import notify, notify_on_commit
from tongxin.organisations.models import PartyOrganisation
from tongxin.partners.files import document_check
from tongxin.partners.models import (
    Agreement,
    Alliance,
    AllianceKind,
    AllianceMember,
    MeetingInterval,
    MemberRole,
    Pairing,
    PartnerUnit,
    UnitKind,
)
from tongxin.partners.selectors import agreements_in_force, forget_reach, reach_for, rules_current
from tongxin.people.models import Person
from tongxin.regions.models import Level, Region

UNIT_LEVELS = {Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY}
ALLIANCE_LEVELS = {Level.COUNTY, Level.STREET, Level.COMMUNITY}
PAIRING_LEVELS = {Level.STREET, Level.COMMUNITY}


def require_manage(actor: Actor, region: Region | None) -> None:
    """Refuse an account that does not keep co-building for `region` (the system acts anywhere)."""
    if actor == SYSTEM:
        return
    if not reach_for(actor).manages(region):
        raise PermissionDenied(_("You do not keep co-building for this area."))


M = TypeVar("M", bound=Model)


def _errors() -> dict[str, list[str]]:
    return {}


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _name_taken(model: type[Model], name: str, region: Region, instance: Model | None) -> bool:
    """Whether another record of `model` (a unit, an alliance) has this name in `region`."""
    clash = model._default_manager.filter(name=name.strip(), region=region)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    return clash.exists()


def _term_end(locked: M, started: str, ended: str, on: date | None, too_early: str) -> M:
    """End a locked term (a seat, a pairing) on `on`, by default today, never before it began."""
    on = on or timezone.localdate()
    if on < getattr(locked, started):
        raise ValidationError({ended: [too_early]})
    setattr(locked, ended, on)
    locked.save(update_fields=[ended])
    return locked


# ---- partner units --------------------------------------------------------------------------------


def unit_validate(
    *,
    name: str,
    kind: str,
    region: Region | None,
    instance: PartnerUnit | None = None,
) -> None:
    errors = _errors()
    if not (name or "").strip():
        _add(errors, "name", _("A name is required."))
    if kind not in UnitKind.values:
        _add(errors, "kind", _("Unknown kind of unit."))
    if region is None or region.level not in UNIT_LEVELS:
        _add(errors, "region", _("Choose the city, county, street or community where the unit sits."))
    elif name and _name_taken(PartnerUnit, name, region, instance):
        _add(errors, "name", _("A unit of this name is already registered here."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def unit_create(
    *,
    name: str,
    kind: str,
    region: Region,
    actor: Actor,
    party_organisation: PartyOrganisation | None = None,
    address: str = "",
    red_property: bool = False,
    joined_on: date | None = None,
    description: str = "",
) -> PartnerUnit:
    require_manage(actor, region)
    unit_validate(name=name, kind=kind, region=region)
    return PartnerUnit.objects.create(
        name=name.strip(),
        kind=kind,
        region=region,
        party_organisation=party_organisation,
        address=address.strip(),
        red_property=red_property and kind == UnitKind.PROPERTY_FIRM,
        joined_on=joined_on or timezone.localdate(),
        description=description.strip(),
    )


UNIT_FIELDS = {
    "name",
    "kind",
    "region",
    "party_organisation",
    "address",
    "red_property",
    "joined_on",
    "description",
    "active",
}


def unit_update(*, unit: PartnerUnit, actor: Actor, **changes: Any) -> PartnerUnit:
    known_fields(changes, UNIT_FIELDS)
    fields = sorted(UNIT_FIELDS | {"red_property"})
    with audited_edit(PartnerUnit, unit.pk, actor=actor, fields=fields, region=lambda u: u.region) as edit:
        locked = edit.row
        require_manage(actor, locked.region)
        if "region" in changes:
            require_manage(actor, changes["region"])
        edit.set(changes)
        if locked.kind != UnitKind.PROPERTY_FIRM:
            locked.red_property = False
        unit_validate(name=locked.name, kind=locked.kind, region=locked.region, instance=locked)
    return edit.row


def _liaison_role_held(user: User) -> bool:
    return user.role_assignments.filter(role=Role.PARTNER_LIAISON).exists()


@transaction.atomic
def unit_liaisons_set(*, unit: PartnerUnit, liaisons: Iterable[User], actor: Actor) -> PartnerUnit:
    """Name the accounts that speak for the unit. Each must hold the partner-liaison role."""
    locked = PartnerUnit.objects.select_for_update(of=("self",)).get(pk=unit.pk)
    require_manage(actor, locked.region)
    accounts = list(liaisons)
    wrong = [a.username for a in accounts if not _liaison_role_held(a)]
    if wrong:
        raise ValidationError(
            {
                "liaisons": [
                    _("%(names)s do not hold the partner-liaison role; grant it first.")
                    % {"names": "、".join(wrong)}
                ]
            }
        )
    before = set(locked.liaisons.values_list("pk", flat=True))
    locked.liaisons.set(accounts)
    for account in accounts:
        forget_reach(account)
    added = [a for a in accounts if a.pk not in before]
    if added:
        notify_on_commit(
            users=lambda: added,
            event_key=f"unit-liaison:{locked.pk}:{timezone.now():%Y%m%d%H%M%S}",
            title=_("You now speak for %(unit)s in co-building.") % {"unit": locked.name},
            url=locked.get_absolute_url(),
        )
    return locked


# ---- alliances ------------------------------------------------------------------------------------


def alliance_validate(
    *, name: str, kind: str, region: Region | None, meeting_interval: int, instance: Alliance | None = None
) -> None:
    errors = _errors()
    if not (name or "").strip():
        _add(errors, "name", _("A name is required."))
    if kind not in AllianceKind.values:
        _add(errors, "kind", _("Unknown kind of alliance."))
    if meeting_interval not in MeetingInterval.values:
        _add(errors, "meeting_interval", _("Choose how often the alliance meets."))
    if region is None or region.level not in ALLIANCE_LEVELS:
        _add(errors, "region", _("An alliance serves a community, a street or a county."))
    elif kind == AllianceKind.BIG_COMMITTEE and region.level != Level.COMMUNITY:
        _add(errors, "region", _("A 大党委 belongs to a community."))
    if region is not None and name and _name_taken(Alliance, name, region, instance):
        _add(errors, "name", _("An alliance of this name already exists here."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def alliance_create(
    *,
    name: str,
    kind: str,
    region: Region,
    actor: Actor,
    founded_on: date,
    organisation: PartyOrganisation | None = None,
    meeting_interval: int = MeetingInterval.QUARTERLY,
    description: str = "",
) -> Alliance:
    require_manage(actor, region)
    alliance_validate(name=name, kind=kind, region=region, meeting_interval=meeting_interval)
    return Alliance.objects.create(
        name=name.strip(),
        kind=kind,
        region=region,
        organisation=organisation,
        meeting_interval=meeting_interval,
        founded_on=founded_on,
        description=description.strip(),
    )


ALLIANCE_FIELDS = {"name", "kind", "organisation", "meeting_interval", "founded_on", "description", "active"}


def alliance_update(*, alliance: Alliance, actor: Actor, **changes: Any) -> Alliance:
    known_fields(changes, ALLIANCE_FIELDS)
    fields = sorted(ALLIANCE_FIELDS)
    with audited_edit(Alliance, alliance.pk, actor=actor, fields=fields, region=lambda a: a.region) as edit:
        locked = edit.row
        require_manage(actor, locked.region)
        edit.set(changes)
        alliance_validate(
            name=locked.name,
            kind=locked.kind,
            region=locked.region,
            meeting_interval=locked.meeting_interval,
            instance=locked,
        )
    return edit.row


@transaction.atomic
def alliance_member_add(
    *,
    alliance: Alliance,
    actor: Actor,
    role: str = MemberRole.UNIT,
    joined_on: date | None = None,
    unit: PartnerUnit | None = None,
    organisation: PartyOrganisation | None = None,
    person: Person | None = None,
) -> AllianceMember:
    """Seat a partner unit (or the host's own Party organisation) on the alliance."""
    require_manage(actor, alliance.region)
    errors = _errors()
    if role not in MemberRole.values:
        _add(errors, "role", _("Unknown role."))
    if (unit is None) == (organisation is None):
        _add(errors, "unit", _("Choose either a partner unit or a Party organisation."))
    if unit is not None and not unit.active:
        _add(errors, "unit", _("This unit no longer takes part in co-building."))
    if (
        unit is not None
        and AllianceMember.objects.filter(alliance=alliance, unit=unit, left_on__isnull=True).exists()
    ):
        _add(errors, "unit", _("This unit already sits on the alliance."))
    if (
        role == MemberRole.SECRETARY
        and alliance.members.filter(role=MemberRole.SECRETARY, left_on__isnull=True).exists()
    ):
        _add(errors, "role", _("The alliance already has a secretary; end that seat first."))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            member = AllianceMember.objects.create(
                alliance=alliance,
                unit=unit,
                organisation=organisation,
                person=person,
                role=role,
                joined_on=joined_on or timezone.localdate(),
            )
    except IntegrityError:  # the same unit seated twice at the same moment
        raise ValidationError({"unit": [_("This unit already sits on the alliance.")]})
    if unit is not None:
        for liaison in unit.liaisons.all():
            forget_reach(liaison)
    return member


@transaction.atomic
def alliance_member_end(
    *, member: AllianceMember, actor: Actor, left_on: date | None = None
) -> AllianceMember:
    locked = (
        AllianceMember.objects.select_for_update(of=("self",))
        .select_related("alliance__region")
        .get(pk=member.pk)
    )
    require_manage(actor, locked.alliance.region)
    return _term_end(locked, "joined_on", "left_on", left_on, _("A seat cannot end before it began."))


# ---- pairings and agreements ----------------------------------------------------------------------


@transaction.atomic
def pairing_create(
    *,
    unit: PartnerUnit,
    region: Region,
    actor: Actor,
    started_on: date,
    host_organisation: PartyOrganisation | None = None,
    note: str = "",
) -> Pairing:
    """结对共建: pair a unit with a community or a street."""
    require_manage(actor, region)
    errors = _errors()
    if region.level not in PAIRING_LEVELS:
        _add(errors, "region", _("A unit pairs with a community or a street."))
    if not unit.active:
        _add(errors, "unit", _("This unit no longer takes part in co-building."))
    if Pairing.objects.filter(unit=unit, region=region, ended_on__isnull=True).exists():
        _add(errors, "unit", _("This unit is already paired with %(region)s.") % {"region": region.name})
    if errors:
        raise ValidationError(errors)
    pairing = Pairing.objects.create(
        unit=unit,
        region=region,
        host_organisation=host_organisation,
        started_on=started_on,
        note=note.strip(),
    )
    for liaison in unit.liaisons.all():
        forget_reach(liaison)
    return pairing


@transaction.atomic
def pairing_end(*, pairing: Pairing, actor: Actor, ended_on: date | None = None) -> Pairing:
    locked = Pairing.objects.select_for_update(of=("self",)).select_related("region").get(pk=pairing.pk)
    require_manage(actor, locked.region)
    return _term_end(locked, "started_on", "ended_on", ended_on, _("A pairing cannot end before it began."))


@transaction.atomic
def agreement_add(
    *,
    pairing: Pairing,
    actor: Actor,
    title: str,
    signed_on: date,
    starts_on: date,
    ends_on: date,
    commitments: str,
    upload: Any = None,
) -> Agreement:
    """Record the signed agreement (共建协议) of a pairing; a later one renews it."""
    require_manage(actor, pairing.region)
    errors = _errors()
    if not (title or "").strip():
        _add(errors, "title", _("A title is required."))
    if not (commitments or "").strip():
        _add(errors, "commitments", _("Write down what each side commits to."))
    if starts_on and ends_on and ends_on < starts_on:
        _add(errors, "ends_on", _("The term cannot end before it starts."))
    if signed_on and ends_on and signed_on > ends_on:
        _add(errors, "signed_on", _("The agreement cannot be signed after its term ends."))
    content_type = document_check(upload, errors)
    if errors:
        raise ValidationError(errors)
    agreement = Agreement(
        pairing=pairing,
        title=title.strip(),
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        commitments=commitments.strip(),
        uploaded_by=user_or_none(actor),
    )
    if upload:
        agreement.content_type = content_type
        agreement.file_name = str(getattr(upload, "name", ""))[:200]
        agreement.size = upload.size
        agreement.file.save(agreement.file_name or "agreement", upload, save=False)
    agreement.save()
    return agreement


def agreements_remind_due(*, now: datetime | None = None) -> int:
    """Tell the unit's liaisons and the community's officials of each agreement about to end (once)."""

    now = now or timezone.now()
    today = timezone.localdate(now)
    window = rules_current().agreement_warn_days
    due = (
        agreements_in_force()
        .filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=window))
        .select_related("pairing__unit", "pairing__region")
    )
    count = 0
    for agreement in due:
        pairing = agreement.pairing
        users = liaisons_of(pairing.unit) + community_officials(pairing.region)
        if not users:
            continue
        count += notify(
            users=users,
            event_key=f"agreement-due:{agreement.pk}",
            title=_("The co-building agreement of %(unit)s with %(region)s ends on %(day)s.")
            % {
                "unit": pairing.unit.name,
                "region": pairing.region.name,
                "day": agreement.ends_on.isoformat(),
            },
            body=agreement.commitments[:500],
            url=pairing.get_absolute_url(),
            now=now,
        )
    return count
