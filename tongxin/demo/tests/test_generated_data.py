"""Checks of one generated scale-1 district (shared by the module: these tests only read)."""

import random

import pytest
from shapely.geometry import Point, shape

from tongxin.accounts.models import RoleAssignment, User
from tongxin.demo.generator.personas import DEMO_PASSWORD, PERSONAS
from tongxin.lib import codes
from tongxin.lib.validators import is_valid_id_card, is_valid_phone
from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.people.models import Person, Position, PositionKind
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import grid_at

pytestmark = pytest.mark.django_db


def test_codes_identity_numbers_and_phones_are_valid(shared_demo):
    regions = {r.pk: r for r in Region.objects.all()}
    for r in regions.values():
        parent = regions.get(r.parent_id or 0)
        community = None
        if r.level == Level.GRID:
            community = next(regions[i] for i in r.ancestor_ids() if regions[i].level == Level.COMMUNITY)
        codes.check_code(
            r.level,
            r.code,
            parent_code=parent.code if parent else None,
            community_code=community.code if community else None,
        )
    for p in Person.objects.all():
        assert is_valid_id_card(p.reveal_id_card())
        assert p.reveal_id_card()[16] in ("13579" if p.gender == "M" else "02468")
        phone = p.reveal_phone()
        assert phone == "" or is_valid_phone(phone)
    # west→east, north→south: in each row of flat grids, codes grow eastwards
    community = Region.objects.get(name="文昌社区")
    grids = list(Region.objects.filter(parent=community, level=Level.GRID).order_by("code"))
    assert [g.code[-3:] for g in grids] == [f"{i:03d}" for i in range(1, len(grids) + 1)]
    first, second, last = grids[0], grids[1], grids[-1]
    assert first.centre_lat is not None and last.centre_lat is not None and first.centre_lat > last.centre_lat
    assert first.centre_lng is not None and second.centre_lng is not None
    assert first.centre_lng < second.centre_lng  # 4 grids: two rows of two


def test_organisations_have_secretaries_and_partners(shared_demo):
    for org in PartyOrganisation.objects.exclude(kind=OrgKind.GROUP):
        assert org.positions.filter(kind=PositionKind.SECRETARY).count() == 1, org.name
    assert (
        Position.objects.filter(kind=PositionKind.CONCURRENT_MEMBER).exclude(person__employer="").count()
        >= 12
    )
    assert Person.objects.exclude(party_status="").exclude(employer="").exists()  # in-service members


def test_every_persona_has_an_account_with_its_role(shared_demo):
    for persona in PERSONAS:
        user = User.objects.get(username=persona.username)
        assert user.person is not None
        assert user.check_password(DEMO_PASSWORD)
        assignment = RoleAssignment.objects.get(user=user)
        assert assignment.role == persona.role
    expected_levels = {
        "wanggeyuan": Level.GRID,
        "wanggezhang": Level.GRID,
        "shequ_shuji": Level.COMMUNITY,
        "jiedao": Level.STREET,
        "zuzhibu": Level.COUNTY,
        "sysadmin": Level.CITY,
        "cun_shuji": Level.COMMUNITY,
    }
    for username, level in expected_levels.items():
        assert RoleAssignment.objects.get(user__username=username).region.level == level
    # the persona's person holds the matching post
    secretary = User.objects.get(username="shequ_shuji").person
    assert secretary is not None
    assert secretary.positions.filter(
        kind=PositionKind.SECRETARY, organisation__region__name="文昌社区"
    ).exists()
    worker = User.objects.get(username="wanggeyuan").person
    assert worker is not None and worker.positions.filter(kind=PositionKind.GRID_WORKER).exists()
    member = User.objects.get(username="dangyuan").person
    assert member is not None and member.party_status


def test_grids_tile_their_community(shared_demo):
    rng = random.Random(1)
    for community in Region.objects.filter(level=Level.COMMUNITY):
        polygon = shape(community.geometry)
        children = Region.objects.filter(parent=community, level=Level.GRID)
        assert sum(shape(g.geometry).area for g in children) == pytest.approx(polygon.area, rel=1e-4)
        min_lng, min_lat, max_lng, max_lat = polygon.bounds
        found = 0
        while found < 12:
            lng, lat = rng.uniform(min_lng, max_lng), rng.uniform(min_lat, max_lat)
            if not polygon.contains(Point(lng, lat)):
                continue
            grid = grid_at(lng, lat)
            assert grid is not None, (community.name, lng, lat)
            assert grid.code.startswith(community.code)
            assert not Region.objects.filter(parent=grid, level=Level.GRID).exists()  # the innermost
            found += 1
    for parent in Region.objects.filter(level=Level.GRID, children__level=Level.GRID).distinct():
        area = sum(shape(g.geometry).area for g in parent.children.filter(level=Level.GRID))
        assert area == pytest.approx(shape(parent.geometry).area, rel=1e-4)
