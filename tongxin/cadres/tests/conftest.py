from dataclasses import dataclass
from datetime import date

import pytest

from tongxin.cadres.models import Committee, Term
from tongxin.cadres.services import profile_save, term_open
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.organisations.services import organisation_create
from tongxin.people.models import Person, PositionKind
from tongxin.people.services import position_create
from tongxin.testing import Tree, make_person, make_user

START = date(2021, 4, 1)


@dataclass
class World:
    tree: Tree
    org_b1: PartyOrganisation
    secretary: Person  # a1's secretary, also its director (一肩挑: 交叉任职)
    member: Person  # a1's committee member
    director_b1: Person  # b1's residents' committee director
    grid_leader: Person  # a grid leader of a1 (三长)
    term: Term  # a1's Party committee term


@pytest.fixture
def world(tree) -> World:
    a1, b1 = tree.community_a1, tree.community_b1
    org = tree.orgs["community"]
    org_b1 = organisation_create(
        name="中共平江路社区委员会",
        kind=OrgKind.COMMITTEE,
        code="ORG-0099",
        region=b1,
        parent=tree.orgs["county"],
    )
    secretary = make_person(a1, gender="F", birth_date=date(1990, 5, 1), name="王书记")
    member = make_person(a1, gender="M", birth_date=date(1970, 1, 1), name="李委员")
    director_b1 = make_person(b1, gender="F", birth_date=date(1980, 1, 1), name="赵主任")
    grid_leader = make_person(a1, gender="M", birth_date=date(1995, 1, 1), name="钱网格长")
    position_create(person=secretary, kind=PositionKind.SECRETARY, starts_on=START, organisation=org)
    position_create(person=secretary, kind=PositionKind.RESIDENTS_DIRECTOR, starts_on=START, region=a1)
    position_create(person=member, kind=PositionKind.COMMITTEE_MEMBER, starts_on=START, organisation=org)
    position_create(person=director_b1, kind=PositionKind.RESIDENTS_DIRECTOR, starts_on=START, region=b1)
    position_create(
        person=grid_leader, kind=PositionKind.GRID_LEADER, starts_on=START, region=tree.grids["1.1"]
    )
    profile_save(actor=SYSTEM, person=secretary, education="bachelor", wealth_leader=True)
    profile_save(actor=SYSTEM, person=member, education="senior")
    profile_save(actor=SYSTEM, person=director_b1, education="college")
    term = term_open(actor=SYSTEM, region=a1, committee=Committee.PARTY, starts_on=START, number=11)
    term_open(actor=SYSTEM, region=b1, committee=Committee.RESIDENTS, starts_on=START)
    return World(tree, org_b1, secretary, member, director_b1, grid_leader, term)


@pytest.fixture
def county(world):
    return make_user(Role.COUNTY_ORG, world.tree.county)


@pytest.fixture
def street(world):
    return make_user(Role.STREET_OFFICIAL, world.tree.street_a)


@pytest.fixture
def village_secretary(world):
    """The secretary of a1 (a community secretary's account, kept at the community or village)."""
    return make_user(Role.COMMUNITY_SECRETARY, world.tree.community_a1)


@pytest.fixture
def other_secretary(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.tree.community_b1)
