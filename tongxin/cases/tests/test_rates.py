"""Three rates (响应率, 解决率, 满意率) against values computed by hand."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tongxin.cases.selectors import case_rates, cases_in, rate_rules_for, region_rates
from tongxin.cases.services import RESIDENT, case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.core.roles import Role
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # 垃圾清运: respond within 2 working hours
NOVEMBER = {"since": date(2026, 11, 1), "until": date(2026, 11, 30)}


def dispatched(tree, cast, at, *, where=(120.605, 31.31), secretary=None):
    case = report_case(tree, at=where, now=at - timedelta(days=3))  # reported before the period
    secretary = secretary or cast.secretary
    case_transition(case=case, action="accept", actor=secretary, now=at)
    return case_transition(case=case, action="dispatch", actor=secretary, to_user=cast.handler, now=at)


def handled(case, cast, *, respond_at, rating=None, solved=None, phone_rating=None, verifier=None):
    t = respond_at
    case = case_transition(case=case, action="respond", actor=cast.handler, now=t)
    case = case_transition(
        case=case, action="resolve", actor=cast.handler, reason="已清运", now=t + timedelta(hours=1)
    )
    case = case_transition(
        case=case, action="verify_pass", actor=verifier or cast.grid_worker, now=t + timedelta(hours=2)
    )
    if rating:
        case = case_transition(
            case=case, action="rate", actor=RESIDENT, rating=rating, now=t + timedelta(hours=3)
        )
    if solved is not None:
        params = {"solved": solved, **({"rating": phone_rating} if phone_rating else {})}
        case = case_transition(
            case=case, action="follow_up", actor=cast.street, now=t + timedelta(hours=4), **params
        )
    return case


@pytest.fixture
def city(tree):
    cast = build_cast(tree)
    verifier = make_user(Role.GRID_LEADER, tree.street_a)  # verifies anywhere in the street
    a = dispatched(tree, cast, MONDAY_9)
    handled(a, cast, respond_at=MONDAY_9 + timedelta(hours=1), rating="satisfied", solved=True)
    b = dispatched(tree, cast, MONDAY_9)
    assert b.response_due == MONDAY_9 + timedelta(hours=2)
    handled(
        b, cast, respond_at=MONDAY_9 + timedelta(hours=5, minutes=30), rating="basically", solved=False
    )  # late
    c = dispatched(tree, cast, MONDAY_9, where=(120.615, 31.31))  # grid 1.2
    handled(
        c,
        cast,
        respond_at=MONDAY_9 + timedelta(minutes=30),
        solved=True,
        phone_rating="unsatisfied",
        verifier=verifier,
    )
    dispatched(tree, cast, MONDAY_9 + timedelta(days=1))  # d: never responded
    e = report_case(tree, now=MONDAY_9)  # accepted, never dispatched: not in the rates
    case_transition(case=e, action="accept", actor=cast.secretary, now=MONDAY_9)
    october = dispatched(tree, cast, datetime(2026, 10, 30, 9, 0, tzinfo=TZ))  # f: before the period
    handled(
        october, cast, respond_at=datetime(2026, 10, 30, 9, 30, tzinfo=TZ), rating="satisfied", solved=True
    )
    # g: the neighbouring community's case counts for the street, not for 滚绣坊
    g = dispatched(tree, cast, MONDAY_9, where=(120.625, 31.31), secretary=cast.street)
    handled(
        g, cast, respond_at=MONDAY_9 + timedelta(hours=1), rating="satisfied", solved=True, verifier=verifier
    )
    return tree, cast


def test_rates_of_a_community_by_hand(city):
    tree, _cast = city
    rates = region_rates(tree.community_a1, **NOVEMBER)
    # dispatched in November: a, b, c, d
    assert rates.dispatched == 4
    # responded within 2 working hours: a (1 h) and c (0.5 h); b took 5.5 h, d never responded
    assert rates.responded_in_time == 2 and rates.response_rate == Decimal("0.5000")
    # concluded (办结, here all after 回访): a, b, c; confirmed solved: a and c
    assert (rates.concluded, rates.solved) == (3, 2) and rates.resolution_rate == Decimal("0.6667")
    # rated: a 满意, b 基本满意 (the resident's link), c 不满意 (given on the phone at 回访)
    assert (rates.rated, rates.satisfied, rates.basically) == (3, 1, 1)
    assert rates.basic_weight == Decimal("0.8") == rate_rules_for(NOVEMBER["until"]).basically_weight
    assert rates.satisfaction_rate == Decimal("0.6000")  # (1 + 0.8 × 1) ÷ 3


def test_rates_of_the_street_and_of_a_grid(city):
    tree, _cast = city
    street = region_rates(tree.street_a, **NOVEMBER)
    assert (street.dispatched, street.responded_in_time, street.concluded, street.solved) == (5, 3, 4, 3)
    assert street.satisfaction_rate == Decimal("0.7000")  # (2 + 0.8) ÷ 4
    grid = region_rates(tree.grids["1.2"], **NOVEMBER)
    assert (grid.dispatched, grid.rated, grid.satisfied) == (1, 1, 0)
    assert grid.satisfaction_rate == Decimal("0.0000")
    assert region_rates(tree.street_b, **NOVEMBER).response_rate is None  # nothing dispatched: no rate


def test_the_period_is_counted_by_recorded_dispatch_time_in_local_dates(city):
    tree, cast = city
    # 23:30 on 30 November in Shanghai is 15:30 UTC: still November
    late = dispatched(tree, cast, datetime(2026, 11, 30, 23, 30, tzinfo=TZ))
    assert region_rates(tree.community_a1, **NOVEMBER).dispatched == 5
    assert region_rates(tree.community_a1, since=date(2026, 12, 1), until=date(2026, 12, 31)).dispatched == 0
    october = region_rates(tree.community_a1, since=date(2026, 10, 1), until=date(2026, 10, 31))
    assert (october.dispatched, october.satisfied) == (1, 1)
    assert late.reported_at.month == 11  # reported 3 days earlier: the report date does not count


def test_only_recorded_timestamps_count(city, client):
    """No one can type a date into the rates: the API refuses timestamp fields, and a response
    recorded after the limit stays late even if the case is handled well afterwards."""
    tree, cast = city
    case = dispatched(tree, cast, MONDAY_9 + timedelta(days=2))
    client.force_login(cast.handler)
    response = client.post(
        f"/api/v1/cases/{case.pk}/actions/respond",
        {"responded_at": MONDAY_9.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 422
    before = region_rates(tree.community_a1, **NOVEMBER)
    handled(case, cast, respond_at=MONDAY_9 + timedelta(days=3), rating="satisfied", solved=True)
    after = region_rates(tree.community_a1, **NOVEMBER)
    assert after.dispatched == before.dispatched and after.responded_in_time == before.responded_in_time
    assert (after.solved, after.satisfied) == (before.solved + 1, before.satisfied + 1)


def _rows() -> set[tuple[Any, ...]]:
    from tongxin.cases.daily_counts import FIELDS
    from tongxin.cases.models import CaseDailyCount

    return {
        (r.community_id, r.community_path, r.day, *(getattr(r, f) for f in FIELDS))
        for r in CaseDailyCount.objects.all()
        if any(getattr(r, f) for f in FIELDS)
    }


def _settle_in_every_way(tree, cast):
    """Cases that end (or stop ending) without the usual 回访: closed as not fixed, reopened and
    closed again, archived after closing, and one merged after it had been dispatched."""
    at = MONDAY_9 + timedelta(days=2)
    unsolved = dispatched(tree, cast, at)
    case_transition(case=unsolved, action="respond", actor=cast.handler, now=at + timedelta(minutes=20))
    case_transition(
        case=unsolved,
        action="close_unsolved",
        actor=cast.secretary,
        reason="涉及产权纠纷",
        now=at + timedelta(hours=1),
    )
    archived = dispatched(tree, cast, at)
    archived = handled(archived, cast, respond_at=at + timedelta(minutes=30), solved=True)
    case_transition(case=archived, action="archive", actor=cast.secretary, now=at + timedelta(days=1))
    reopened = dispatched(tree, cast, at)
    reopened = handled(reopened, cast, respond_at=at + timedelta(minutes=30), solved=True)
    reopened = case_transition(
        case=reopened, action="reopen", actor=cast.secretary, reason="问题复发", now=at + timedelta(days=1)
    )
    reopened_unsolved = dispatched(tree, cast, at)
    case_transition(
        case=reopened_unsolved, action="respond", actor=cast.handler, now=at + timedelta(minutes=5)
    )
    case_transition(
        case=reopened_unsolved,
        action="close_unsolved",
        actor=cast.secretary,
        reason="暂无法解决",
        now=at + timedelta(hours=1),
    )
    case_transition(
        case=reopened_unsolved,
        action="reopen",
        actor=cast.secretary,
        reason="有了新办法",
        now=at + timedelta(hours=2),
    )
    case_transition(
        case=reopened_unsolved,
        action="resolve",
        actor=cast.handler,
        reason="已处理",
        now=at + timedelta(hours=3),
    )
    merged = dispatched(tree, cast, at)
    case_transition(
        case=merged, action="decline", actor=cast.handler, reason="不归我管", now=at + timedelta(minutes=5)
    )
    case_transition(
        case=merged, action="merge", actor=cast.secretary, into=reopened, now=at + timedelta(days=2)
    )
    return {"unsolved": unsolved, "archived": archived, "reopened": reopened, "merged": merged}


def test_a_case_closed_unsolved_without_follow_up_lowers_the_resolution_rate(city):
    tree, cast = city
    before = region_rates(tree.community_a1, **NOVEMBER)
    case = dispatched(tree, cast, MONDAY_9 + timedelta(days=2))
    case_transition(
        case=case, action="respond", actor=cast.handler, now=MONDAY_9 + timedelta(days=2, hours=1)
    )
    case = case_transition(
        case=case,
        action="close_unsolved",
        actor=cast.secretary,
        reason="涉及产权纠纷，已转入问题清单跟进",
        now=MONDAY_9 + timedelta(days=3),
    )
    assert case.solved_confirmed is None and case.is_concluded  # no 回访, and concluded all the same
    after = region_rates(tree.community_a1, **NOVEMBER)
    assert (after.concluded, after.solved) == (before.concluded + 1, before.solved)
    assert after.resolution_rate == Decimal("0.5000") < before.resolution_rate  # 2 of 4, was 2 of 3
    grid = case_rates(cases_in(tree.grids["1.1"]), **NOVEMBER)
    assert grid.concluded == after.concluded - 1  # c is in grid 1.2


def test_what_counts_as_concluded(city):
    tree, cast = city
    settled = _settle_in_every_way(tree, cast)
    for name, concluded in [("unsolved", True), ("archived", True), ("reopened", False), ("merged", False)]:
        case = type(settled[name]).objects.get(pk=settled[name].pk)
        assert case.is_concluded is concluded, name
    rates = case_rates(cases_in(tree.community_a1), **NOVEMBER)
    # a, b, c before; now also the unsolved and the archived case (the rest are open or merged)
    assert (rates.concluded, rates.solved) == (5, 3)


def test_daily_counts_kept_by_the_transitions_equal_a_rebuild(city):
    from tongxin.cases.daily_counts import rebuild

    tree, cast = city
    _settle_in_every_way(tree, cast)
    kept = _rows()
    assert {(row[0], row[2]) for row in kept} >= {(tree.community_a1.pk, date(2026, 11, 23))}
    assert rebuild() == len(kept)
    assert _rows() == kept
    street = region_rates(tree.street_a, **NOVEMBER)
    direct = case_rates(cases_in(tree.street_a), **NOVEMBER)
    assert street == direct
    assert street.concluded == 6  # a, b, c, g and the unsolved and archived cases


def test_the_migration_refills_the_counts_of_existing_cases(city):
    from importlib import import_module

    from django.apps import apps

    from tongxin.cases.models import CaseDailyCount

    tree, cast = city
    _settle_in_every_way(tree, cast)
    kept = _rows()
    CaseDailyCount.objects.filter(community=tree.community_a1).update(concluded=0, solved=0)
    import_module("tongxin.cases.migrations.0009_refill_daily_counts_concluded").refill(apps, None)
    assert _rows() == kept


def test_the_weight_in_force_at_the_end_of_the_period_applies(city):
    from tongxin.cases.models import RateRuleSet

    tree, _cast = city
    RateRuleSet.objects.create(
        version=2, valid_from=date(2026, 11, 30), basically_weight=Decimal("0.5"), created_at=MONDAY_9
    )
    november = region_rates(tree.community_a1, **NOVEMBER)
    assert november.basic_weight == Decimal("0.5")
    assert november.satisfaction_rate == Decimal("0.5000")  # (1 + 0.5 × 1) ÷ 3
    before = region_rates(tree.community_a1, since=date(2026, 11, 1), until=date(2026, 11, 29))
    assert before.basic_weight == Decimal("0.8") and before.satisfaction_rate == Decimal("0.6000")
    assert case_rates(cases_in(tree.community_a1), **NOVEMBER).basic_weight == Decimal("0.5")
    assert rate_rules_for(date(1999, 12, 31)).basically_weight == Decimal("0.8")  # the default
