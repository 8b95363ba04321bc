"""Writes of estates: one path each. Who may: `estates.manage` at the estate's community (the street
for the firm's evaluation score), `estates.configure` at a street or the county for the rules; SYSTEM
for the demo and commands. Each write checks its own right
and its input, and refuses with a clear ValidationError."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.edits import Change, audited_edit
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import Actor, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.estates.defaults import ESTATE_RULES, SUBSIDY_RULES
from tongxin.estates.models import (
    BuildingHeadDuty,
    CommitteeMember,
    CommitteeRole,
    DutyKind,
    EntryKind,
    Estate,
    EstateRules,
    FirmEvaluation,
    FundEntry,
    FundProject,
    Grade,
    GroupFund,
    HeadAssessment,
    JointMeeting,
    OwnersCommittee,
    ProjectLocation,
    RunStatus,
    SubsidyRow,
    SubsidyRules,
    SubsidyRun,
)
from tongxin.lists.models import Project
from tongxin.meetings.models import Meeting
from tongxin.organisations.models import PartyOrganisation
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.people.models import Person, Position, PositionKind
from tongxin.regions.models import Level, Region

VIEW = Capability.ESTATES_VIEW
MANAGE = Capability.ESTATES_MANAGE
CONFIGURE = Capability.ESTATES_CONFIGURE
CENT = Decimal("0.01")


# ---- configuration -------------------------------------------------------------------------------


RulesT = TypeVar("RulesT", EstateRules, SubsidyRules)

ESTATE_FIELDS = (
    "red_if_director_member",
    "red_member_share",
    "weight_resolution",
    "weight_satisfaction",
    "weight_in_time",
    "weight_tasks",
    "weight_duty",
    "subjective_share",
    "gold_threshold",
    "gold_min_cases",
    "gold_requires_red",
    "case_radius_m",
)
WEIGHT_FIELDS = ("weight_resolution", "weight_satisfaction", "weight_in_time", "weight_tasks", "weight_duty")
SUBSIDY_FIELDS = (
    "base_amount",
    "per_item",
    "item_cap",
    "factor_excellent",
    "factor_competent",
    "factor_basic",
    "factor_incompetent",
    "factor_unassessed",
)
FACTOR_FIELDS = SUBSIDY_FIELDS[3:]
MAX_FACTOR = Decimal(2)


def _depth(rules: EstateRules | SubsidyRules) -> int:
    return 0 if rules.region is None else rules.region.path.count("/")


def rules_in_force(rows: Iterable[RulesT], day: date, place: str | None) -> RulesT | None:
    """Of `rows` (with their regions), the version in force at `place` on `day`: the place's own
    street's versions before the county's, the county's before the built-in default; within one place,
    the latest valid on `day` (the newest saved on a tie). Without a place: the county's or the default."""
    found: RulesT | None = None
    for rules in rows:
        if rules.valid_from > day:
            continue
        region = rules.region
        if region is not None:
            if place is None:
                if region.level != Level.COUNTY:
                    continue
            elif not place.startswith(region.path):
                continue
        key = (_depth(rules), rules.valid_from, rules.pk or 0)
        if found is None or key > (_depth(found), found.valid_from, found.pk or 0):
            found = rules
    return found


def _candidates(model: type[RulesT], place: Region | None) -> list[RulesT]:
    ids = [int(i) for i in place.path.strip("/").split("/")] if place is not None else []
    where = Q(region__isnull=True) | Q(region__level=Level.COUNTY) | Q(region_id__in=ids)
    return list(model.objects.filter(where).select_related("region"))


def estate_rules_for(day: date, place: Region | None = None) -> EstateRules:
    """The estate rules in force on `day` at `place` (see rules_in_force), else the default."""
    path = place.path if place is not None else None
    return rules_in_force(_candidates(EstateRules, place), day, path) or EstateRules(**ESTATE_RULES)


def subsidy_rules_for(day: date, place: Region | None = None) -> SubsidyRules:
    path = place.path if place is not None else None
    return rules_in_force(_candidates(SubsidyRules, place), day, path) or SubsidyRules(**SUBSIDY_RULES)


