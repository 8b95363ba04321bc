"""Writes of cadre profiles, stationed cadres, term rules, terms and elections: one path each.

Every service takes a keyword-only `actor` and checks `cadres.manage` at the region inside. The
new committee takes office through `take_office`: in one transaction it ends the old committee's
posts, opens the elected ones, closes the old term and opens the next.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_create, audited_edit, known_fields
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.cadres import defaults
from tongxin.cadres.models import (
    COMMITTEE_POSITIONS,
    CadreProfile,
    Candidate,
    Committee,
    Election,
    Stationed,
    StationedKind,
    Term,
    TermRule,
)
from tongxin.cadres.selectors import committee_positions, may_station, rule_in_force
from tongxin.core.actors import SYSTEM, Actor, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.organisations.models import PartyOrganisation
from tongxin.partners.models import PartnerUnit
from tongxin.people.models import ORGANISATION_POSITIONS, Person, Position, PositionKind
from tongxin.people.services import person_create, position_create
from tongxin.regions.models import Level, Region

MANAGE = Capability.CADRES_MANAGE

PROFILE_FIELDS = (
    "education",
    "major",
    "upgrade_level",
    "upgrade_school",
    "upgrade_expected_on",
    "political_status",
    "wealth_leader",
    "college_graduate_cadre",
    "veteran",
    "note",
)


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _require_unit(region: Region | None, field: str = "region") -> Region:
    if region is None or region.level != Level.COMMUNITY:
        raise ValidationError({field: [_("Choose a community or village.")]})
    return region


# ---- profiles -------------------------------------------------------------------------------------


def profile_validate(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not data.get("education"):
        errors.setdefault("education", []).append(_("Choose the education level."))
    if data.get("upgrade_level") and not (data.get("upgrade_school") or "").strip():
        errors.setdefault("upgrade_school", []).append(_("Enter the school of the degree in progress."))
    if data.get("upgrade_school") and not data.get("upgrade_level"):
        errors.setdefault("upgrade_level", []).append(_("Choose the level of the degree in progress."))
    if errors:
        raise ValidationError(errors)


def profile_save(*, actor: Actor, person: Person, **data: Any) -> CadreProfile:
    """Create or change a person's cadre profile (audited with old and new values)."""
    known_fields(data, PROFILE_FIELDS)
    require_scope(actor, MANAGE, person.region)
    with transaction.atomic():
        profile, _created = CadreProfile.objects.get_or_create(
            person=person, defaults={"education": data.get("education") or ""}
        )
        with audited_edit(
            CadreProfile, profile.pk, actor=actor, fields=PROFILE_FIELDS, region=lambda p: person.region
        ) as edit:
            for key, value in data.items():
                setattr(edit.row, key, value)
            merged = {name: getattr(edit.row, name) for name in PROFILE_FIELDS}
            profile_validate(merged)
        return edit.row


# ---- 第一书记 and 驻村工作队 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPerson:
    """Someone sent to a village who is not on record yet."""

    name: str
    gender: str = ""
    birth_date: date | None = None


STATIONED_FIELDS = ("kind", "sending_unit", "sending_unit_name", "starts_on", "ends_on", "note")


def _require_station(actor: Actor, village: Region) -> None:
    """`cadres.manage` above the village: the township or the county keeps its stationed cadres."""
    if actor != SYSTEM and not may_station(actor, village):
        raise PermissionDenied


