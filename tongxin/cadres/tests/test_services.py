from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.cadres import composition as comp
from tongxin.cadres import selectors, services
from tongxin.cadres.models import Committee, Term, TermRule
from tongxin.cadres.services import CandidateRow, election_record, take_office, term_open, term_rule_set
from tongxin.core.actors import SYSTEM
from tongxin.people.models import Position, PositionKind
from tongxin.people.services import position_create
from tongxin.testing import make_person

pytestmark = pytest.mark.django_db


# ---- composition ----------------------------------------------------------------------------------


def test_the_composition_counts_people_once_and_equals_the_rows_behind_it(world):
    tree = world.tree
    on = date(2026, 12, 7)
    result = comp.composition(tree.county, on=on)
    # the secretary holds two posts: counted once
    assert sorted(result.people) == sorted(
        [world.secretary.pk, world.member.pk, world.director_b1.pk, world.grid_leader.pk]
    )
    assert sorted(result.committee_people) == sorted(
        [world.secretary.pk, world.member.pk, world.director_b1.pk]
    )
    m = result.measures
    assert (m["college"].numerator, m["college"].denominator) == (2, 4)
    assert sorted(m["college"].ids) == sorted([world.secretary.pk, world.director_b1.pk])
    assert sorted(m["women"].ids) == sorted([world.secretary.pk, world.director_b1.pk])
    assert sorted(m["young"].ids) == sorted([world.grid_leader.pk])  # 31 and 36 are not 35 or under
    assert m["wealth"].ids == [world.secretary.pk]
    assert (m["cross"].ids, m["cross"].denominator) == ([world.secretary.pk], 3)
    for measure in m.values():
        assert measure.numerator == len(measure.ids)
    # the roster rows behind the composition are the posts of exactly those people
    posts = selectors.roster_positions(tree.county, on=on)
    assert {p.person_id for p in posts} == set(result.people)
    # a street's composition is the sum of its communities'
    a = comp.composition(tree.street_a, on=on)
    assert len(a.people) == 3 and len(comp.composition(tree.street_b, on=on).people) == 1


def test_35_or_under_on_the_day(world):
    assert (
        world.secretary.pk
        not in comp.composition(world.tree.community_a1, on=date(2026, 5, 2)).measures["young"].ids
    )
    assert (
        world.secretary.pk
        in comp.composition(world.tree.community_a1, on=date(2026, 4, 30)).measures["young"].ids
    )


def test_a_grid_branch_secretary_is_not_on_the_two_committees(world):
    grid_secretary = make_person(world.tree.grids["1.1"])
    position_create(
        person=grid_secretary,
        kind=PositionKind.SECRETARY,
        starts_on=date(2022, 1, 1),
        organisation=world.tree.orgs["grid_branch"],
    )
    result = comp.composition(world.tree.community_a1, on=date(2026, 1, 1))
    assert grid_secretary.pk not in result.people


def test_changes_of_a_period(world):
    a1 = world.tree.community_a1
    # the grid leader joins the Party committee (三长 → 两委), the member leaves
    Position.objects.filter(person=world.member).update(ends_on=date(2026, 3, 31))
    position_create(
        person=world.grid_leader,
        kind=PositionKind.COMMITTEE_MEMBER,
        starts_on=date(2026, 4, 1),
        organisation=world.tree.orgs["community"],
    )
    newcomer = make_person(a1)
    position_create(person=newcomer, kind=PositionKind.MEDIATOR, starts_on=date(2026, 5, 1), region=a1)
    found = {c.person_id: c.kind for c in comp.changes(a1, since=date(2026, 1, 1), until=date(2026, 12, 31))}
    assert found == {world.member.pk: "left", world.grid_leader.pk: "moved", newcomer.pk: "joined"}
    promoted = comp.promotions(comp.changes(a1, since=date(2026, 1, 1), until=date(2026, 12, 31)))
    assert promoted["to_committees"] == [world.grid_leader.pk]
    assert comp.changes(a1, since=date(2025, 1, 1), until=date(2025, 12, 31)) == []


# ---- terms and their warning ----------------------------------------------------------------------


def test_a_term_lasts_the_configured_years(world):
    assert world.term.years == 5 and world.term.ends_on == date(2026, 4, 1)
    term_rule_set(
        actor=SYSTEM, region=world.tree.street_b, years=3, warn_days=30, valid_from=date(2020, 1, 1)
    )
    Term.objects.filter(region=world.tree.community_b1).delete()
    term = term_open(
        actor=SYSTEM, region=world.tree.community_b1, committee=Committee.PARTY, starts_on=date(2024, 2, 29)
    )
    assert (term.years, term.ends_on) == (3, date(2027, 2, 28))
    # a later version applies from its date on; the earlier terms keep theirs
    term_rule_set(
        actor=SYSTEM, region=world.tree.street_b, years=5, warn_days=60, valid_from=date(2025, 1, 1)
    )
    assert selectors.rule_in_force(world.tree.community_b1, on=date(2024, 6, 1)) == (3, 30)
    assert selectors.rule_in_force(world.tree.community_b1, on=date(2025, 6, 1)) == (5, 60)
    assert selectors.rule_in_force(world.tree.community_a1, on=date(2025, 6, 1)) == (5, 90)