def _saved_subsidy_rules(day: date, place: Region | None = None) -> SubsidyRules:
    rules = subsidy_rules_for(day, place)
    if rules.pk is None:
        rules, _created = SubsidyRules.objects.get_or_create(
            version=SUBSIDY_RULES["version"], defaults=SUBSIDY_RULES
        )
    return rules


def _rules_place(actor: Actor, place: Region) -> None:
    if place.level not in (Level.STREET, Level.COUNTY):
        raise ValidationError({"place": [_("Rules are set for a street or for the whole county.")]})
    require_scope(actor, CONFIGURE, place)


def _first_day(valid_from: date | None, today: date) -> dict[str, list[str]]:
    if valid_from is None:
        return {"valid_from": [_("Give the day the new rules start.")]}
    if valid_from < date(today.year, 1, 1):
        return {
            "valid_from": [
                _(
                    "New rules start on 1 January %(year)s or later: the evaluations and subsidies of "
                    "past years stay as they were."
                )
                % {"year": today.year}
            ]
        }
    return {}


def _version(prefix: str, model: type[RulesT], place: Region, valid_from: date) -> str:
    stem = f"{prefix}{place.pk}-{valid_from:%Y%m%d}"
    n = model.objects.filter(version__startswith=stem).count() + 1
    return f"{stem}-{n}"


def _between(
    errors: dict[str, list[str]], values: dict[str, Any], key: str, low: Decimal, high: Decimal | None
) -> None:
    value = values.get(key)
    if value is None:
        errors.setdefault(key, []).append(_("Give a value."))
    elif value < low or (high is not None and value > high):
        errors.setdefault(key, []).append(
            _("Give a value between %(low)s and %(high)s.") % {"low": low, "high": high}
            if high is not None
            else _("Give a value of %(low)s or more.") % {"low": low}
        )


def estate_rules_set(
    *,
    actor: Actor,
    place: Region,
    valid_from: date,
    values: dict[str, Any],
    source: str = "",
    today: date | None = None,
) -> EstateRules:
    """A new version of the estate rules for a street (or the county's, for all its streets) from
    `valid_from` (this year or later: past years' evaluations are never rewritten). Earlier versions
    stay on record."""
    _rules_place(actor, place)
    today = today or timezone.localdate()
    errors = _first_day(valid_from, today)
    for key in WEIGHT_FIELDS:
        _between(errors, values, key, Decimal(0), Decimal(100))
    weights = sum(int(values[k]) for k in WEIGHT_FIELDS) if not errors else 100
    if weights != 100:
        errors.setdefault("weight_duty", []).append(
            _("The five weights add up to 100 (now %(sum)s).") % {"sum": weights}
        )
    share = values.get("red_member_share")
    if share is None or not (Decimal(0) < share <= Decimal(1)):
        errors.setdefault("red_member_share", []).append(_("A share above 0 and at most 1 (0.5 is half)."))
    _between(errors, values, "subjective_share", Decimal(0), Decimal(1))
    _between(errors, values, "gold_threshold", Decimal(0), Decimal(100))
    _between(errors, values, "gold_min_cases", Decimal(0), None)
    _between(errors, values, "case_radius_m", Decimal(1), Decimal(1000))
    if errors:
        raise ValidationError(errors)
    return _rules_save(
        EstateRules,
        "e",
        ESTATE_FIELDS,
        actor=actor,
        place=place,
        valid_from=valid_from,
        values=values,
        source=source,
    )


def subsidy_rules_set(
    *,
    actor: Actor,
    place: Region,
    valid_from: date,
    values: dict[str, Any],
    source: str = "",
    today: date | None = None,
) -> SubsidyRules:
    """A new version of the building heads' subsidy rules for a street (or the county) from
    `valid_from`. Approved runs keep the rules they were computed with; a draft run takes the rules in
    force for its year when computed again."""
    _rules_place(actor, place)
    today = today or timezone.localdate()
    errors = _first_day(valid_from, today)
    _between(errors, values, "base_amount", Decimal(0), None)
    _between(errors, values, "per_item", Decimal(0), None)
    _between(errors, values, "item_cap", Decimal(0), Decimal(1000))
    for key in FACTOR_FIELDS:
        _between(errors, values, key, Decimal(0), MAX_FACTOR)
    if errors:
        raise ValidationError(errors)
    return _rules_save(
        SubsidyRules,
        "s",
        SUBSIDY_FIELDS,
        actor=actor,
        place=place,
        valid_from=valid_from,
        values=values,
        source=source,
    )


