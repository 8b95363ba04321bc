"""Writes of the 两新 Party facts: one path each. An organisation's record is created for a partner
unit of kind 两新 and changed through the audited edit; posts (示范岗/先锋岗/党员责任区) with their
members; rectification items added and marked done (audited).

Who may: `twonew.manage` at the unit's region (the street or township and the county department)."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_create, audited_edit, known_fields
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor, require_scope
from tongxin.core.roles import Capability
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.people.models import Person
from tongxin.twonew.models import NewOrganisation, Post, PostKind, RectificationItem, Standing

MANAGE = Capability.TWONEW_MANAGE
FACTS = (
    "has_party_organisation",
    "party_organisation",
    "party_since",
    "charter",
    "cross_appointment",
    "instructor",
    "standing",
)


def _check(values: Mapping[str, Any]) -> None:
    known_fields(values, FACTS)
    if "standing" in values and values["standing"] not in Standing.values:
        raise ValidationError({"standing": [_("Choose a status.")]})
    if values.get("party_organisation") is not None and values.get("has_party_organisation") is False:
        raise ValidationError(
            {"party_organisation": [_("An organisation without a Party organisation links none.")]}
        )


def _consistent(org: NewOrganisation) -> None:
    if org.party_organisation_id is not None:
        org.has_party_organisation = True
    if not org.has_party_organisation:
        org.party_since = None
        org.cross_appointment = False
    if org.party_since is not None and org.party_since > date.today():
        raise ValidationError({"party_since": [_("The date cannot lie in the future.")]})


@transaction.atomic
def new_organisation_create(*, actor: Actor, unit: PartnerUnit, **facts: Any) -> NewOrganisation:
    """The Party facts of a 两新 partner unit, recorded for the first time."""
    require_scope(actor, MANAGE, unit.region)
    if unit.kind != UnitKind.NEW_ORGANISATION:
        raise ValidationError({"unit": [_("Only a unit of kind 两新 has these facts.")]})
    if NewOrganisation.objects.filter(unit=unit).exists():
        raise ValidationError({"unit": [_("This unit's facts are already recorded; change them instead.")]})
    _check(facts)
    org = NewOrganisation(unit=unit, **facts)
    _consistent(org)
    org.save()
    audited_create(
        org, actor=actor, region=unit.region, created={"unit": unit.name, "standing": org.standing}
    )
    return org


def new_organisation_update(
    *, actor: Actor, organisation: NewOrganisation, changes: Mapping[str, Any]
) -> NewOrganisation:
    """Change an organisation's Party facts (audited: old and new values, the actor)."""
    require_scope(actor, MANAGE, organisation.unit.region)
    _check(changes)
    with audited_edit(
        NewOrganisation,
        organisation.pk,
        actor=actor,
        fields=FACTS,
        region=lambda o: o.unit.region,
        related=("unit__region",),
    ) as edit:
        edit.set(changes)
        _consistent(edit.row)
    return edit.row


@transaction.atomic
def post_create(
    *, actor: Actor, organisation: NewOrganisation, kind: str, name: str, members: Iterable[Person] = ()
) -> Post:
    """A 示范岗, 先锋岗 or 党员责任区 of the organisation, with its members."""
    require_scope(actor, MANAGE, organisation.unit.region)
    if kind not in PostKind.values:
        raise ValidationError({"kind": [_("Choose the kind of post.")]})
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the name.")]})
    if Post.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError({"name": [_("This organisation already has a post of that name.")]})
    post = Post.objects.create(organisation=organisation, kind=kind, name=name)
    post.members.set(list(members))
    audited_create(
        post,
        actor=actor,
        region=organisation.unit.region,
        created={"name": name, "kind": kind},
        target=f"twonewpost:{post.pk}",
    )
    return post


@transaction.atomic
def rectification_add(
    *, actor: Actor, organisation: NewOrganisation, text: str, deadline: date, owner: Person | None = None
) -> RectificationItem:
    """An item of the organisation's rectification list (整改清单)."""
    require_scope(actor, MANAGE, organisation.unit.region)
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Say what is to be put right.")]})
    if len(text) > 200:
        raise ValidationError({"text": [_("Say it in at most 200 characters.")]})
    item = RectificationItem.objects.create(
        organisation=organisation, text=text[:200], owner=owner, deadline=deadline
    )
    audited_create(
        item,
        actor=actor,
        region=organisation.unit.region,
        created={"text": item.text, "deadline": str(deadline)},
    )
    return item


def rectification_update(
    *, actor: Actor, item: RectificationItem, changes: Mapping[str, Any]
) -> RectificationItem:
    """Mark an item done (its date) or reopen it, move its deadline or owner (audited)."""
    require_scope(actor, MANAGE, item.organisation.unit.region)
    known_fields(changes, ("done_on", "deadline", "owner", "text"))
    done_on = changes.get("done_on")
    if done_on is not None and done_on > date.today():
        raise ValidationError({"done_on": [_("The date cannot lie in the future.")]})
    if "text" in changes and not str(changes["text"] or "").strip():
        raise ValidationError({"text": [_("Say what is to be put right.")]})
    if "deadline" in changes and changes["deadline"] is None:
        raise ValidationError({"deadline": [_("Give the deadline.")]})
    with audited_edit(
        RectificationItem,
        item.pk,
        actor=actor,
        fields=("done_on", "deadline", "owner", "text"),
        region=lambda i: i.organisation.unit.region,
        related=("organisation__unit__region",),
    ) as edit:
        edit.set(changes)
    return edit.row


def post_update(*, actor: Actor, post: Post, changes: Mapping[str, Any]) -> Post:
    """Rename a post or change its kind (audited)."""
    require_scope(actor, MANAGE, post.organisation.unit.region)
    known_fields(changes, ("name", "kind"))
    cleaned = dict(changes)
    if "kind" in cleaned and cleaned["kind"] not in PostKind.values:
        raise ValidationError({"kind": [_("Choose the kind of post.")]})
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"]).strip()
        if not cleaned["name"]:
            raise ValidationError({"name": [_("Give the name.")]})
        taken = Post.objects.filter(organisation_id=post.organisation_id, name=cleaned["name"])
        if taken.exclude(pk=post.pk).exists():
            raise ValidationError({"name": [_("This organisation already has a post of that name.")]})
    with audited_edit(
        Post,
        post.pk,
        actor=actor,
        fields=("name", "kind"),
        region=lambda p: p.organisation.unit.region,
        related=("organisation__unit__region",),
    ) as edit:
        edit.set(cleaned)
    return edit.row


@transaction.atomic
def post_member_add(*, actor: Actor, post: Post, person: Person) -> Post:
    """A member takes a place at the post (示范岗/先锋岗/责任区)."""
    require_scope(actor, MANAGE, post.organisation.unit.region)
    if post.members.filter(pk=person.pk).exists():
        raise ValidationError({"person": [_("This person is already at the post.")]})
    post.members.add(person)
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        region=post.organisation.unit.region,
        target=f"twonewpost:{post.pk}",
        detail={"model": "twonew.Post", "member_added": person.pk},
    )
    return post


@transaction.atomic
def post_member_remove(*, actor: Actor, post: Post, person: Person) -> Post:
    """A member leaves the post."""
    require_scope(actor, MANAGE, post.organisation.unit.region)
    if not post.members.filter(pk=person.pk).exists():
        raise ValidationError({"person": [_("This person is not at the post.")]})
    post.members.remove(person)
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        region=post.organisation.unit.region,
        target=f"twonewpost:{post.pk}",
        detail={"model": "twonew.Post", "member_removed": person.pk},
    )
    return post
