"""Signed pushes and the people around the exchange in the test tree."""

import hashlib
import hmac
import json
import time
from typing import Any

from django.test import Client

from tongxin.core.roles import Role
from tongxin.testing import Tree, make_user

URL = "/api/v1/exchange/hotline/tickets"


def ticket(number: str = "GS20261207000123", **extra: Any) -> dict[str, Any]:
    """A ticket located in grid 1.1 of 滚绣坊社区 (the test tree)."""
    return {
        "ticket_number": number,
        "category": "0101",
        "description": "小区门口垃圾堆放三天无人清运，气味很大",
        "lng": 120.605,
        "lat": 31.31,
        "address": "滚绣坊12号门口",
        "deadline": "2026-12-10T18:00:00+08:00",
        "caller_phone": "13812345678",
        **extra,
    }


def signed_headers(
    secret: str, body: bytes, *, peer: str = "gusu-12345", at: float | None = None
) -> dict[str, Any]:
    stamp = str(int(time.time() if at is None else at))
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {
        "HTTP_X_TONGXIN_PEER": peer,
        "HTTP_X_TONGXIN_TIMESTAMP": stamp,
        "HTTP_X_TONGXIN_SIGNATURE": signature,
    }


def push(client: Client, secret: str, data: dict[str, Any], **kw: Any) -> Any:
    body = json.dumps(data, ensure_ascii=False).encode()
    return client.post(URL, data=body, content_type="application/json", **signed_headers(secret, body, **kw))


def security_admin(tree: Tree, region: Any = None) -> Any:
    return make_user(Role.SECURITY_ADMIN, region or tree.county)


def secretary(tree: Tree, community: Any = None) -> Any:
    return make_user(Role.COMMUNITY_SECRETARY, community or tree.community_a1)
