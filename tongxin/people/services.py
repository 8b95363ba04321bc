"""Writes for people and positions; the audited reveal of personal data."""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_edit
from tongxin.audit.models import Action
from tongxin.audit.purposes import purpose_detail, purpose_problem
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor, require_scope
from tongxin.core.roles import Capability
from tongxin.lib import crypto
from tongxin.lib.validators import is_valid_id_card, is_valid_phone
from tongxin.organisations.models import BRANCH_KINDS, PartyOrganisation
from tongxin.people.models import ORGANISATION_POSITIONS, PartyStatus, Person, Position, PositionKind
from tongxin.regions.models import Region

PERSON_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "region",
    "address",
    "employer",
    "party_status",
    "party_joined_on",
    "party_full_on",
    "branch",
)


def find_person_by_id_card(number: str) -> Person | None:

    digest = crypto.lookup_hash(number.strip().upper(), key=settings.FIELD_ENCRYPTION_KEY, purpose="id_card")
    return Person.objects.filter(id_card_hash=digest).first() if digest else None


def person_validate(
    *, data: dict[str, Any], phone: str | None, id_card: str | None, instance: Person | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors.setdefault("name", []).append(_("A name is required."))
    if data.get("region") is None:
        errors.setdefault("region", []).append(_("Choose where the person lives."))
    if phone and not is_valid_phone(phone):
        errors.setdefault("phone", []).append(
            _("Enter an 11-digit mobile number or a landline such as 0512-12345678.")
        )
    if id_card:
        if not is_valid_id_card(id_card):
            errors.setdefault("id_card", []).append(
                _("The ID-card number is not valid (18 characters, check digit).")
            )
        else:
            other = find_person_by_id_card(id_card)
            if other is not None and (instance is None or other.pk != instance.pk):
                errors.setdefault("id_card", []).append(_("Another person already has this ID-card number."))
    status = data.get("party_status") or ""
    if status not in PartyStatus.values:
        errors.setdefault("party_status", []).append(_("Unknown membership status."))
    branch = data.get("branch")
    if branch is not None and not status:
        errors.setdefault("branch", []).append(_("Only a Party member can belong to a branch."))
    if branch is not None and branch.kind not in BRANCH_KINDS:
        errors.setdefault("branch", []).append(_("Choose a branch (党支部 or 网格党支部)."))
    joined, full = data.get("party_joined_on"), data.get("party_full_on")
    if status and joined is None:
        errors.setdefault("party_joined_on", []).append(_("Enter the date the person joined the Party."))
    if full is not None and joined is not None and full < joined:
        errors.setdefault("party_full_on", []).append(_("Full membership cannot come before joining."))
    if status == PartyStatus.PROBATIONARY and full is not None:
        errors.setdefault("party_full_on", []).append(
            _("A probationary member has no full-membership date yet.")
        )
    birth = data.get("birth_date")
    if birth is not None and birth > date.today():
        errors.setdefault("birth_date", []).append(_("The date of birth is in the future."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_create(*, phone: str = "", id_card: str = "", **data: Any) -> Person:
    data = {k: data.get(k) for k in PERSON_FIELDS if k in data}
    person_validate(data=data, phone=phone, id_card=id_card)
    person = Person(**{k: v if v is not None else _blank(k) for k, v in data.items()})
    person.set_phone(phone or "")
    person.set_id_card(id_card or "")
    person.save()
    return person


def _blank(field: str) -> Any:
    return None if field in {"birth_date", "party_joined_on", "party_full_on", "branch", "region"} else ""


def _plain_phone(person: Person) -> str:
    return person.reveal_phone()  # compared and recorded masked by audited_edit, never shown


def _plain_id_card(person: Person) -> str:
    return person.reveal_id_card()


PERSONAL = {"phone": _plain_phone, "id_card": _plain_id_card}


def person_update(
    *, person: Person, actor: Actor, phone: str | None = None, id_card: str | None = None, **data: Any
) -> Person:
    """Change a person's record; a phone or ID card of None keeps the number on record."""
    editing = audited_edit(
        Person, person.pk, actor=actor, fields=PERSON_FIELDS, personal=PERSONAL, region=lambda p: p.region
    )
    with editing as edit:
        person = edit.row
        require_scope(actor, Capability.PEOPLE_EDIT, person.region, data.get("region"))
        merged = {k: getattr(person, k) for k in PERSON_FIELDS}
        merged.update({k: v for k, v in data.items() if k in PERSON_FIELDS})
        person_validate(data=merged, phone=phone, id_card=id_card, instance=person)
        for key, value in merged.items():
            setattr(person, key, value if value is not None else _blank(key))
        if phone is not None:
            person.set_phone(phone)
        if id_card is not None:
            person.set_id_card(id_card)
    return edit.row


def person_reveal(
    *,
    person: Person,
    field: str,
    actor: Actor,
    purpose: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> str:
    """Return a plain phone or ID-card number and record who saw it and why (a stated purpose,
    audit.purposes). Callers check permission."""
    if field not in {"phone", "id_card"}:
        raise ValueError(field)
    problem = purpose_problem(purpose, note)
    if problem:
        raise ValidationError({"purpose": [problem]})
    value = person.reveal_phone() if field == "phone" else person.reveal_id_card()
    audit_record(
        action=Action.REVEAL,
        actor=actor,
        request=request,
        region=person.region,
        target=f"person:{person.pk}",
        detail={"field": field, **purpose_detail(purpose, note)},
    )
    return value


def position_validate(
    *,
    person: Person,
    kind: str,
    region: Region | None,
    organisation: PartyOrganisation | None,
    starts_on: date | None,
    ends_on: date | None,
) -> None:

    errors: dict[str, list[str]] = {}
    if kind not in PositionKind.values:
        errors.setdefault("kind", []).append(_("Unknown position."))
    if starts_on is None:
        errors.setdefault("starts_on", []).append(_("Enter the start date."))
    if starts_on and ends_on and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The end date is before the start date."))
    if kind in ORGANISATION_POSITIONS and organisation is None:
        errors.setdefault("organisation", []).append(_("This position is held in a Party organisation."))
    if region is None and organisation is None:
        errors.setdefault("region", []).append(_("Choose the region or organisation of the position."))
    if (
        organisation is not None
        and region is not None
        and not region.path.startswith(organisation.region.path)
    ):
        errors.setdefault("region", []).append(_("The region does not match the organisation."))
    if kind in {"grid_leader", "grid_worker"} and region is not None and region.level != "grid":
        errors.setdefault("region", []).append(_("A grid leader or grid worker serves a grid."))
    if kind == "building_head" and region is not None and region.level != "building":
        errors.setdefault("region", []).append(_("A building head serves a building."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def position_create(
    *,
    person: Person,
    kind: str,
    starts_on: date,
    region: Region | None = None,
    organisation: PartyOrganisation | None = None,
    ends_on: date | None = None,
) -> Position:
    if region is None and organisation is not None:
        region = organisation.region
    position_validate(
        person=person,
        kind=kind,
        region=region,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    assert region is not None  # position_validate refuses a position without one
    return Position.objects.create(
        person=person,
        kind=kind,
        region=region,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def position_update(*, position: Position, actor: Actor, **changes: Any) -> Position:
    fields = ("kind", "region", "organisation", "starts_on", "ends_on")
    editing = audited_edit(
        Position, position.pk, actor=actor, fields=fields, region=lambda p: p.region, related=("person",)
    )
    with editing as edit:
        position = edit.row
        require_scope(actor, Capability.PEOPLE_EDIT, position.region, position.person.region)
        for key in fields:
            if key in changes:
                setattr(position, key, changes[key])
        if "organisation" in changes and position.organisation_id and not changes.get("region"):
            position.region = position.organisation.region  # type: ignore[union-attr]
        require_scope(actor, Capability.PEOPLE_EDIT, position.region)
        position_validate(
            person=position.person,
            kind=position.kind,
            region=position.region,
            organisation=position.organisation,
            starts_on=position.starts_on,
            ends_on=position.ends_on,
        )
    return edit.row


def position_end(*, position: Position, actor: Actor, ends_on: date) -> Position:
    return position_update(position=position, actor=actor, ends_on=ends_on)