def _rules_save(
    model: type[RulesT],
    prefix: str,
    fields: Iterable[str],
    *,
    actor: Actor,
    place: Region,
    valid_from: date,
    values: dict[str, Any],
    source: str,
) -> RulesT:
    """Write a checked version of a rules table (estates' or subsidies') from `valid_from`, audited."""
    with transaction.atomic():
        rules = model.objects.create(
            version=_version(prefix, model, place, valid_from),
            valid_from=valid_from,
            region=place,
            source=(source or "").strip()[:200],
            created_by=user_or_none(actor),
            **{k: values[k] for k in fields},
        )
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=place,
            target=f"{model._meta.model_name}:{rules.pk}",
            detail={"valid_from": str(valid_from), **{k: str(values[k]) for k in fields}},
        )
    return rules


# ---- estates -------------------------------------------------------------------------------------


def _community_of(region: Region) -> Region:
    community = region.community()
    if community is None:
        raise ValidationError({"community": [_("Choose a community.")]})
    return community


def estate_create(
    *,
    actor: Actor,
    community: Region,
    name: str,
    buildings: Iterable[Region] = (),
    address: str = "",
    property_firm: PartnerUnit | None = None,
    firm_branch: PartyOrganisation | None = None,
    red_since: date | None = None,
) -> Estate:
    """A 小区 of `community`: its buildings must be buildings of that community."""
    require_scope(actor, MANAGE, community)
    chosen = list(buildings)
    _check_estate(
        community, name, chosen, property_firm, firm_branch, red_since, same_name=Estate.objects.all()
    )
    with transaction.atomic():
        estate = Estate.objects.create(
            name=name.strip()[:100],
            community=community,
            region_path=community.path,
            address=address.strip()[:200],
            property_firm=property_firm,
            firm_branch=firm_branch,
            red_since=red_since,
        )
        estate.buildings.set(chosen)
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=community,
            target=f"estate:{estate.pk}",
            detail={"created": estate.name, "buildings": len(chosen)},
        )
    return estate


def _check_estate(
    community: Region,
    name: str,
    chosen: list[Region],
    property_firm: PartnerUnit | None,
    firm_branch: PartyOrganisation | None,
    red_since: date | None,
    *,
    same_name: Any,
) -> None:
    errors: dict[str, list[str]] = {}
    if community.level != Level.COMMUNITY:
        errors.setdefault("community", []).append(_("An estate belongs to a community."))
    if not (name or "").strip():
        errors.setdefault("name", []).append(_("Name the estate."))
    if any(b.level != Level.BUILDING or not b.path.startswith(community.path) for b in chosen):
        errors.setdefault("buildings", []).append(_("Choose buildings of this community."))
    if property_firm is not None and property_firm.kind != UnitKind.PROPERTY_FIRM:
        errors.setdefault("property_firm", []).append(_("Choose a partner unit that is a property firm."))
    if (firm_branch is None) != (red_since is None):
        errors.setdefault("red_since", []).append(
            _("A Party-led property service (红色物业) needs both the firm's Party branch and the date.")
        )
    if firm_branch is not None and property_firm is None:
        errors.setdefault("firm_branch", []).append(_("Name the property firm first."))
    if errors:
        raise ValidationError(errors)
    if same_name.filter(community=community, name=name.strip()).exists():
        raise ValidationError({"name": [_("This community already has an estate of this name.")]})


# what an estate's edit compares and records (its buildings too, by count)
ESTATE_EDIT_FIELDS = ("name", "address", "property_firm", "firm_branch", "red_since")


