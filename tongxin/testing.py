"""Test data built through the real services (never by poking rows directly)."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection

from tongxin.accounts.models import User
from tongxin.accounts.services import role_grant, user_create
from tongxin.core.actors import SYSTEM
from tongxin.lib.geo import rectangle
from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.organisations.services import organisation_create
from tongxin.people.models import Person
from tongxin.people.services import person_create
from tongxin.regions.models import Level, Region
from tongxin.regions.services import region_create

PASSWORD = "Tongxin-test-2026"


@dataclass
class Tree:
    """苏州 → 姑苏区 → two streets; street A has two communities with two grids each."""

    city: Region
    county: Region
    street_a: Region
    street_b: Region
    community_a1: Region
    community_a2: Region
    community_b1: Region
    grids: dict[str, Region] = field(default_factory=dict)
    building: Region | None = None
    orgs: dict[str, PartyOrganisation] = field(default_factory=dict)

    def all_regions(self) -> list[Region]:
        return list(Region.objects.all())


def community_box(index: int) -> tuple[float, float, float, float]:
    lng = 120.60 + 0.02 * index
    return (lng, 31.30, lng + 0.02, 31.32)


def build_tree() -> Tree:
    city = region_create(actor=SYSTEM, name="苏州市", level=Level.CITY, code="320500000000")
    county = region_create(actor=SYSTEM, name="姑苏区", level=Level.COUNTY, code="320508000000", parent=city)
    street_a = region_create(
        actor=SYSTEM, name="双塔街道", level=Level.STREET, code="320508019000", parent=county
    )
    street_b = region_create(
        actor=SYSTEM, name="平江街道", level=Level.STREET, code="320508020000", parent=county
    )
    communities = []
    for i, (street, code, name) in enumerate(
        [
            (street_a, "320508019044", "滚绣坊社区"),
            (street_a, "320508019045", "锦帆路社区"),
            (street_b, "320508020001", "平江路社区"),
        ]
    ):
        communities.append(
            region_create(
                actor=SYSTEM,
                name=name,
                level=Level.COMMUNITY,
                code=code,
                parent=street,
                geometry=rectangle(*community_box(i)),
            )
        )
    tree = Tree(city, county, street_a, street_b, communities[0], communities[1], communities[2])
    for ci, community in enumerate(communities[:2]):
        x0, y0, _x1, _y1 = community_box(ci)
        for gi in range(2):
            key = f"{ci + 1}.{gi + 1}"
            tree.grids[key] = region_create(
                actor=SYSTEM,
                name=f"{community.name}第{gi + 1}网格",
                level=Level.GRID,
                code=f"{community.code}{gi + 1:03d}",
                parent=community,
                geometry=rectangle(x0 + 0.01 * gi, y0, x0 + 0.01 * (gi + 1), y0 + 0.02),
            )
    tree.building = region_create(
        actor=SYSTEM,
        name="1幢",
        level=Level.BUILDING,
        code=tree.grids["1.1"].code + "00001",
        parent=tree.grids["1.1"],
    )
    county_committee = organisation_create(
        name="中共姑苏区委", kind=OrgKind.COMMITTEE, code="ORG-0001", region=county
    )
    street_committee = organisation_create(
        name="中共双塔街道工作委员会",
        kind=OrgKind.WORKING_COMMITTEE,
        code="ORG-0002",
        region=street_a,
        parent=county_committee,
    )
    community_committee = organisation_create(
        name="中共滚绣坊社区委员会",
        kind=OrgKind.COMMITTEE,
        code="ORG-0003",
        region=communities[0],
        parent=street_committee,
    )
    grid_branch = organisation_create(
        name="滚绣坊社区第1网格党支部",
        kind=OrgKind.GRID_BRANCH,
        code="ORG-0004",
        region=tree.grids["1.1"],
        parent=community_committee,
    )
    tree.orgs = {
        "county": county_committee,
        "street": street_committee,
        "community": community_committee,
        "grid_branch": grid_branch,
    }
    return tree


_counter = {"n": 0}


def make_person(region: Region, **data: Any) -> Person:
    _counter["n"] += 1
    data.setdefault("name", f"测试{_counter['n']}")
    return person_create(region=region, **data)


def make_member(region: Region, branch: PartyOrganisation, *, full: bool = True, **data: Any) -> Person:
    return make_person(
        region,
        party_status="full" if full else "probationary",
        party_joined_on=date(2010, 7, 1),
        party_full_on=date(2011, 7, 1) if full else None,
        branch=branch,
        **data,
    )


def make_user(role: str | None, region: Region | None, *, username: str | None = None) -> User:
    _counter["n"] += 1
    user = user_create(username=username or f"user{_counter['n']}", password=PASSWORD)
    if role and region is not None:
        role_grant(user=user, role=role, region=region, granted_by=None)
    return user


def race(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads released together (the concurrency tests on PostgreSQL): each gets its
    own database connection, closed when it ends; a job's exception is its result. A thread still
    running after a minute fails the test rather than outliving it into the next one's tables."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a racing job did not finish in a minute"
    return results