def stationed_validate(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if data.get("kind") not in StationedKind.values:
        errors.setdefault("kind", []).append(_("Choose the role."))
    village = data.get("village")
    if village is None or village.level != Level.COMMUNITY:
        errors.setdefault("village", []).append(_("Choose a community or village."))
    if data.get("sending_unit") is None and not (data.get("sending_unit_name") or "").strip():
        errors.setdefault("sending_unit", []).append(_("Choose or enter the sending unit."))
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on is None:
        errors.setdefault("starts_on", []).append(_("Enter the first day of the posting."))
    elif ends_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The end date is before the start date."))
    if errors:
        raise ValidationError(errors)


def stationed_create(
    *,
    actor: Actor,
    person: Person | None = None,
    kind: str,
    village: Region,
    starts_on: date,
    sending_unit: PartnerUnit | None = None,
    sending_unit_name: str = "",
    ends_on: date | None = None,
    note: str = "",
    new_person: NewPerson | None = None,
) -> Stationed:
    """Record a 第一书记 or 驻村工作队 member sent to a village (kept by the township or the county).

    The person is someone on record, or `new_person`: recorded then, at the village, with the
    sending unit as their employer (someone sent from outside is often not on record yet)."""
    stationed_validate(
        {
            "kind": kind,
            "village": village,
            "sending_unit": sending_unit,
            "sending_unit_name": sending_unit_name,
            "starts_on": starts_on,
            "ends_on": ends_on,
        }
    )
    if person is None and (new_person is None or not new_person.name.strip()):
        raise ValidationError(
            {"person": [_("Choose the person, or enter the name of someone not on record.")]}
        )
    _require_station(actor, village)
    with transaction.atomic():
        if person is None:
            assert new_person is not None
            person = person_create(
                name=new_person.name.strip(),
                gender=new_person.gender,
                birth_date=new_person.birth_date,
                region=village,
                employer=sending_unit.name if sending_unit is not None else sending_unit_name.strip(),
            )
        row = Stationed.objects.create(
            person=person,
            kind=kind,
            village=village,
            region_path=village.path,
            sending_unit=sending_unit,
            sending_unit_name="" if sending_unit is not None else sending_unit_name.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
        )
        audited_create(row, actor=actor, region=village, created={"kind": kind, "starts_on": str(starts_on)})
    return row


def stationed_update(*, actor: Actor, stationed: Stationed, **data: Any) -> Stationed:
    """Change a posting's role, sending unit, dates or note (audited with old and new values);
    the person and the village stay (a new posting is recorded for another village)."""
    known_fields(data, STATIONED_FIELDS)
    with audited_edit(
        Stationed,
        stationed.pk,
        actor=actor,
        fields=STATIONED_FIELDS,
        region=lambda s: s.village,
        related=("village",),
    ) as edit:
        _require_station(actor, edit.row.village)
        for key, value in data.items():
            setattr(edit.row, key, value.strip() if isinstance(value, str) else value)
        if edit.row.sending_unit_id is not None:
            edit.row.sending_unit_name = ""
        stationed_validate(
            {name: getattr(edit.row, name) for name in STATIONED_FIELDS} | {"village": edit.row.village}
        )
    return edit.row


def stationed_end(*, actor: Actor, stationed: Stationed, ends_on: date) -> Stationed:
    """End a posting on `ends_on` (its last day)."""
    with audited_edit(
        Stationed,
        stationed.pk,
        actor=actor,
        fields=("ends_on",),
        region=lambda s: s.village,
        related=("village",),
    ) as edit:
        _require_station(actor, edit.row.village)
        if ends_on < edit.row.starts_on:
            raise ValidationError({"ends_on": [_("The end date is before the start date.")]})
        edit.row.ends_on = ends_on
    return edit.row


# ---- term rules and terms -------------------------------------------------------------------------


# term rules are kept at a city, a county or a township (street) and hold below it
RULE_LEVELS = (Level.CITY, Level.COUNTY, Level.STREET)


def term_rule_set(
    *, actor: Actor, region: Region | None, years: int, warn_days: int, valid_from: date
) -> TermRule:
    """A new version of the term rule at `region` (None: the national default, SYSTEM only); the
    earlier versions stay, each in force from its own `valid_from`."""
    if not 1 <= years <= 10:
        raise ValidationError({"years": [_("A term lasts 1 to 10 years.")]})
    if not 0 <= warn_days <= 730:
        raise ValidationError({"warn_days": [_("Warn 0 to 730 days ahead.")]})
    if region is None and actor != SYSTEM:
        raise PermissionDenied  # only SYSTEM (a data migration, the demo) keeps the national default
    if region is not None and region.level not in RULE_LEVELS:
        raise ValidationError({"region": [_("Term rules are kept by a county or a township.")]})
    require_scope(actor, MANAGE, region)
    with transaction.atomic():
        rule = TermRule.objects.create(
            region=region,
            years=years,
            warn_days=warn_days,
            valid_from=valid_from,
            rules_version=defaults.RULES_VERSION,
            created_by=user_or_none(actor),
        )
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=region,
            target=f"termrule:{rule.pk}",
            detail={
                "model": "cadres.TermRule",
                "years": years,
                "warn_days": warn_days,
                "valid_from": str(valid_from),
            },
        )
    return rule


