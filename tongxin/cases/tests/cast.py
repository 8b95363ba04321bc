"""The people around a case in the test tree, built through the services.

Everything happens in 滚绣坊社区 (community_a1) unless said otherwise; grid 1.1 holds the
community's grid Party branch.
"""

from dataclasses import dataclass
from typing import Any

from tongxin.accounts.models import User
from tongxin.cases.models import Responder
from tongxin.cases.services import responder_create
from tongxin.core.roles import Role
from tongxin.testing import Tree, make_member, make_user


@dataclass
class Cast:
    secretary: User  # community secretary: accepts, dispatches, follows up, archives
    handler: User  # community staff the case is dispatched to
    grid_worker: User  # verifies in grid 1.1
    member: User  # Party member of grid 1.1's branch: takes pooled orders
    street: User  # street official: supervises, manages the whole street
    county: User  # county organisation department: supervises only
    outsider: User  # secretary of the neighbouring community (same street)
    stranger: User  # official of the other street
    hotline: User  # 12345 operator for the county
    nobody: User  # an account without any role
    team_member: User
    officer: User
    team: Responder
    police: Responder

    def everyone(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def build_cast(tree: Tree) -> Cast:
    member = make_user(Role.MEMBER, tree.grids["1.1"])
    member.person = make_member(tree.grids["1.1"], tree.orgs["grid_branch"], name="党员王")
    member.save()
    team_member = make_user(None, None)
    officer = make_user(None, None)
    return Cast(
        secretary=make_user(Role.COMMUNITY_SECRETARY, tree.community_a1),
        handler=make_user(Role.COMMUNITY_STAFF, tree.community_a1),
        grid_worker=make_user(Role.GRID_WORKER, tree.grids["1.1"]),
        member=member,
        street=make_user(Role.STREET_OFFICIAL, tree.street_a),
        county=make_user(Role.COUNTY_ORG, tree.county),
        outsider=make_user(Role.COMMUNITY_SECRETARY, tree.community_a2),
        stranger=make_user(Role.STREET_OFFICIAL, tree.street_b),
        hotline=make_user(Role.HOTLINE_OPERATOR, tree.county),
        nobody=make_user(None, None),
        team_member=team_member,
        officer=officer,
        team=responder_create(
            name="滚绣坊应急服务队", kind=Responder.Kind.TEAM, region=tree.community_a1, members=[team_member]
        ),
        police=responder_create(
            name="双塔派出所", kind=Responder.Kind.POLICE, region=tree.street_a, members=[officer]
        ),
    )
