"""Writes of households, residents, care tags and 联户 links: one write path each.

Every service takes a keyword-only `actor` and checks the right inside (core.actors.require_scope);
edits go through audit.edits.audited_edit. A household's care tags are sensitive: the audit rows of
their changes and views carry counts and ids, never the tags themselves.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_edit, known_fields
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import SYSTEM, Actor, is_user, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.households.models import (
    GRID_LINK_KINDS,
    HOUSEHOLD_LINK_KINDS,
    CareTag,
    Household,
    HouseholdTag,
    Link,
    LinkKind,
    Relation,
    Residence,
    format_dwelling,
)
from tongxin.lib.tree import ancestor_ids
from tongxin.people.models import Person
from tongxin.regions.models import Level, Region

EDIT = Capability.HOUSEHOLDS_EDIT
TAGS = Capability.CARE_TAGS_VIEW
CONFIGURE = Capability.CARE_TAGS_CONFIGURE

HOUSEHOLD_FIELDS = ("building", "street", "house_number", "unit", "room", "note", "active")
CARE_TAG_FIELDS = ("name", "description", "visit_interval_days", "sort_order", "active")
LINK_FIELDS = ("ends_on", "note")


# ---- households -----------------------------------------------------------------------------------


def full_address(building: Region, street: str, house_number: str, unit: str, room: str) -> str:
    """The GB/T 39609 address: 行政区划 (street → community, from the tree) then the dwelling."""
    ids = ancestor_ids(building.path)
    names = dict(
        Region.objects.filter(
            pk__in=ids, level__in=[Level.COUNTY, Level.STREET, Level.COMMUNITY]
        ).values_list("pk", "name")
    )
    division = "".join(names[pk] for pk in ids if pk in names)
    return division + format_dwelling(street, house_number, unit, room)


def _placement(building: Region) -> tuple[Region, Region]:
    """The place's grid (a building's nearest grid ancestor, a village group's itself) and community."""
    ids = ancestor_ids(building.path)
    above = {r.pk: r for r in Region.objects.filter(pk__in=ids, level__in=[Level.GRID, Level.COMMUNITY])}
    grid = next((above[pk] for pk in reversed(ids) if pk in above and above[pk].level == Level.GRID), None)
    community = next((r for r in above.values() if r.level == Level.COMMUNITY), None)
    if grid is None or community is None:
        raise ValidationError({"building": [_("The building does not belong to a grid of a community.")]})
    return grid, community


def place_error(place: Region | None) -> str | None:
    """Why a household cannot hang under `place`, or None: a household lives in a building, or in a
    village group (村民小组) — a grid with no buildings or smaller grids under it."""
    if place is None or place.level not in (Level.BUILDING, Level.GRID):
        return _("Choose a building, or a village group (a grid without buildings).")
    if place.level == Level.GRID and Region.objects.filter(parent=place).exists():
        return _(
            "%(grid)s has buildings or smaller grids: choose one of its buildings (a household sits "
            "directly under a grid only in a village group without buildings)."
        ) % {"grid": place.name}
    return None


def dwelling_errors(place: Region, *, street: str, house_number: str, unit: str, room: str) -> dict[str, str]:
    """The address parts a place needs: a room in a building; 组 and 门牌号 (no unit or room) in a
    village group."""
    errors: dict[str, str] = {}
    if place.level == Level.GRID:
        if not street.strip():
            errors["street"] = _("Enter the group (组), such as 一组.")
        if not house_number.strip():
            errors["house_number"] = _("Enter the house number (门牌号), such as 23.")
        if unit.strip() or room.strip():
            errors["room"] = _(
                "A household in a village group has a group and a house number, no unit or room."
            )
    elif not room.strip():
        errors["room"] = _("Enter the room (室), such as 502.")
    return errors


def household_validate(*, data: dict[str, Any], instance: Household | None = None) -> None:
    errors: dict[str, list[str]] = {}
    building: Region | None = data.get("building")
    wrong_place = place_error(building)
    if wrong_place or building is None:
        errors.setdefault("building", []).append(wrong_place or "")
    else:
        parts = {k: data.get(k) or "" for k in ("street", "house_number", "unit", "room")}
        for field, message in dwelling_errors(building, **parts).items():
            errors.setdefault(field, []).append(message)
    if building is not None and not errors and data.get("active", True):
        clash = Household.objects.filter(
            building=building,
            house_number=(data.get("house_number") or "").strip(),
            unit=(data.get("unit") or "").strip(),
            room=(data.get("room") or "").strip(),
            active=True,
        )
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            if building.level == Level.GRID:
                errors.setdefault("house_number", []).append(
                    _("This village group already has a household at this house number.")
                )
            else:
                errors.setdefault("room", []).append(
                    _("This building already has a household at this address.")
                )
    if errors:
        raise ValidationError(errors)


