"""The demo generator: deterministic, valid, tiling, and the same through services or in bulk."""

import random
from collections import Counter

import pytest

from tongxin.accounts.models import User
from tongxin.demo.generator import GRIDS_PER_TRIPLE, Options, build_plan, generate
from tongxin.demo.generator.staffing import apportion
from tongxin.demo.selectors import demo_digest
from tongxin.demo.tests.conftest import TEST_PEOPLE
from tongxin.demo.tests.helpers import snapshot, wipe
from tongxin.organisations.models import BRANCH_KINDS, PartyOrganisation
from tongxin.people.models import PartyStatus, Person, PositionKind
from tongxin.regions.models import Level, Region


def test_plan_is_the_same_for_the_same_seed_and_differs_for_another():
    first, again = build_plan(Options(people=TEST_PEOPLE)), build_plan(Options(people=TEST_PEOPLE))
    other = build_plan(Options(people=TEST_PEOPLE, seed=7))
    assert first.regions == again.regions
    assert first.people == again.people
    assert first.positions == again.positions
    assert first.accounts == again.accounts
    assert [p.name for p in first.people] != [p.name for p in other.people]
    assert [r.geometry for r in first.regions] != [r.geometry for r in other.regions]


def test_scale_one_is_in_the_image_of_the_seeds():
    plan = build_plan(Options())
    levels = Counter(r.level for r in plan.regions)
    assert levels[Level.CITY] == 1 and levels[Level.COUNTY] == 1 and levels[Level.STREET] == 3
    assert levels[Level.GRID] == GRIDS_PER_TRIPLE
    by_code = {r.code: r for r in plan.regions}
    street_a = next(r for r in plan.regions if r.name == "金岩街道")
    communities = [r for r in plan.regions if r.parent == street_a.code]
    assert len(communities) == 6  # seed 000: 6 communities, 21 grids
    grids_a = [
        r for r in plan.regions if r.level == Level.GRID and by_code[r.parent or ""].parent == street_a.code
    ]
    assert len(grids_a) == 21
    town = next(r for r in plan.regions if r.name == "禾田镇")
    assert sum(1 for r in plan.regions if r.parent == town.code and r.kind == "village") == 6
    grand = [o for o in plan.organisations if o.name.endswith("大党委")]
    assert len(grand) == 2 and all(o.region == town.code for o in grand)
    assert sum(1 for o in plan.organisations if o.parent == grand[0].code) >= 10  # its member units
    # seed 003: first-, second- and third-level grids
    depth: dict[str, int] = {}
    for r in plan.regions:
        if r.level == Level.GRID:
            depth[r.code] = depth.get(r.parent or "", 0) + 1
    assert Counter(depth.values()) == Counter({1: 21 + 8 + 18 + 5, 2: 29, 3: 138})
    assert len(plan.people) == 2400
    members = [p for p in plan.people if p.party_status]
    assert 0.08 < len(members) / len(plan.people) < 0.15
    assert {p.party_status for p in members} == {PartyStatus.FULL, PartyStatus.PROBATIONARY}
    kinds = Counter(p.kind for p in plan.positions)
    for kind in PositionKind.values:
        assert kinds[kind] > 0, kind


def test_apportion_adds_up():
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(100_000, [random.random() for _ in range(950)])) == 100_000
    assert apportion(0, [1, 2]) == [0, 0]


def test_too_few_people_is_refused():
    with pytest.raises(ValueError):
        build_plan(Options(people=50))


def test_generated_data_is_deterministic(demo):
    first = demo_digest()
    wipe()
    assert demo_digest() != first
    generate(Options(people=TEST_PEOPLE, method="services"))
    assert demo_digest() == first


def test_every_branch_has_three_full_members_at_scale_one():
    plan = build_plan(Options())
    branches = [
        o.code for o in plan.organisations if o.kind in BRANCH_KINDS and not o.name.endswith("机关党支部")
    ]
    full = Counter(p.branch for p in plan.people if p.party_status == PartyStatus.FULL)
    everyone = Counter(p.branch for p in plan.people if p.branch)
    for code in branches:
        if everyone[code]:
            assert full[code] >= 3 and everyone[code] <= 50, code


def test_bulk_writes_what_the_services_write(db):
    generate(Options(people=TEST_PEOPLE, method="services"))
    by_services = snapshot()
    wipe()
    generate(Options(people=TEST_PEOPLE, method="bulk"))
    in_bulk = snapshot()
    assert by_services["regions"] and by_services["cells"] and by_services["people"]
    for key in by_services:
        assert in_bulk[key] == by_services[key], key


def test_grids_only_mode_writes_regions_and_nothing_else(db):
    result = generate(Options(grids=2 * GRIDS_PER_TRIPLE + 1, grids_only=True))
    assert result.method == "bulk"
    assert Region.objects.filter(level=Level.GRID).count() == 3 * GRIDS_PER_TRIPLE
    assert not Region.objects.filter(level=Level.BUILDING).exists()
    assert (
        not Person.objects.exists() and not PartyOrganisation.objects.exists() and not User.objects.exists()
    )
    assert Region.objects.filter(level=Level.COUNTY).count() == 1