def estate_update(
    *,
    actor: Actor,
    estate: Estate,
    name: str,
    buildings: Iterable[Region] = (),
    address: str = "",
    property_firm: PartnerUnit | None = None,
    firm_branch: PartyOrganisation | None = None,
    red_since: date | None = None,
) -> Estate:
    """Change an estate's name, buildings, address and property firm (its community stays)."""
    community = estate.community
    require_scope(actor, MANAGE, community)
    chosen = list(buildings)
    _check_estate(
        community,
        name,
        chosen,
        property_firm,
        firm_branch,
        red_since,
        same_name=Estate.objects.exclude(pk=estate.pk),
    )
    with audited_edit(
        Estate, estate.pk, actor=actor, fields=ESTATE_EDIT_FIELDS, region=lambda e: e.community
    ) as edit:
        row = edit.row
        edit.set(
            {
                "name": name.strip()[:100],
                "address": (address or "").strip()[:200],
                "property_firm": property_firm,
                "firm_branch": firm_branch,
                "red_since": red_since,
            }
        )
        before = set(row.buildings.values_list("pk", flat=True))
        if before != {b.pk for b in chosen}:
            row.buildings.set(chosen)
            edit.changes.append(Change("buildings", len(before), len(chosen)))
    return edit.row


# ---- owners' committees (业委会) ------------------------------------------------------------------


def committee_create(
    *,
    actor: Actor,
    estate: Estate,
    term_starts_on: date,
    term_ends_on: date,
    members: Iterable[tuple[Person, str]],
) -> OwnersCommittee:
    """A term of the estate's 业委会 with its members (one director at most)."""
    require_scope(actor, MANAGE, estate.community)
    seats = list(members)
    errors: dict[str, list[str]] = {}
    if term_ends_on < term_starts_on:
        errors.setdefault("term_ends_on", []).append(_("The term ends after it starts."))
    if not seats:
        errors.setdefault("members", []).append(_("Name the committee's members."))
    if sum(1 for _p, role in seats if role == CommitteeRole.DIRECTOR) > 1:
        errors.setdefault("members", []).append(_("A committee has one director."))
    if any(role not in CommitteeRole.values for _p, role in seats):
        errors.setdefault("members", []).append(_("Unknown role on the committee."))
    if len({p.pk for p, _r in seats}) != len(seats):
        errors.setdefault("members", []).append(_("Each person holds one seat."))
    overlapping = estate.committees.filter(term_starts_on__lte=term_ends_on, term_ends_on__gte=term_starts_on)
    if overlapping.exists():
        errors.setdefault("term_starts_on", []).append(
            _("Another term of this committee overlaps these dates.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        committee = OwnersCommittee.objects.create(
            estate=estate, term_starts_on=term_starts_on, term_ends_on=term_ends_on
        )
        CommitteeMember.objects.bulk_create(
            CommitteeMember(committee=committee, person=p, role=role) for p, role in seats
        )
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=estate.community,
            target=f"ownerscommittee:{committee.pk}",
            detail={"estate": estate.pk, "members": len(seats)},
        )
    return committee


def committee_member_add(
    *, actor: Actor, committee: OwnersCommittee, person: Person, role: str
) -> CommitteeMember:
    """A seat on a committee's term; one director in office at a time, each person once."""
    require_scope(actor, MANAGE, committee.estate.community)
    errors: dict[str, list[str]] = {}
    if role not in CommitteeRole.values:
        errors.setdefault("role", []).append(_("Unknown role on the committee."))
    seats = committee.members.all()
    if seats.filter(person=person).exists():
        errors.setdefault("person", []).append(_("This person already holds a seat in this term."))
    if role == CommitteeRole.DIRECTOR and seats.filter(role=role, ended_on__isnull=True).exists():
        errors.setdefault("role", []).append(
            _("The committee has a director; the director leaves before another is named.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = CommitteeMember.objects.create(committee=committee, person=person, role=role)
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=committee.estate.community,
            target=f"ownerscommittee:{committee.pk}",
            detail={"member_added": member.pk, "role": role},
        )
    return member


def committee_member_end(*, actor: Actor, member: CommitteeMember, on: date) -> CommitteeMember:
    """A member leaves the committee on `on` (within the term; the seat stays on record)."""
    committee = member.committee
    require_scope(actor, MANAGE, committee.estate.community)
    if member.ended_on is not None:
        raise ValidationError(_("This member has already left."))
    if not committee.term_starts_on <= on <= committee.term_ends_on:
        raise ValidationError({"on": [_("The day lies outside the committee's term.")]})
    with transaction.atomic():
        updated = CommitteeMember.objects.filter(pk=member.pk, ended_on__isnull=True).update(ended_on=on)
        if not updated:
            raise ValidationError(_("This member has already left."))
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=committee.estate.community,
            target=f"ownerscommittee:{committee.pk}",
            detail={"member_ended": member.pk, "on": str(on)},
        )
    member.refresh_from_db()
    return member


