"""Co-building test data through the real services, on the test tree (tongxin.testing.build_tree).

unit_a (a county department) is paired with 滚绣坊社区 (community_a1) and has liaison_a; unit_b (a
university in street B) is paired with 平江路社区 (community_b1) and has liaison_b. 锦帆路社区
(community_a2) is paired with nobody.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tongxin.accounts.models import User
from tongxin.core.actors import Actor
from tongxin.core.roles import Role
from tongxin.lists.models import Need, NeedCategory, NeedSource
from tongxin.lists.services import need_create
from tongxin.partners.models import Pairing, PartnerUnit, UnitKind
from tongxin.partners.services import pairing_create, unit_create, unit_liaisons_set
from tongxin.testing import Tree, make_user


@dataclass
class CoBuildingCast:
    tree: Tree
    secretary: User  # community secretary of community_a1 (keeps its lists)
    neighbour: User  # community secretary of community_a2
    street: User  # street A official
    stranger: User  # street B official
    county: User  # county organisation department: sees, does not keep
    liaison_a: User
    liaison_b: User
    idle_liaison: User  # holds the liaison role but speaks for no unit
    nobody: User
    unit_a: PartnerUnit
    unit_b: PartnerUnit
    pairing_a: Pairing
    pairing_b: Pairing


def build_cobuilding(tree: Tree, *, joined_on: date = date(2025, 1, 1)) -> CoBuildingCast:
    street = make_user(Role.STREET_OFFICIAL, tree.street_a)
    stranger = make_user(Role.STREET_OFFICIAL, tree.street_b)
    liaison_a = make_user(Role.PARTNER_LIAISON, tree.street_a)
    liaison_b = make_user(Role.PARTNER_LIAISON, tree.street_b)
    unit_a = unit_create(
        name="姑苏区水务局",
        kind=UnitKind.COUNTY_DEPARTMENT,
        region=tree.street_a,
        actor=street,
        joined_on=joined_on,
    )
    unit_b = unit_create(
        name="苏州大学", kind=UnitKind.UNIVERSITY, region=tree.street_b, actor=stranger, joined_on=joined_on
    )
    unit_liaisons_set(unit=unit_a, liaisons=[liaison_a], actor=street)
    unit_liaisons_set(unit=unit_b, liaisons=[liaison_b], actor=stranger)
    pairing_a = pairing_create(unit=unit_a, region=tree.community_a1, actor=street, started_on=joined_on)
    pairing_b = pairing_create(unit=unit_b, region=tree.community_b1, actor=stranger, started_on=joined_on)
    return CoBuildingCast(
        tree=tree,
        secretary=make_user(Role.COMMUNITY_SECRETARY, tree.community_a1),
        neighbour=make_user(Role.COMMUNITY_SECRETARY, tree.community_a2),
        street=street,
        stranger=stranger,
        county=make_user(Role.COUNTY_ORG, tree.county),
        liaison_a=liaison_a,
        liaison_b=liaison_b,
        idle_liaison=make_user(Role.PARTNER_LIAISON, tree.street_a),
        nobody=make_user(None, None),
        unit_a=unit_a,
        unit_b=unit_b,
        pairing_a=pairing_a,
        pairing_b=pairing_b,
    )


def publish_need(
    region: Any,
    actor: Actor,
    *,
    title: str = "老旧小区路灯不亮",
    category: str = NeedCategory.FACILITIES,
    source: str = NeedSource.GRID_VISIT,
    now: datetime | None = None,
    **extra: Any,
) -> Need:
    return need_create(
        title=title,
        description=extra.pop("description", "晚上出行不便，老人摔倒过两次"),
        category=category,
        source=source,
        region=region,
        actor=actor,
        now=now,
        **extra,
    )