def term_open(
    *, actor: Actor, region: Region, committee: str, starts_on: date, number: int | None = None
) -> Term:
    """Record a committee's current term (its length from the rule in force on `starts_on`)."""
    _require_unit(region)
    if committee not in Committee.values:
        raise ValidationError({"committee": [_("Choose the committee.")]})
    require_scope(actor, MANAGE, region)
    with transaction.atomic():
        if (
            Term.objects.select_for_update()
            .filter(region=region, committee=committee, ended_on__isnull=True)
            .exists()
        ):
            raise ValidationError({"committee": [_("This committee already has a current term.")]})
        return _new_term(actor=actor, region=region, committee=committee, starts_on=starts_on, number=number)


def _new_term(*, actor: Actor, region: Region, committee: str, starts_on: date, number: int | None) -> Term:
    years, _warn = rule_in_force(region, on=starts_on)
    term = Term.objects.create(
        region=region,
        region_path=region.path,
        committee=committee,
        number=number,
        starts_on=starts_on,
        years=years,
        ends_on=add_years(starts_on, years),
    )
    audited_create(
        term, actor=actor, region=region, created={"committee": committee, "starts_on": str(starts_on)}
    )
    return term


# ---- elections and taking office ------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRow:
    person: Person
    kind: str
    votes: int = 0
    elected: bool = False


def election_validate(
    *,
    region: Region,
    committee: str,
    held_on: date,
    candidates: list[CandidateRow],
    ballots_cast: int | None,
    eligible_voters: int | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if committee not in Committee.values:
        errors.setdefault("committee", []).append(_("Choose the committee."))
    if held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("An election is recorded once it has been held."))
    if not candidates:
        errors.setdefault("candidates", []).append(_("Enter at least one candidate."))
    posts = COMMITTEE_POSITIONS.get(committee, frozenset())
    people: set[int] = set()
    for row in candidates:
        if row.kind not in posts:
            errors.setdefault("candidates", []).append(
                _("%(name)s: the post is not one of this committee.") % {"name": row.person.name}
            )
        if row.person.pk in people:
            errors.setdefault("candidates", []).append(
                _("%(name)s is listed twice.") % {"name": row.person.name}
            )
        people.add(row.person.pk)
        if row.votes < 0 or (ballots_cast is not None and row.votes > ballots_cast):
            errors.setdefault("candidates", []).append(
                _("%(name)s: the votes exceed the ballots cast.") % {"name": row.person.name}
            )
    heads = {PositionKind.SECRETARY, PositionKind.RESIDENTS_DIRECTOR}
    if sum(1 for r in candidates if r.elected and r.kind in heads) > 1:
        errors.setdefault("candidates", []).append(_("Only one secretary or director can be elected."))
    if candidates and not any(r.elected for r in candidates):
        errors.setdefault("candidates", []).append(_("Mark who was elected."))
    if ballots_cast is not None and eligible_voters is not None and ballots_cast > eligible_voters:
        errors.setdefault("ballots_cast", []).append(_("More ballots than eligible voters."))
    if errors:
        raise ValidationError(errors)


