"""Writes to the Party-organisation tree."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_edit
from tongxin.core.actors import Actor, require_scope
from tongxin.core.roles import Capability
from tongxin.lib.tree import child_path, subtree_range
from tongxin.organisations.models import ALLOWED_PARENT_KINDS, BRANCH_KINDS, OrgKind, PartyOrganisation
from tongxin.people.models import PartyStatus, PositionKind
from tongxin.regions.models import Region

# 《中国共产党支部工作条例(试行)》: a branch has 3–50 members; with 7 or more, a committee of 3–5.
BRANCH_MIN_FULL_MEMBERS = 3
BRANCH_MAX_MEMBERS = 50
BRANCH_COMMITTEE_FROM = 7


def organisation_validate(
    *,
    name: str,
    kind: str,
    code: str,
    parent: PartyOrganisation | None,
    region: Region | None,
    instance: PartyOrganisation | None = None,
) -> None:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors.setdefault("name", []).append(_("A name is required."))
    if kind not in OrgKind.values:
        errors.setdefault("kind", []).append(_("Unknown organisation type."))
    if not (code or "").strip():
        errors.setdefault("code", []).append(_("An organisation code is required."))
    else:
        clash = PartyOrganisation.objects.filter(code=code)
        if instance is not None and instance.pk:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.setdefault("code", []).append(_("Another organisation already has this code."))
    if region is None:
        errors.setdefault("region", []).append(_("Choose the region the organisation serves."))
    if parent is not None and kind in OrgKind.values:
        if parent.kind not in ALLOWED_PARENT_KINDS[OrgKind(kind)]:
            errors.setdefault("parent", []).append(
                _("A %(child)s cannot be placed under a %(parent)s.")
                % {"child": OrgKind(kind).label, "parent": parent.get_kind_display()}
            )
        if instance is not None and instance.pk and parent.path.startswith(instance.path):
            errors.setdefault("parent", []).append(_("An organisation cannot be moved under itself."))
        if region is not None and not region.path.startswith(parent.region.path):
            errors.setdefault("region", []).append(
                _("The region must lie within %(region)s, the region of the parent organisation.")
                % {"region": parent.region.name}
            )
    elif parent is None and kind in (
        OrgKind.GROUP,
        OrgKind.BRANCH,
        OrgKind.GRID_BRANCH,
        OrgKind.GENERAL_BRANCH,
    ):
        errors.setdefault("parent", []).append(_("This type of organisation needs a parent organisation."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    code: str,
    region: Region,
    parent: PartyOrganisation | None = None,
    founded_on: date | None = None,
    term_ends_on: date | None = None,
) -> PartyOrganisation:
    organisation_validate(name=name, kind=kind, code=code, parent=parent, region=region)
    org = PartyOrganisation.objects.create(
        name=name.strip(),
        kind=kind,
        code=code.strip(),
        region=region,
        parent=parent,
        depth=(parent.depth + 1) if parent else 0,
        founded_on=founded_on,
        term_ends_on=term_ends_on,
    )
    org.path = child_path(parent.path if parent else "", org.pk)
    PartyOrganisation.objects.filter(pk=org.pk).update(path=org.path)
    return org


ORGANISATION_FIELDS = ("name", "kind", "code", "region", "founded_on", "term_ends_on")


def organisation_update(
    *,
    organisation: PartyOrganisation,
    actor: Actor,
    name: str | None = None,
    kind: str | None = None,
    code: str | None = None,
    region: Region | None = None,
    founded_on: Any = ...,
    term_ends_on: Any = ...,
) -> PartyOrganisation:
    editing = audited_edit(
        PartyOrganisation,
        organisation.pk,
        actor=actor,
        fields=ORGANISATION_FIELDS,
        region=lambda o: o.region,
        related=("region",),
    )
    with editing as edit:
        org = edit.row
        require_scope(actor, Capability.STRUCTURE_EDIT, org.region, region)
        _organisation_change(org, name, kind, code, region, founded_on, term_ends_on)
    return edit.row


def _organisation_change(
    org: PartyOrganisation,
    name: str | None,
    kind: str | None,
    code: str | None,
    region: Region | None,
    founded_on: Any,
    term_ends_on: Any,
) -> None:
    organisation_validate(
        name=name if name is not None else org.name,
        kind=kind or org.kind,
        code=code if code is not None else org.code,
        parent=org.parent,
        region=region or org.region,
        instance=org,
    )
    if name is not None:
        org.name = name.strip()
    if kind:
        org.kind = kind
    if code is not None:
        org.code = code.strip()
    if region is not None:
        org.region = region
    if founded_on is not ...:
        org.founded_on = founded_on
    if term_ends_on is not ...:
        org.term_ends_on = term_ends_on


@transaction.atomic
def organisation_move(*, organisation: PartyOrganisation, new_parent: PartyOrganisation) -> PartyOrganisation:
    org = PartyOrganisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
    organisation_validate(
        name=org.name, kind=org.kind, code=org.code, parent=new_parent, region=org.region, instance=org
    )
    old_path, new_path = org.path, child_path(new_parent.path, org.pk)
    low, high = subtree_range(old_path)
    PartyOrganisation.objects.filter(path__gte=low, path__lt=high).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (new_parent.depth + 1 - org.depth),
    )
    PartyOrganisation.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    return org


def organisation_warnings(org: PartyOrganisation) -> list[str]:
    """Rule checks that are warned about, not enforced: the branch decides, the system reminds."""
    if org.kind not in BRANCH_KINDS:
        return []

    members = org.members.exclude(party_status="")
    total = members.count()
    full = members.filter(party_status=PartyStatus.FULL).count()
    warnings = []
    if full < BRANCH_MIN_FULL_MEMBERS:
        warnings.append(
            _("A branch needs at least %(min)d full members; %(name)s has %(n)d.")
            % {"min": BRANCH_MIN_FULL_MEMBERS, "name": org.name, "n": full}
        )
    if total > BRANCH_MAX_MEMBERS:
        warnings.append(
            _("A branch should have at most %(max)d members; %(name)s has %(n)d. Consider splitting it.")
            % {"max": BRANCH_MAX_MEMBERS, "name": org.name, "n": total}
        )
    if total >= BRANCH_COMMITTEE_FROM:
        today = timezone.localdate()
        committee = (
            org.positions.filter(
                kind__in=[
                    PositionKind.SECRETARY,
                    PositionKind.DEPUTY_SECRETARY,
                    PositionKind.COMMITTEE_MEMBER,
                ],
                starts_on__lte=today,
            )
            .exclude(ends_on__lt=today)
            .values("person")
            .distinct()
            .count()
        )
        if not 3 <= committee <= 5:
            warnings.append(
                _("A branch with %(n)d members should have a committee of 3–5; %(name)s has %(c)d.")
                % {"n": total, "name": org.name, "c": committee}
            )
    return warnings