@pytest.mark.parametrize(
    ("days_left", "warned"), [(91, False), (90, True), (89, True), (0, True), (-3, True)]
)
def test_the_term_warning_on_the_edge_dates(world, days_left, warned):
    today = timezone.localdate()
    Term.objects.filter(pk=world.term.pk).update(ends_on=today + timedelta(days=days_left))
    term = Term.objects.get(pk=world.term.pk)
    assert (selectors.term_warning(term, on=today) is not None) is warned
    ending = selectors.terms_ending(world.tree.county, within_days=90, on=today)
    assert (term in ending) is warned


def test_the_warning_window_is_configuration(world):
    today = timezone.localdate()
    Term.objects.filter(pk=world.term.pk).update(ends_on=today + timedelta(days=31))
    term_rule_set(
        actor=SYSTEM, region=world.tree.county, years=5, warn_days=30, valid_from=today - timedelta(days=1)
    )
    term = Term.objects.get(pk=world.term.pk)
    assert selectors.term_warning(term, on=today) is None
    Term.objects.filter(pk=term.pk).update(ends_on=today + timedelta(days=30))
    assert selectors.term_warning(Term.objects.get(pk=term.pk), on=today) == 30


def test_only_the_system_keeps_the_national_default(world, county):
    with pytest.raises(PermissionDenied):
        term_rule_set(actor=county, region=None, years=4, warn_days=30, valid_from=date(2026, 1, 1))
    assert not TermRule.objects.exists()


# ---- election and taking office -------------------------------------------------------------------


def _election(world, held_on=date(2026, 3, 20), **extra):
    newcomer = make_person(world.tree.community_a1, name="孙新")
    rows = [
        CandidateRow(person=world.secretary, kind=PositionKind.SECRETARY, votes=900, elected=True),
        CandidateRow(person=world.member, kind=PositionKind.COMMITTEE_MEMBER, votes=300, elected=False),
        CandidateRow(person=newcomer, kind=PositionKind.COMMITTEE_MEMBER, votes=800, elected=True),
    ]
    election = election_record(
        actor=SYSTEM,
        region=world.tree.community_a1,
        committee=Committee.PARTY,
        held_on=held_on,
        candidates=rows,
        eligible_voters=1000,
        ballots_cast=950,
        **extra,
    )
    return election, newcomer


def test_take_office_ends_the_old_posts_and_opens_the_elected_in_one_step(world):
    election, newcomer = _election(world)
    assert election.term == world.term
    new = take_office(world.term, election, actor=SYSTEM, starts_on=date(2026, 4, 2))
    old = Term.objects.get(pk=world.term.pk)
    assert old.ended_on == date(2026, 4, 1)
    assert (new.starts_on, new.ends_on, new.number) == (date(2026, 4, 2), date(2031, 4, 2), 12)
    party = [PositionKind.SECRETARY, PositionKind.COMMITTEE_MEMBER]
    ended = Position.objects.filter(
        region=world.tree.community_a1, kind__in=party, starts_on=date(2021, 4, 1)
    )
    assert {p.ends_on for p in ended} == {date(2026, 4, 1)}
    opened = Position.objects.filter(kind__in=party, starts_on=date(2026, 4, 2))
    assert {(p.person_id, p.kind, p.organisation_id) for p in opened} == {
        (world.secretary.pk, PositionKind.SECRETARY, world.tree.orgs["community"].pk),
        (newcomer.pk, PositionKind.COMMITTEE_MEMBER, world.tree.orgs["community"].pk),
    }
    # the residents' committee is not touched
    assert Position.objects.get(person=world.secretary, kind=PositionKind.RESIDENTS_DIRECTOR).ends_on is None
    election.refresh_from_db()
    assert election.new_term == new
    with pytest.raises(ValidationError):
        take_office(new, election, actor=SYSTEM)


def test_take_office_rolls_back_on_error(world, monkeypatch):
    election, _newcomer = _election(world)
    calls = {"n": 0}
    real = services.position_create

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ValidationError("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "position_create", failing)
    before = sorted(Position.objects.values_list("pk", "ends_on"))
    with pytest.raises(ValidationError):
        take_office(world.term, election, actor=SYSTEM)
    assert sorted(Position.objects.values_list("pk", "ends_on")) == before
    assert Term.objects.get(pk=world.term.pk).ended_on is None
    assert Term.objects.filter(region=world.tree.community_a1).count() == 1
    election.refresh_from_db()
    assert election.new_term is None


def test_an_election_is_checked(world):
    with pytest.raises(ValidationError) as error:
        election_record(
            actor=SYSTEM,
            region=world.tree.community_a1,
            committee=Committee.PARTY,
            held_on=date(2026, 3, 1),
            candidates=[
                CandidateRow(person=world.member, kind=PositionKind.RESIDENTS_MEMBER, votes=10, elected=True)
            ],
        )
    assert "candidates" in error.value.message_dict
    with pytest.raises(ValidationError):
        _election(world, held_on=timezone.localdate() + timedelta(days=1))


def test_services_check_the_scope(world, other_secretary, village_secretary):
    with pytest.raises(PermissionDenied):
        _election_by(world, other_secretary)
    assert _election_by(world, village_secretary).pk


def _election_by(world, actor):
    return election_record(
        actor=actor,
        region=world.tree.community_a1,
        committee=Committee.PARTY,
        held_on=date(2026, 3, 1),
        candidates=[CandidateRow(person=world.member, kind=PositionKind.SECRETARY, votes=10, elected=True)],
    )
