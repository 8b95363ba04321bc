"""Property: every API list returns exactly what the user's roles reach, for random trees and users.

The expected sets are computed naively here, by walking parent links in Python, so that a bug in
the path helpers or the scope filters cannot hide behind the same bug in the test.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongxin.accounts.services import role_grant, separation_conflict, token_create, user_create
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import ROLE_CAPABILITIES, Capability, Role
from tongxin.members.selectors import card_reports
from tongxin.members.testing import make_post, make_report
from tongxin.organisations.models import OrgKind
from tongxin.organisations.services import organisation_create
from tongxin.people.models import PositionKind
from tongxin.people.services import person_create, position_create
from tongxin.regions.models import Level
from tongxin.regions.services import region_create
from tongxin.testing import make_member, make_person

CHILD_LEVELS: dict[str, list[str]] = {
    Level.CITY: [Level.COUNTY],
    Level.COUNTY: [Level.STREET],
    Level.STREET: [Level.COMMUNITY],
    Level.COMMUNITY: [Level.GRID],
    Level.GRID: [Level.GRID, Level.BUILDING],
    Level.BUILDING: [],
}
# one full branch from the first city down to a building, so every level occurs in every example
SPINE = [Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID, Level.GRID, Level.BUILDING]
ROLES = sorted(Role.values)


@dataclass
class Plan:
    """What to build: every reference is an index into an earlier list."""

    nodes: list[tuple[int | None, str]] = field(default_factory=list)  # (parent index, level)
    people: list[int] = field(default_factory=list)  # node index
    orgs: list[tuple[int, int | None]] = field(default_factory=list)  # (node index, parent org index)
    positions: list[tuple[int, int, int | None]] = field(default_factory=list)  # (person, node, org)
    users: list[list[tuple[str, int]]] = field(default_factory=list)  # [(role, node index)]

    def ancestors_or_self(self, node: int) -> list[int]:
        chain: list[int] = []
        current: int | None = node
        while current is not None:
            chain.append(current)
            current = self.nodes[current][0]
        return chain


@st.composite
def plans(draw: Any) -> Plan:
    plan = Plan()
    plan.nodes.append((None, Level.CITY))
    for level in SPINE:
        plan.nodes.append((len(plan.nodes) - 1, level))
    if draw(st.booleans()):
        plan.nodes.append((None, Level.CITY))  # a second, unrelated tree
    for _ in range(draw(st.integers(0, 14))):
        parents = [i for i, (_p, level) in enumerate(plan.nodes) if CHILD_LEVELS[level]]
        parent = draw(st.sampled_from(parents))
        plan.nodes.append((parent, draw(st.sampled_from(CHILD_LEVELS[plan.nodes[parent][1]]))))
    node = st.integers(0, len(plan.nodes) - 1)
    plan.people = draw(st.lists(node, max_size=8))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(node)
        above = set(plan.ancestors_or_self(at))
        possible = [i for i, (org_node, _p) in enumerate(plan.orgs) if org_node in above]
        parent = draw(st.none() | st.sampled_from(possible)) if possible else None
        plan.orgs.append((at, parent))
    if plan.people:
        for _ in range(draw(st.integers(0, 6))):
            person = draw(st.integers(0, len(plan.people) - 1))
            org = draw(st.none() | st.integers(0, len(plan.orgs) - 1)) if plan.orgs else None
            plan.positions.append((person, draw(node), org))
    for _ in range(draw(st.integers(1, 3))):
        roles: list[tuple[str, int]] = []
        for role, at in draw(st.lists(st.tuples(st.sampled_from(ROLES), node), max_size=3)):
            if separation_conflict({r for r, _n in roles}, role):
                continue  # 三权分立: an administrator role excludes every other role
            roles.append((role, at))
        plan.users.append(roles)
    return plan


def _code(plan: Plan, index: int, codes: list[str], counters: dict[Any, int], community_of: list[int]) -> str:
    parent, level = plan.nodes[index]

    def next_in(key: Any) -> int:
        counters[key] = counters.get(key, 0) + 1
        return counters[key]

    if parent is None:
        return f"32{next_in('city'):02d}00000000"
    above = codes[parent]
    if level == Level.COUNTY:
        return f"{above[:4]}{next_in(parent):02d}000000"
    if level == Level.STREET:
        return f"{above[:6]}{next_in(parent):03d}000"
    if level == Level.COMMUNITY:
        return f"{above[:9]}{next_in(parent):03d}"
    if level == Level.GRID:
        community = community_of[index]
        return f"{codes[community]}{next_in(('grid', community)):03d}"
    return f"{above}{next_in(parent):05d}"


def build(plan: Plan) -> dict[str, list[Any]]:
    regions: list[Any] = []
    codes: list[str] = []
    counters: dict[Any, int] = {}
    community_of: list[int] = []
    for index, (parent, level) in enumerate(plan.nodes):
        community_of.append(
            index if level == Level.COMMUNITY else (community_of[parent] if parent is not None else -1)
        )
        code = _code(plan, index, codes, counters, community_of)
        codes.append(code)
        regions.append(
            region_create(
                actor=SYSTEM,
                name=f"{level}-{index}",
                level=level,
                code=code,
                parent=regions[parent] if parent is not None else None,
            )
        )
    people = [person_create(name=f"居民{i}", region=regions[at]) for i, at in enumerate(plan.people)]
    orgs: list[Any] = []
    for i, (at, parent) in enumerate(plan.orgs):
        orgs.append(
            organisation_create(
                name=f"党委{i}",
                kind=OrgKind.COMMITTEE,
                code=f"P-{i}",
                region=regions[at],
                parent=orgs[parent] if parent is not None else None,
            )
        )
    positions = []
    for person, at, org in plan.positions:
        if org is None:
            positions.append(
                position_create(
                    person=people[person],
                    kind=PositionKind.RESIDENTS_DIRECTOR,
                    region=regions[at],
                    starts_on=date(2024, 1, 1),
                )
            )
        else:  # held in the organisation, at its region
            positions.append(
                position_create(
                    person=people[person],
                    kind=PositionKind.SECRETARY,
                    organisation=orgs[org],
                    starts_on=date(2024, 1, 1),
                )
            )
    return {"regions": regions, "people": people, "orgs": orgs, "positions": positions}


def expected_nodes(plan: Plan, roles: list[tuple[str, int]], capability: str) -> set[int] | None:
    """Node indexes the roles reach for `capability`; None when no role grants it at all."""
    roots = {at for role, at in roles if capability in ROLE_CAPABILITIES[role]}
    if not roots:
        return None
    return {i for i in range(len(plan.nodes)) if roots & set(plan.ancestors_or_self(i))}


def listed(client: Client, path: str, secret: str) -> tuple[int, set[int] | None]:
    response = client.get(f"/api/v1{path}", {"limit": 500}, headers={"Authorization": f"Bearer {secret}"})
    if response.status_code != 200:
        return response.status_code, None
    data = response.json()
    if "features" in data:
        return 200, {f["id"] for f in data["features"]}
    found = {item["id"] for item in data["items"]}
    assert data["count"] == len(found) == len(data["items"]), path
    return 200, found


_users = {"n": 0}


def check_user(plan: Plan, built: dict[str, list[Any]], roles: list[tuple[str, int]], client: Client) -> None:
    _users["n"] += 1
    user = user_create(username=f"property{_users['n']}", password=None)
    for role, at in roles:
        role_grant(user=user, role=role, region=built["regions"][at], granted_by=None)
    _, secret = token_create(user=user, name="property")

    # where each listed object sits in the tree, as node indexes
    located_at: dict[str, list[int]] = {
        "/regions": list(range(len(plan.nodes))),
        "/regions/grids": [i if level == Level.GRID else -1 for i, (_p, level) in enumerate(plan.nodes)],
        "/organisations": [at for at, _parent in plan.orgs],
        "/people": plan.people,
        "/positions": [at if org is None else plan.orgs[org][0] for _person, at, org in plan.positions],
    }
    objects = {
        "/regions": built["regions"],
        "/regions/grids": built["regions"],
        "/organisations": built["orgs"],
        "/people": built["people"],
        "/positions": built["positions"],
    }
    capability = {
        "/regions": Capability.STRUCTURE_VIEW,
        "/regions/grids": Capability.STRUCTURE_VIEW,
        "/organisations": Capability.STRUCTURE_VIEW,
        "/people": Capability.PEOPLE_VIEW,
        "/positions": Capability.PEOPLE_VIEW,
    }
    for path, places in located_at.items():
        reach = expected_nodes(plan, roles, capability[path])
        status, found = listed(client, path, secret)
        if reach is None:
            assert status == 403, (path, roles)
            continue
        expected = {objects[path][i].pk for i, at in enumerate(places) if at in reach}
        assert status == 200, path
        assert found == expected, (path, roles)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans())
def test_every_list_returns_exactly_the_users_subtree(plan: Plan) -> None:
    client = Client()
    with transaction.atomic():
        built = build(plan)
        for roles in plan.users:
            check_user(plan, built, roles, client)
        transaction.set_rollback(True)


# ---- member cards: the employer organisation reads its own members' cards only (issue 12, item 6) --


@st.composite
def employer_plans(draw: Any) -> tuple[list[int | None], list[int | None], list[int]]:
    """Committees nested under each other (parent index or None: under the county's), reports with
    an employer organisation (index or None), and the committees whose secretary the user is."""
    orgs: list[int | None] = []
    for i in range(draw(st.integers(1, 5))):
        orgs.append(draw(st.none() | st.integers(0, i - 1)) if i else None)
    reports = draw(st.lists(st.none() | st.integers(0, len(orgs) - 1), max_size=6))
    held = draw(st.lists(st.integers(0, len(orgs) - 1), max_size=2, unique=True))
    return orgs, reports, held


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=employer_plans())
def test_member_cards_reach_only_the_users_own_employer_organisations(tree: Any, plan: Any) -> None:
    orgs_plan, reports_plan, held = plan
    client = Client()
    with transaction.atomic():
        orgs: list[Any] = []
        for i, parent in enumerate(orgs_plan):
            orgs.append(
                organisation_create(
                    name=f"单位党委{i}",
                    kind=OrgKind.COMMITTEE,
                    code=f"EMP-{i}",
                    region=tree.county,
                    parent=orgs[parent] if parent is not None else tree.orgs["county"],
                )
            )
        post = make_post(tree.community_a1)
        reports = [
            make_report(
                make_member(tree.building, tree.orgs["grid_branch"]),
                post,
                organisation=orgs[org] if org is not None else None,
            )
            for org in reports_plan
        ]
        _users["n"] += 1
        user = user_create(username=f"employer{_users['n']}", password=None)
        user.person = make_person(tree.county)
        user.save()
        for org in held:
            position_create(
                person=user.person,
                kind=PositionKind.SECRETARY,
                organisation=orgs[org],
                starts_on=date(2020, 1, 1),
            )
        # the oracle: exactly the reports whose own employer is a committee the user serves on,
        # never one below it (a parent committee does not read through its subtree)
        expected = {
            r.pk for r, org in zip(reports, reports_plan, strict=True) if org is not None and org in held
        }
        assert {r.pk for r in card_reports(user)} == expected
        _, secret = token_create(user=user, name="property")
        year = timezone.localdate().year
        response = client.get(
            f"/api/v1/members/cards?period={year}", headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200
        assert {c["report"]["id"] for c in response.json()} == expected
        for report in reports:
            status = client.get(
                f"/api/v1/members/people/{report.person_id}/record",
                headers={"Authorization": f"Bearer {secret}"},
            ).status_code
            assert status == (200 if report.pk in expected else 404)
        transaction.set_rollback(True)