def election_record(
    *,
    actor: Actor,
    region: Region,
    committee: str,
    held_on: date,
    candidates: Iterable[CandidateRow],
    eligible_voters: int | None = None,
    ballots_cast: int | None = None,
    note: str = "",
) -> Election:
    """Record a held election with its candidates, votes and who was elected."""
    _require_unit(region)
    rows = list(candidates)
    election_validate(
        region=region,
        committee=committee,
        held_on=held_on,
        candidates=rows,
        ballots_cast=ballots_cast,
        eligible_voters=eligible_voters,
    )
    require_scope(actor, MANAGE, region)
    with transaction.atomic():
        term = Term.objects.filter(region=region, committee=committee, ended_on__isnull=True).first()
        election = Election.objects.create(
            region=region,
            region_path=region.path,
            committee=committee,
            held_on=held_on,
            term=term,
            eligible_voters=eligible_voters,
            ballots_cast=ballots_cast,
            note=note,
            recorded_by=user_or_none(actor),
        )
        Candidate.objects.bulk_create(
            Candidate(election=election, person=r.person, kind=r.kind, votes=r.votes, elected=r.elected)
            for r in rows
        )
        audited_create(
            election,
            actor=actor,
            region=region,
            created={"committee": committee, "held_on": str(held_on), "candidates": len(rows)},
        )
    return election


def _organisation_of(region: Region) -> PartyOrganisation | None:
    """The community's or village's own Party organisation (the topmost one kept at it)."""
    return PartyOrganisation.objects.filter(region=region).order_by("depth", "pk").first()


def take_office(term: Term | None, elected: Election, *, actor: Actor, starts_on: date | None = None) -> Term:
    """The elected committee takes office: in one transaction the old committee's posts end the day
    before, the elected open, the old term closes and the next opens. Any error rolls it all back."""
    require_scope(actor, MANAGE, elected.region)
    with transaction.atomic():
        election = Election.objects.select_for_update().select_related("region").get(pk=elected.pk)
        region = election.region
        if election.new_term_id is not None:
            raise ValidationError(_("This election's committee has already taken office."))
        old: Term | None = None
        if term is not None:
            old = Term.objects.select_for_update().get(pk=term.pk)
            if old.ended_on is not None:
                raise ValidationError(_("That term has already ended."))
            if old.region_id != region.pk or old.committee != election.committee:
                raise ValidationError(_("The election is not for this committee."))
        elif Term.objects.filter(region=region, committee=election.committee, ended_on__isnull=True).exists():
            raise ValidationError(_("Name the current term the election replaces."))
        day = starts_on or election.held_on
        if old is not None and day <= old.starts_on:
            raise ValidationError(_("The new committee takes office after the old term began."))
        winners = list(election.candidates.filter(elected=True).select_related("person"))
        if not winners:
            raise ValidationError(_("Nobody was elected."))
        # the posts held the day before the new committee starts end that day
        leaving = list(
            committee_positions_at(region, election.committee, on=day - timedelta(days=1)).filter(
                starts_on__lt=day
            )
        )
        Position.objects.filter(pk__in=[p.pk for p in leaving]).update(ends_on=day - timedelta(days=1))
        organisation = _organisation_of(region) if election.committee == Committee.PARTY else None
        opened = []
        for winner in winners:
            needs_org = winner.kind in ORGANISATION_POSITIONS
            if needs_org and organisation is None:
                raise ValidationError(_("The community has no Party organisation to hold the posts."))
            opened.append(
                position_create(
                    person=winner.person,
                    kind=winner.kind,
                    starts_on=day,
                    region=region,
                    organisation=organisation if needs_org else None,
                )
            )
        if old is not None:
            old.ended_on = day - timedelta(days=1)
            old.save(update_fields=["ended_on"])
        number = old.number + 1 if old is not None and old.number else None
        new = _new_term(
            actor=actor, region=region, committee=election.committee, starts_on=day, number=number
        )
        election.new_term = new
        election.save(update_fields=["new_term"])
        audit_record(
            action=Action.RECORD_CHANGED,
            actor=actor,
            region=region,
            target=f"election:{election.pk}",
            detail={
                "model": "cadres.Election",
                "took_office": str(day),
                "ended_positions": [p.pk for p in leaving],
                "opened_positions": [p.pk for p in opened],
                "old_term": old.pk if old is not None else None,
                "new_term": new.pk,
            },
        )
    return new


def committee_positions_at(region: Region, committee: str, *, on: date) -> Any:
    probe = Term(region=region, committee=committee)
    return committee_positions(probe, on=on)
