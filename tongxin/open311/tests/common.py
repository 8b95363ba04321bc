"""Shared set-up for the Open311 tests: a security administrator, keys, and posting helpers."""

from typing import Any

from django.test import Client

from tongxin.core.roles import Role
from tongxin.open311.keys import client_key_issue
from tongxin.testing import Tree, make_user

BASE = "/open311/v2/"
IN_GRID_11 = {"lat": "31.31", "long": "120.605"}  # 滚绣坊社区 grid 1 (street A)
IN_COMMUNITY_B1 = {"lat": "31.31", "long": "120.645"}  # 平江路社区 (street B)


def security_admin(tree: Tree, username: str = "anquan") -> Any:
    return make_user(Role.SECURITY_ADMIN, tree.city, username=username)


def issue(tree: Tree, region: Any = None, **kw: Any) -> tuple[Any, str]:
    admin = kw.pop("admin", None) or security_admin(tree, username=f"anquan{region.pk if region else 0}")
    return client_key_issue(client_name="市民随手拍", region=region or tree.street_a, issued_by=admin, **kw)


def english() -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post(client: Client, secret: str | None, fmt: str = "json", headers: Any = None, **fields: Any) -> Any:
    data = {"service_code": "0101", "description": "路口垃圾桶满了三天没人清运", **IN_GRID_11, **fields}
    if secret is not None:
        data["api_key"] = secret
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}requests.{fmt}", data, headers=headers or {})