def committee_end(*, actor: Actor, committee: OwnersCommittee, on: date) -> OwnersCommittee:
    """End a term early (re-election, dissolution): the term then ends on `on`."""
    require_scope(actor, MANAGE, committee.estate.community)
    if not committee.term_starts_on <= on <= committee.term_ends_on:
        raise ValidationError({"on": [_("A term ends on a day between its start and its planned end.")]})
    with transaction.atomic():
        old = committee.term_ends_on
        committee.term_ends_on = on
        committee.save(update_fields=["term_ends_on"])
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=committee.estate.community,
            target=f"ownerscommittee:{committee.pk}",
            detail={"term_ends_on": {"old": str(old), "new": str(on)}},
        )
    return committee


def is_red_committee(members: list[CommitteeMember], rules: EstateRules) -> bool:
    """红色业委会 by the rule in force: the director is a Party member (where the rule says so), or at
    least the configured share of the members are. Members who have left do not count."""
    members = [m for m in members if m.ended_on is None]
    if not members:
        return False
    if rules.red_if_director_member and any(
        m.role == CommitteeRole.DIRECTOR and m.person.is_party_member for m in members
    ):
        return True
    party = sum(1 for m in members if m.person.is_party_member)
    return Decimal(party) / len(members) >= rules.red_member_share


# ---- 三驾马车 joint meetings -----------------------------------------------------------------------


def joint_meeting_link(*, actor: Actor, estate: Estate, meeting: Meeting) -> JointMeeting:
    """Attach a joint meeting (held in the estate's community) to the estate: its decisions and tasks
    then count for the estate and its property firm."""
    require_scope(actor, MANAGE, estate.community)
    if not meeting.region.path.startswith(estate.community.path) and not estate.community.path.startswith(
        meeting.region.path
    ):
        raise ValidationError({"meeting": [_("The meeting is not one of this estate's community.")]})
    if JointMeeting.objects.filter(meeting=meeting).exists():
        raise ValidationError({"meeting": [_("This meeting is already linked to an estate.")]})
    return JointMeeting.objects.create(estate=estate, meeting=meeting)


# ---- the firm's evaluation: the street's own score -----------------------------------------------


def firm_streets(firm: PartnerUnit) -> list[Region]:
    """The streets of the estates a firm serves: who may give the street's score."""
    ids = {
        int(i)
        for path in firm.estates.values_list("region_path", flat=True)
        for i in path.strip("/").split("/")
    }
    return list(Region.objects.filter(level=Level.STREET, pk__in=ids).order_by("path"))