def _place(household: Household) -> None:
    household.grid, household.community = _placement(household.building)
    household.region_path = household.building.path
    household.address = full_address(
        household.building, household.street, household.house_number, household.unit, household.room
    )


@transaction.atomic
def household_create(
    *,
    actor: Actor,
    building: Region,
    room: str = "",
    street: str = "",
    house_number: str = "",
    unit: str = "",
    note: str = "",
) -> Household:
    require_scope(actor, EDIT, building)
    data = {"building": building, "street": street, "house_number": house_number, "unit": unit, "room": room}
    household_validate(data=data)
    household = Household(
        building=building,
        street=street.strip(),
        house_number=house_number.strip(),
        unit=unit.strip(),
        room=room.strip(),
        note=note.strip(),
    )
    _place(household)
    household.save()
    return household


@dataclass(frozen=True)
class NewHousehold:
    """One household of a bulk load: its dwelling, its residents (person, relation, moved in on)
    and its care tags."""

    building: Region
    room: str = ""
    street: str = ""
    house_number: str = ""
    unit: str = ""
    residents: tuple[tuple[Person, str, date | None], ...] = ()
    tags: tuple[CareTag, ...] = ()


@transaction.atomic
def households_bulk_create(*, actor: Actor, rows: Iterable[NewHousehold]) -> list[Household]:
    """Many households at once (an import, the demo), checked like household_create and
    residents_settle — a building, a room, one head, no dwelling twice — all or nothing, with one
    audit row of counts (no personal data). Grid, community and address are read once a building."""
    rows = list(rows)
    placed: dict[int, tuple[Region, Region, str]] = {}
    seen: set[tuple[int, str, str, str]] = set()
    errors: list[str] = []
    for n, row in enumerate(rows, start=1):
        building = row.building
        wrong_place = place_error(building) if building.pk not in placed else None
        if wrong_place:
            errors.append(_("Row %(n)s: %(reason)s") % {"n": n, "reason": wrong_place})
            continue
        parts = {"street": row.street, "house_number": row.house_number, "unit": row.unit, "room": row.room}
        wrong_parts = dwelling_errors(building, **parts)
        if wrong_parts:
            errors.extend(_("Row %(n)s: %(reason)s") % {"n": n, "reason": r} for r in wrong_parts.values())
            continue
        if building.pk not in placed:
            require_scope(actor, EDIT, building)
            grid, community = _placement(building)
            placed[building.pk] = (grid, community, full_address(building, "", "", "", ""))
        key = (building.pk, row.house_number.strip(), row.unit.strip(), row.room.strip())
        if key in seen:
            errors.append(_("Row %(n)s: this building already has a household at this address.") % {"n": n})
        seen.add(key)
        if sum(1 for _p, relation, _d in row.residents if relation == Relation.HEAD) > 1:
            errors.append(_("Row %(n)s: the household already has a head.") % {"n": n})
    taken = Household.objects.filter(building_id__in=list(placed), active=True).values_list(
        "building_id", "house_number", "unit", "room"
    )
    if any(tuple(t) in seen for t in taken):
        errors.append(_("This building already has a household at this address."))
    if errors:
        raise ValidationError({"households": errors})
    households = []
    for row in rows:
        grid, community, division = placed[row.building.pk]
        dwelling = format_dwelling(row.street, row.house_number, row.unit, row.room)
        households.append(
            Household(
                building=row.building,
                grid=grid,
                community=community,
                region_path=row.building.path,
                street=row.street.strip(),
                house_number=row.house_number.strip(),
                unit=row.unit.strip(),
                room=row.room.strip(),
                address=division + dwelling,
            )
        )
    made = Household.objects.bulk_create(households, batch_size=1000)
    Residence.objects.bulk_create(
        [
            Residence(household=h, person=p, relation=r, moved_in_on=d)
            for h, row in zip(made, rows, strict=True)
            for p, r, d in row.residents
        ],
        batch_size=1000,
    )
    HouseholdTag.objects.bulk_create(
        [
            HouseholdTag(household=h, tag=t, added_by=user_or_none(actor))
            for h, row in zip(made, rows, strict=True)
            for t in row.tags
        ],
        batch_size=1000,
    )
    if made:
        audit_record(
            action=Action.IMPORT,
            actor=actor,
            region=None,
            target="households",
            detail={
                "model": "households.Household",
                "added": len(made),
                "residents": sum(len(r.residents) for r in rows),
                "tagged": sum(1 for r in rows if r.tags),
            },
        )
    return made


