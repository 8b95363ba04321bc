"""Shared set-up for the case page tests: people with roles, and cases moved on through the services."""

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.test import Client

from tongxin.cases.services import case_transition
from tongxin.cases.testing import report_case
from tongxin.core.roles import Role
from tongxin.testing import Tree, make_member, make_user

IN_GRID_11 = (120.605, 31.31)  # 滚绣坊社区 grid 1
IN_GRID_12 = (120.615, 31.31)  # 滚绣坊社区 grid 2
IN_COMMUNITY_A2 = (120.625, 31.31)  # 锦帆路社区 grid 1
NOWHERE = (121.5, 31.0)  # in no grid


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@dataclass
class Cast:
    tree: Tree
    secretary: Any  # community A1
    staff: Any  # community A1
    worker: Any  # grid worker of grid 1.1
    street: Any  # street A official (manage + supervise)
    county: Any  # county organisation department (view + supervise + configure)
    other: Any  # secretary of community B1 (another street)
    neighbour: Any  # secretary of community A2 (same street)
    member: Any  # Party member of grid 1.1's branch, no case role
    hotline: Any  # 12345 operator at the county
    admin: Any  # system administrator (configure only)

    def client(self, who: str) -> Client:
        return login(getattr(self, who))


def make_cast(tree: Tree) -> Cast:
    member = make_user(Role.MEMBER, tree.grids["1.1"], username="dangyuan")
    member.person = make_member(tree.grids["1.1"], tree.orgs["grid_branch"], name="李党员")
    member.save()
    return Cast(
        tree=tree,
        secretary=make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="shuji"),
        staff=make_user(Role.COMMUNITY_STAFF, tree.community_a1, username="shegong"),
        worker=make_user(Role.GRID_WORKER, tree.grids["1.1"], username="wangge"),
        street=make_user(Role.STREET_OFFICIAL, tree.street_a, username="jiedao"),
        county=make_user(Role.COUNTY_ORG, tree.county, username="zuzhibu"),
        other=make_user(Role.COMMUNITY_SECRETARY, tree.community_b1, username="pingjiang"),
        neighbour=make_user(Role.COMMUNITY_SECRETARY, tree.community_a2, username="jinfan"),
        member=member,
        hotline=make_user(Role.HOTLINE_OPERATOR, tree.county, username="jiexian"),
        admin=make_user(Role.SYSTEM_ADMIN, tree.city, username="admin"),
    )


def fresh_cache() -> Iterator[None]:
    """Around each test: the public form's rate limit counts in the cache."""
    cache.clear()
    yield
    cache.clear()


def move(case: Any, *steps: tuple[str, Any, dict[str, Any]]) -> Any:
    for action, actor, params in steps:
        case = case_transition(case=case.pk, action=action, actor=actor, **params)
    return case


def dispatched(cast: Cast, **kw: Any) -> Any:
    case = report_case(cast.tree, **kw)
    return move(case, ("accept", cast.secretary, {}), ("dispatch", cast.secretary, {"to_user": cast.staff}))


def resolved(cast: Cast, **kw: Any) -> Any:
    case = dispatched(cast, **kw)
    return move(case, ("respond", cast.staff, {}), ("resolve", cast.staff, {"reason": "已清运完毕"}))


def verified(cast: Cast, **kw: Any) -> Any:
    return move(resolved(cast, **kw), ("verify_pass", cast.worker, {}))


def tiny_png() -> bytes:
    """A valid 1×1 PNG, made here so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