def evaluation_score(
    *, actor: Actor, firm: PartnerUnit, year: int, score: Decimal | None, note: str = ""
) -> FirmEvaluation:
    """The street's subjective score of a firm for a year (0–100, or none). Only an official whose
    estates.manage reaches the street of every estate the firm serves may give it."""
    if firm.kind != UnitKind.PROPERTY_FIRM:
        raise ValidationError({"firm": [_("Only a property firm is evaluated here.")]})
    if score is not None and not (Decimal(0) <= score <= Decimal(100)):
        raise ValidationError({"score": [_("A score lies between 0 and 100.")]})
    streets = firm_streets(firm)
    if not streets:
        raise ValidationError({"firm": [_("The firm serves no estate yet.")]})
    require_scope(actor, MANAGE, *streets)
    with transaction.atomic():
        evaluation, _created = FirmEvaluation.objects.select_for_update().get_or_create(firm=firm, year=year)
        old = evaluation.subjective_score
        evaluation.subjective_score = score
        evaluation.subjective_note = (note or "").strip()
        evaluation.scored_by = user_or_none(actor)
        evaluation.scored_at = timezone.now()
        evaluation.save()
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=streets[0],
            target=f"firmevaluation:{evaluation.pk}",
            detail={"subjective_score": {"old": str(old), "new": str(score)}, "year": year},
        )
    return evaluation


# ---- building heads: duties, grades, the annual subsidy ------------------------------------------


def _head(position: Position) -> None:
    if position.kind != PositionKind.BUILDING_HEAD:
        raise ValidationError({"position": [_("This is not a building head's position.")]})


def duty_record(
    *, actor: Actor, position: Position, kind: str, done_on: date, note: str, today: date | None = None
) -> BuildingHeadDuty:
    """A piece of a building head's work, recorded by the community (or the head's grid leader)."""
    require_scope(actor, MANAGE, position.region)
    _head(position)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if kind not in DutyKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of work."))
    if done_on > today:
        errors.setdefault("done_on", []).append(_("Work is recorded once it has been done."))
    if done_on < position.starts_on or (position.ends_on is not None and done_on > position.ends_on):
        errors.setdefault("done_on", []).append(_("The day lies outside the building head's term."))
    if not (note or "").strip():
        errors.setdefault("note", []).append(_("Say what was done."))
    if errors:
        raise ValidationError(errors)
    return BuildingHeadDuty.objects.create(
        position=position,
        region_path=position.region.path,
        kind=kind,
        done_on=done_on,
        note=note.strip()[:200],
    )


def duty_verify(*, actor: Actor, duty: BuildingHeadDuty, now: datetime | None = None) -> BuildingHeadDuty:
    """The community confirms the work was done; only verified work counts toward the subsidy. Nobody
    verifies their own work."""
    position = duty.position
    require_scope(actor, MANAGE, position.region)
    person_id = getattr(actor, "person_id", None)
    if person_id is not None and person_id == position.person_id:
        raise PermissionDenied
    updated = BuildingHeadDuty.objects.filter(pk=duty.pk, verified_at__isnull=True).update(
        verified_at=now or timezone.now(), verified_by=user_or_none(actor)
    )
    if not updated:
        raise ValidationError(_("This work has already been verified."))
    duty.refresh_from_db()
    return duty


def assessment_set(*, actor: Actor, position: Position, year: int, grade: str) -> HeadAssessment:
    require_scope(actor, MANAGE, position.region)
    _head(position)
    if grade not in Grade.values:
        raise ValidationError({"grade": [_("Choose a grade.")]})
    found, _created = HeadAssessment.objects.update_or_create(
        position=position, year=year, defaults={"grade": grade}
    )
    return found


def days_in_office(position: Position, year: int, *, today: date | None = None) -> int:
    """Days of `year` (up to today in the current year) the position was held."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if today is not None and today < end:
        end = today
    first = max(start, position.starts_on)
    last = min(end, position.ends_on or end)
    return max(0, (last - first).days + 1)


def subsidy_amount(
    rules: SubsidyRules, *, days: int, days_in_year: int, items: int, grade: str
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(base part, work part, factor, amount): the base in proportion to the days in office, the
    verified items at most `item_cap`, both scaled by the grade's factor; rounded to the fen, half up."""
    base = (
        (rules.base_amount * days / days_in_year).quantize(CENT, ROUND_HALF_UP)
        if days_in_year
        else Decimal(0)
    )
    work = (rules.per_item * min(items, rules.item_cap)).quantize(CENT, ROUND_HALF_UP)
    factor = rules.factor(grade)
    return base, work, factor, ((base + work) * factor).quantize(CENT, ROUND_HALF_UP)