def household_update(*, household: Household, actor: Actor, **changes: Any) -> Household:
    """Change a household's address, note or active flag (moving it re-reads grid and community)."""
    known_fields(changes, HOUSEHOLD_FIELDS)
    editing = audited_edit(
        Household,
        household.pk,
        actor=actor,
        fields=HOUSEHOLD_FIELDS,
        region=lambda h: h.grid,
        related=["building"],
    )
    with editing as edit:
        row = edit.row
        require_scope(actor, EDIT, row.building, changes.get("building"))
        edit.set(changes)
        household_validate(data={k: getattr(row, k) for k in HOUSEHOLD_FIELDS}, instance=row)
        _place(row)
    return edit.row


def household_view_recorded(
    *, household: Household, actor: Actor, request: HttpRequest | None = None
) -> None:
    """Record a view of a tagged household's detail (PIPL art. 28): who and which household, no data."""
    audit_record(
        action=Action.HOUSEHOLD_VIEWED,
        actor=actor,
        request=request,
        region=household.grid,
        target=f"household:{household.pk}",
    )


# ---- residents ------------------------------------------------------------------------------------


@transaction.atomic
def residence_add(
    *,
    household: Household,
    person: Person,
    actor: Actor,
    relation: str = Relation.OTHER,
    moved_in_on: date | None = None,
) -> Residence:
    require_scope(actor, EDIT, household.building)
    require_scope(actor, Capability.PEOPLE_VIEW, person.region)
    errors: dict[str, list[str]] = {}
    if relation not in Relation.values:
        errors["relation"] = [_("Choose the relation to the head of the household.")]
    if household.residences.filter(person=person, moved_out_on__isnull=True).exists():
        errors["person"] = [_("%(name)s already lives in this household.") % {"name": person.name}]
    if (
        relation == Relation.HEAD
        and household.residences.filter(relation=Relation.HEAD, moved_out_on__isnull=True).exists()
    ):
        errors["relation"] = [_("The household already has a head.")]
    if errors:
        raise ValidationError(errors)
    residence = Residence.objects.create(
        household=household, person=person, relation=relation, moved_in_on=moved_in_on
    )
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        region=household.grid,
        target=f"household:{household.pk}",
        detail={"model": "households.Residence", "added": residence.pk},
    )
    return residence


@transaction.atomic
def residents_settle(
    *, household: Household, actor: Actor, residents: Iterable[tuple[Person, str, date | None]]
) -> list[Residence]:
    """Record several people living in a household at once (an import, the demo): one audit row.
    Each is (person, relation, moved in on); someone already living there is refused."""
    require_scope(actor, EDIT, household.building)
    rows = list(residents)
    people = [person for person, _relation, _day in rows]
    errors: list[str] = []
    if len({p.pk for p in people}) != len(people):
        errors.append(_("A person is listed twice."))
    if any(relation not in Relation.values for _p, relation, _d in rows):
        errors.append(_("Choose the relation to the head of the household."))
    heads = sum(1 for _p, relation, _d in rows if relation == Relation.HEAD)
    current = household.residences.filter(moved_out_on__isnull=True)
    if heads > 1 or (heads and current.filter(relation=Relation.HEAD).exists()):
        errors.append(_("The household already has a head."))
    if current.filter(person__in=people).exists():
        errors.append(_("Someone listed already lives in this household."))
    if errors:
        raise ValidationError({"residents": errors})
    created = Residence.objects.bulk_create(
        [Residence(household=household, person=p, relation=r, moved_in_on=d) for p, r, d in rows]
    )
    if created:
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=household.grid,
            target=f"household:{household.pk}",
            detail={"model": "households.Residence", "added": len(created)},
        )
    return created


