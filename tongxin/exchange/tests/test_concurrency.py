"""The same ticket pushed at the same moment twice, on PostgreSQL (real row locks, real concurrent
transactions): one case, and both pushes answer with it."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tongxin.cases.models import Case
from tongxin.cases.testing import load_case_configuration
from tongxin.core.actors import SYSTEM
from tongxin.exchange.models import HotlineTicket
from tongxin.exchange.services import peer_create, ticket_receive
from tongxin.exchange.tests.helpers import URL, signed_headers, ticket
from tongxin.testing import build_tree, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: sh scripts/with-postgres.sh .venv/bin/pytest tongxin/exchange")


def test_the_same_ticket_pushed_concurrently_makes_one_case():
    load_case_configuration()
    tree = build_tree()
    _peer, secret = peer_create(actor=SYSTEM, name="姑苏区12345热线", code="gusu-12345", region=tree.county)

    def push(n: int) -> Any:
        # each its own body (a different address), so neither is refused as a replay
        body = json.dumps(ticket(address=f"滚绣坊{n}号")).encode()
        return Client().post(URL, data=body, content_type="application/json", **signed_headers(secret, body))

    answers = race(*(lambda n=n: push(n) for n in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201], answers
    assert len({a.json()["case"] for a in answers}) == 1
    assert Case.objects.count() == 1 and HotlineTicket.objects.count() == 1


def test_the_service_alone_under_concurrency():
    load_case_configuration()
    tree = build_tree()
    peer, _secret = peer_create(actor=SYSTEM, name="姑苏区12345热线", code="gusu-12345", region=tree.county)
    results = race(*(lambda: ticket_receive(peer=peer, data=ticket("C-9")) for _ in range(3)))
    assert [created for _ticket, created in results].count(True) == 1, results
    assert Case.objects.filter(hotline_ticket="C-9").count() == 1