def _year_days(year: int) -> int:
    return (date(year, 12, 31) - date(year, 1, 1)).days + 1


def subsidy_compute(
    *, actor: Actor, community: Region, year: int, today: date | None = None, now: datetime | None = None
) -> SubsidyRun:
    """Compute (or compute again, while still a draft) the building heads' subsidies of a community
    for a year, with the rules in force at the year's end (or today)."""
    require_scope(actor, MANAGE, community)
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": [_("Subsidies are computed for a community.")]})
    today = today or timezone.localdate()
    if year > today.year:
        raise ValidationError({"year": [_("The year has not begun.")]})
    until = min(date(year, 12, 31), today)
    rules = _saved_subsidy_rules(until, community)
    positions = list(
        Position.objects.filter(
            kind=PositionKind.BUILDING_HEAD,
            region__path__gte=community.path,
            region__path__lt=community.path + "~",
            starts_on__lte=until,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=date(year, 1, 1)))
        .select_related("region", "person")
        .order_by("region__path", "id")
    )
    items = _verified_items([p.pk for p in positions], year)
    grades = dict(
        HeadAssessment.objects.filter(position__in=positions, year=year).values_list("position_id", "grade")
    )
    with transaction.atomic():
        run = SubsidyRun.objects.select_for_update().filter(community=community, year=year).first()
        if run is not None and run.status == RunStatus.APPROVED:
            raise ValidationError(_("The subsidies of this year are approved; they are not computed again."))
        if run is None:
            run = SubsidyRun(community=community, region_path=community.path, year=year)
        run.rules = rules
        run.computed_at = now or timezone.now()
        run.computed_by = user_or_none(actor)
        run.save()
        run.rows.all().delete()
        rows = []
        for p in positions:
            days = days_in_office(p, year, today=today if year == today.year else None)
            n = items.get(p.pk, 0)
            grade = grades.get(p.pk, "")
            base, work, factor, amount = subsidy_amount(
                rules, days=days, days_in_year=_year_days(year), items=n, grade=grade
            )
            rows.append(
                SubsidyRow(
                    run=run,
                    position=p,
                    region_path=p.region.path,
                    days_in_office=days,
                    verified_items=n,
                    grade=grade,
                    base_part=base,
                    work_part=work,
                    factor=factor,
                    amount=amount,
                )
            )
        SubsidyRow.objects.bulk_create(rows)
        run.total = sum((r.amount for r in rows), Decimal(0))
        run.save(update_fields=["total"])
    return run


def _verified_items(position_ids: list[int], year: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for position_id in BuildingHeadDuty.objects.filter(
        position_id__in=position_ids,
        verified_at__isnull=False,
        done_on__gte=date(year, 1, 1),
        done_on__lte=date(year, 12, 31),
    ).values_list("position_id", flat=True):
        counts[position_id] = counts.get(position_id, 0) + 1
    return counts


def subsidy_approve(*, actor: Actor, run: SubsidyRun, now: datetime | None = None) -> SubsidyRun:
    """Approve a run once (a conditional update: two approvals never both pass); then it is paid."""
    require_scope(actor, MANAGE, run.community)
    user = user_or_none(actor)
    if user is not None and run.computed_by_id == user.pk:
        raise ValidationError(_("Someone other than who computed the subsidies approves them."))
    with transaction.atomic():
        updated = SubsidyRun.objects.filter(pk=run.pk, status=RunStatus.DRAFT).update(
            status=RunStatus.APPROVED, approved_at=now or timezone.now(), approved_by=user_or_none(actor)
        )
        if not updated:
            raise ValidationError(_("These subsidies are already approved."))
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=run.community,
            target=f"subsidyrun:{run.pk}",
            detail={"status": {"old": RunStatus.DRAFT, "new": RunStatus.APPROVED}, "total": str(run.total)},
        )
    run.refresh_from_db()
    return run


# ---- 楼组 自治金 ------------------------------------------------------------------------------------