def residence_end(*, residence: Residence, actor: Actor, moved_out_on: date) -> Residence:
    """The person moved out on `moved_out_on` (the row stays: who lived there is history)."""
    editing = audited_edit(
        Residence,
        residence.pk,
        actor=actor,
        fields=("moved_out_on",),
        region=lambda r: r.household.grid,
        related=["household__building", "household__grid"],
    )
    with editing as edit:
        row = edit.row
        require_scope(actor, EDIT, row.household.building)
        if row.moved_in_on is not None and moved_out_on < row.moved_in_on:
            raise ValidationError({"moved_out_on": [_("The move-out date is before the move-in date.")]})
        row.moved_out_on = moved_out_on
    return edit.row


# ---- care tags on a household ---------------------------------------------------------------------


@transaction.atomic
def household_set_tags(*, household: Household, actor: Actor, tags: Iterable[CareTag]) -> tuple[int, int]:
    """Make the household's care tags exactly `tags`; returns (added, removed). Sensitive: only a
    user whose `care_tags.view` reaches the household sets them, and the audit row counts."""
    require_scope(actor, TAGS, household.building)
    require_scope(actor, EDIT, household.building)
    wanted = {t.pk: t for t in tags}
    for tag in wanted.values():
        if not tag.active or (
            tag.region_id is not None and tag.region_id not in ancestor_ids(household.region_path)
        ):
            raise ValidationError({"tags": [_("This care tag is not in use here.")]})
    current = set(household.tags.values_list("tag_id", flat=True))
    removed = current - set(wanted)
    added = set(wanted) - current
    if removed:
        household.tags.filter(tag_id__in=removed).delete()
    HouseholdTag.objects.bulk_create(
        [HouseholdTag(household=household, tag=wanted[pk], added_by=user_or_none(actor)) for pk in added]
    )
    if added or removed:
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=household.grid,
            target=f"household:{household.pk}",
            detail={"model": "households.HouseholdTag", "added": len(added), "removed": len(removed)},
        )
    return len(added), len(removed)


# ---- care tag configuration -----------------------------------------------------------------------


