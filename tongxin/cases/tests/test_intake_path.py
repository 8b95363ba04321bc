"""The resident's intake after its round trips were cut (BENCHMARKS.md, intake through gunicorn):
every check stays — the hourly limit per address (now counted before the intake's transaction),
idempotency, the kept counts and the seal of the intake transition."""

import json

import pytest
from django.core.cache import cache

from tongxin.audit.integrity import verify
from tongxin.cases import flow_counts
from tongxin.cases.models import Case, CaseFlowCount, CaseFlowMonth, CaseTransition, IdempotencyKey
from tongxin.core import ratelimit

pytestmark = pytest.mark.django_db

BODY = {
    "kind": "complaint",
    "category": "0101",
    "description": "楼下垃圾三天没人清运，气味很大",
    "reporter_phone": "13812345678",
    "lng": 120.605,
    "lat": 31.31,
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def report(client, key: str | None = None, address: str = "10.0.0.1", **changes):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/cases/public",
        json.dumps({**BODY, **changes}),
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=address,
    )


def test_the_hourly_limit_per_address_holds_with_idempotency_keys(client, tree, settings):
    settings.TONGXIN_PUBLIC_INTAKE_PER_HOUR = 2
    assert report(client, "a").status_code == 201
    assert report(client, "b").status_code == 201
    refused = report(client, "c")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert Case.objects.count() == 2
    assert not IdempotencyKey.objects.filter(key="c").exists()  # refused before the key was stored
    assert report(client, "d", address="10.0.0.2").status_code == 201  # another address
    assert report(client).status_code == 429  # without a key too
    assert Case.objects.count() == 3


def test_the_counter_counts_each_hit_and_starts_again_after_a_reset():
    assert [ratelimit.hit("limit:test", 60) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("limit:test") == 3
    ratelimit.reset("limit:test")
    assert ratelimit.count("limit:test") == 0
    assert ratelimit.hit("limit:test", 60) == 1


def test_an_intake_writes_the_case_its_counts_and_a_sealed_transition(client, tree):
    assert report(client, "one").status_code == 201
    assert report(client, "two").status_code == 201
    assert report(client, "one").status_code == 201  # a replay: no third case
    cases = list(Case.objects.all())
    assert len(cases) == 2 and CaseTransition.objects.count() == 2
    # the kept counts (written in one round trip on PostgreSQL) equal a recount from the cases
    day = CaseFlowCount.objects.get()
    assert day.received == 2 and day.community_id == cases[0].community_id
    months = CaseFlowMonth.objects.all()
    assert {m.node_id for m in months} == set(flow_counts.ancestor_ids(day.community_path))
    assert all(m.received == 2 for m in months)
    assert verify().intact  # the intake transitions carry their seals