def fund_create(
    *, actor: Actor, community: Region, name: str, buildings: Iterable[Region] = (), keeper_name: str = ""
) -> GroupFund:
    require_scope(actor, MANAGE, community)
    chosen = list(buildings)
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": [_("A building group's fund belongs to a community.")]})
    if not (name or "").strip():
        raise ValidationError({"name": [_("Name the building group.")]})
    if any(b.level != Level.BUILDING or not b.path.startswith(community.path) for b in chosen):
        raise ValidationError({"buildings": [_("Choose buildings of this community.")]})
    with transaction.atomic():
        fund = GroupFund.objects.create(
            name=name.strip()[:100],
            community=community,
            region_path=community.path,
            keeper_name=keeper_name[:50],
        )
        fund.buildings.set(chosen)
    return fund


def fund_project_create(
    *, actor: Actor, fund: GroupFund, title: str, budget: Decimal = Decimal(0)
) -> FundProject:
    require_scope(actor, MANAGE, fund.community)
    if not (title or "").strip():
        raise ValidationError({"title": [_("Name the project.")]})
    if budget < 0:
        raise ValidationError({"budget": [_("A budget is not negative.")]})
    return FundProject.objects.create(fund=fund, title=title.strip()[:120], budget=budget)


def fund_entry_add(
    *,
    actor: Actor,
    fund: GroupFund,
    kind: str,
    amount: Decimal,
    on: date,
    purpose: str,
    project: FundProject | None = None,
    receipt_number: str = "",
    now: datetime | None = None,
) -> FundEntry:
    """A grant into the fund, or a spending out of it with its receipt. The balance is kept on the
    fund row, locked: a spending larger than the balance is refused, never left negative."""
    require_scope(actor, MANAGE, fund.community)
    errors: dict[str, list[str]] = {}
    if kind not in EntryKind.values:
        errors.setdefault("kind", []).append(_("A grant or a spending."))
    if amount is None or amount <= 0:
        errors.setdefault("amount", []).append(_("The amount is more than zero."))
    if not (purpose or "").strip():
        errors.setdefault("purpose", []).append(_("Say what the money is for."))
    if kind == EntryKind.SPENDING and not (receipt_number or "").strip():
        errors.setdefault("receipt_number", []).append(_("A spending needs the number of its receipt."))
    if project is not None and project.fund_id != fund.pk:
        errors.setdefault("project", []).append(_("The project is not one of this fund's."))
    if on > timezone.localdate(now or timezone.now()):  # the local day, not UTC's (00:00–08:00 in Beijing)
        errors.setdefault("on", []).append(_("The date is not in the future."))
    if errors:
        raise ValidationError(errors)
    amount = amount.quantize(CENT, ROUND_HALF_UP)
    with transaction.atomic():
        locked = GroupFund.objects.select_for_update().get(pk=fund.pk)
        balance = locked.balance + (amount if kind == EntryKind.GRANT else -amount)
        if balance < 0:
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "The fund holds %(balance)s yuan; a spending of %(amount)s yuan "
                            "would leave it negative."
                        )
                        % {"balance": f"{locked.balance:,.2f}", "amount": f"{amount:,.2f}"}
                    ]
                }
            )
        locked.balance = balance
        locked.save(update_fields=["balance"])
        entry = FundEntry.objects.create(
            fund=locked,
            kind=kind,
            amount=amount,
            on=on,
            purpose=purpose.strip()[:200],
            project=project,
            receipt_number=(receipt_number or "").strip()[:40],
            balance_after=balance,
            recorded_by=user_or_none(actor),
            recorded_at=now or timezone.now(),
        )
    fund.balance = balance
    return entry


# ---- co-building projects on the map -------------------------------------------------------------


def project_locate(
    *, actor: Actor, project: Project, lng: float, lat: float, label: str = ""
) -> ProjectLocation:
    """Put a co-building project on the map (or move it)."""
    require_scope(actor, MANAGE, project.region)
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValidationError({"lng": [_("Give a longitude and a latitude.")]})
    found, _created = ProjectLocation.objects.update_or_create(
        project=project, defaults={"lng": lng, "lat": lat, "label": (label or "").strip()[:120]}
    )
    return found
