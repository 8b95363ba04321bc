"""Demo and benchmark cases: the bulk writer writes exactly what the services write for the same
plans, and the services path leaves cases in every state with consistent timelines."""

import random
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tongxin.cases import clock
from tongxin.cases.models import Case, CaseStatus
from tongxin.cases.tests.cast import build_cast
from tongxin.demo.cases import (
    _Codes,
    _Phones,
    _Simulator,
    apply_with_services,
    bulk_cases,
    ensure_duty_accounts,
    generate_cases,
    places,
    plan_cases,
    simulate,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CASE_FIELDS = [
    f.attname
    for f in Case._meta.concrete_fields
    # secrets and random codes differ; bulk cases keep no link token (nobody follows their links)
    if f.attname
    not in {
        "id",
        "tracking_code",
        "rating_token_hash",
        "reporter_phone_encrypted",
        "tracking_token_encrypted",
    }
]


def snapshot(cases: list[Case]) -> list[dict[str, Any]]:
    """Everything the writers wrote about each case, except ids, secrets and random codes."""
    rows = []
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("reported_at", "lng"):
        rows.append(
            {
                **{name: getattr(case, name) for name in CASE_FIELDS},
                "phone": case.reporter_phone_masked,
                "timeline": list(
                    case.transitions.order_by("at", "id").values_list(
                        "action",
                        "from_status",
                        "to_status",
                        "actor_id",
                        "actor_label",
                        "reason",
                        "data",
                        "at",
                    )
                ),
                "whistles": list(
                    case.whistles.order_by("id").values_list(
                        "whistle_type_id",
                        "step",
                        "to_region_id",
                        "to_responder_id",
                        "by_id",
                        "automatic",
                        "reason",
                        "whistled_at",
                        "report_due",
                        "reported_at",
                        "reported_by_id",
                        "superseded_at",
                        "community_path",
                    )
                ),
                "supervisions": list(
                    case.supervisions.order_by("id").values_list(
                        "by_id",
                        "automatic",
                        "note",
                        "created_at",
                        "answer",
                        "answered_at",
                        "answered_by_id",
                        "community_path",
                    )
                ),
            }
        )
    return rows


@pytest.fixture
def district(tree):
    cast = build_cast(tree)
    ensure_duty_accounts([tree.community_a2])  # its secretary exists; nobody verifies there yet
    return tree, cast


def test_bulk_writes_what_the_services_write(district):
    tree, _cast = district
    rng = random.Random(2026)
    with clock.calendar_held():
        where = places([tree.community_a1, tree.community_a2], rng)
        plans = list(plan_cases(rng=rng, where=where, now=NOW, days=150, total=160, references=False))
        through_services = snapshot(apply_with_services(plans))
        Case.objects.all().delete()
        rows = simulate(plans, _Codes(random.Random(1)), _Phones(), _Simulator())
        rows.write()
        in_bulk = snapshot(rows.cases)
    assert len(through_services) == len(in_bulk) == 160
    for one, other in zip(through_services, in_bulk, strict=True):
        assert one == other
    reached = {row["status"] for row in in_bulk}
    assert reached >= {CaseStatus.REJECTED, CaseStatus.CLOSED, CaseStatus.ARCHIVED}, reached
    assert any(row["whistles"] for row in in_bulk) and any(row["supervisions"] for row in in_bulk)


def test_duty_accounts_are_made_once(district):
    tree, _cast = district
    assert ensure_duty_accounts([tree.community_a1, tree.community_a2, tree.community_b1]) == 2  # b1: both
    assert ensure_duty_accounts([tree.community_b1]) == 0


def test_generate_cases_leaves_every_state(district):
    tree, _cast = district
    summary = generate_cases(
        rng=random.Random(5),
        now=NOW,
        communities=[tree.community_a1, tree.community_a2],
        days=200,
        per_grid_per_month=12,
    )
    assert summary.cases == Case.objects.count() > 300
    everything = set(CaseStatus.values)
    assert set(summary.statuses) >= everything - {CaseStatus.CLOSED_UNSOLVED}, summary.statuses
    assert summary.sample_links and all(len(token) > 20 for _code, token in summary.sample_links)
    for case in Case.objects.all():
        timeline = list(case.transitions.order_by("at", "id"))
        assert timeline[-1].to_status == case.status and len(timeline) == case.version + 1


def test_bulk_cases(district):
    tree, _cast = district
    summary = bulk_cases(500, rng=random.Random(9), now=NOW, batch=200)
    assert summary.cases == Case.objects.count() == 500
    assert summary.transitions == sum(c.version + 1 for c in Case.objects.all())
    assert len(set(Case.objects.values_list("tracking_code", flat=True))) == 500
    assert Case.objects.filter(community=tree.community_b1).count() == 0  # no grids there
    assert not Case.objects.filter(transitions__processed_at__isnull=True).exists()