def care_tag_validate(*, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = [_("Enter the tag's name.")]
    interval = data.get("visit_interval_days")
    if interval is not None and not 1 <= interval <= 366:
        errors["visit_interval_days"] = [_("A visit interval is between 1 and 366 days.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def care_tag_create(
    *,
    actor: Actor,
    region: Region,
    code: str,
    name: str,
    description: str = "",
    visit_interval_days: int | None = None,
    sort_order: int = 100,
    active: bool = True,
) -> CareTag:
    """A street's or community's own tag, or its override of a tag above it (same code)."""
    require_scope(actor, CONFIGURE, region)
    if region.level not in (Level.STREET, Level.COMMUNITY):
        raise ValidationError({"region": [_("Care tags are configured by a street or a community.")]})
    code = code.strip().lower()
    data = {"name": name, "visit_interval_days": visit_interval_days}
    care_tag_validate(data=data)
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        raise ValidationError(
            {"code": [_("A code is lower-case letters, digits and _, such as living_alone.")]}
        )
    if CareTag.objects.filter(region=region, code=code).exists():
        raise ValidationError(
            {"code": [_("%(node)s already has a tag with this code.") % {"node": region.name}]}
        )
    tag = CareTag.objects.create(
        region=region,
        code=code,
        name=name.strip(),
        description=description.strip(),
        visit_interval_days=visit_interval_days,
        sort_order=sort_order,
        active=active,
    )
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        region=region,
        target=f"caretag:{tag.pk}",
        detail={"model": "households.CareTag", "created": tag.code},
    )
    return tag


def care_tag_update(*, tag: CareTag, actor: Actor, **changes: Any) -> CareTag:
    """Change a tag kept at a street or community (a default is changed by overriding it)."""
    known_fields(changes, CARE_TAG_FIELDS)
    editing = audited_edit(CareTag, tag.pk, actor=actor, fields=CARE_TAG_FIELDS, region=lambda t: t.region)
    with editing as edit:
        row = edit.row
        if row.region is None:
            if actor != SYSTEM:
                raise PermissionDenied
        else:
            require_scope(actor, CONFIGURE, row.region)
        edit.set(changes)
        care_tag_validate(data={k: getattr(row, k) for k in CARE_TAG_FIELDS})
    return edit.row


def care_tag_override(*, actor: Actor, region: Region, tag: CareTag, **changes: Any) -> CareTag:
    """Change a tag in force at `region`: the row kept there, or a new row there with its code."""
    if tag.region_id == region.pk:
        return care_tag_update(tag=tag, actor=actor, **changes)
    known_fields(changes, CARE_TAG_FIELDS)
    values = {k: getattr(tag, k) for k in CARE_TAG_FIELDS} | changes
    return care_tag_create(
        actor=actor,
        region=region,
        code=tag.code,
        description=tag.description,
        **{k: v for k, v in values.items() if k != "description"},
    )


# ---- links ----------------------------------------------------------------------------------------


def link_validate(
    *,
    kind: str,
    region: Region | None,
    households: list[Household],
    grids: list[Region],
    partner: Person | None,
    starts_on: date | None,
    ends_on: date | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in LinkKind.values:
        errors["kind"] = [_("Choose the kind of link.")]
    if starts_on is None:
        errors["starts_on"] = [_("Enter the start date.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The end date is before the start date.")]
    if region is None or region.level not in (Level.STREET, Level.COMMUNITY, Level.GRID):
        errors["region"] = [_("A link is kept at a street, a community or a grid.")]
    if kind in HOUSEHOLD_LINK_KINDS and not households:
        errors["households"] = [_("Choose the households of this link.")]
    if kind in GRID_LINK_KINDS and not grids:
        errors["grids"] = [_("Choose the grids of this link.")]
    if kind in HOUSEHOLD_LINK_KINDS and grids:
        errors["grids"] = [_("A 十联户 or 党员联户 link names households, not grids.")]
    if kind in GRID_LINK_KINDS and households:
        errors["households"] = [_("A 干部联网格 or 1+1 link names grids, not households.")]
    if kind == LinkKind.PAIRED_WORKERS and partner is None:
        errors["partner"] = [_("Choose the member paired with the grid worker.")]
    if kind != LinkKind.PAIRED_WORKERS and partner is not None:
        errors["partner"] = [_("Only a 1+1 link pairs two people.")]
    if region is not None:
        outside = [h for h in households if not h.region_path.startswith(region.path)]
        outside += [g for g in grids if g.level != Level.GRID or not g.path.startswith(region.path)]  # type: ignore[misc]
        if outside:
            errors["region"] = [
                _("Every household and grid of the link lies inside the place it is kept at.")
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def link_create(
    *,
    actor: Actor,
    kind: str,
    person: Person,
    region: Region,
    starts_on: date,
    households: Iterable[Household] = (),
    grids: Iterable[Region] = (),
    partner: Person | None = None,
    ends_on: date | None = None,
    note: str = "",
) -> Link:
    require_scope(actor, EDIT, region)
    require_scope(actor, Capability.PEOPLE_VIEW, person.region, partner.region if partner else None)
    households, grids = list(households), list(grids)
    link_validate(
        kind=kind,
        region=region,
        households=households,
        grids=grids,
        partner=partner,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    link = Link.objects.create(
        kind=kind,
        person=person,
        partner=partner,
        region=region,
        region_path=region.path,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip(),
    )
    if households:
        link.households.set(households)
    if grids:
        link.grids.set(grids)
    audit_record(
        action=Action.RECORD_CHANGED,
        actor=actor,
        region=region,
        target=f"link:{link.pk}",
        detail={
            "model": "households.Link",
            "created": kind,
            "households": len(households),
            "grids": len(grids),
        },
    )
    return link


def link_end(*, link: Link, actor: Actor, ends_on: date) -> Link:
    """The link ends on `ends_on` (kept: who looked after whom is history)."""
    editing = audited_edit(
        Link, link.pk, actor=actor, fields=LINK_FIELDS, region=lambda k: k.region, related=["region"]
    )
    with editing as edit:
        row = edit.row
        require_scope(actor, EDIT, row.region)
        if ends_on < row.starts_on:
            raise ValidationError({"ends_on": [_("The end date is before the start date.")]})
        row.ends_on = ends_on
    return edit.row


def may_see_tags(actor: Actor, household: Household) -> bool:
    return is_user(actor) and scope_for(actor, TAGS).contains(household.region_path)
