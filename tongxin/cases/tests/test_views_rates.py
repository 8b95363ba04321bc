"""The three rates page against figures computed by hand on a small set of cases."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tongxin.cases.selectors import case_rates, cases_in, rates_by_node
from tongxin.cases.services import RESIDENT
from tongxin.cases.testing import report_case
from tongxin.cases.tests.pages import (
    IN_COMMUNITY_A2,
    fresh_cache,
    make_cast,
    move,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree)


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # response limit of 垃圾清运: 2 working hours
IN_TIME = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
LATE = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
LATER = datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
PERIOD = {"since": "2026-11-01", "until": "2026-11-30"}
RATES = "/cases/rates/"


def _case(cast, at=None, *, responded=None, rating=None, solved_at_visit=None, dispatched=MONDAY):
    kw = {"at": at} if at else {}
    case = report_case(cast.tree, now=dispatched.replace(hour=8), **kw)
    case = move(
        case,
        ("accept", cast.street, {"now": dispatched}),
        ("dispatch", cast.street, {"to_user": cast.staff, "now": dispatched}),
    )
    if responded is None:
        return case
    case = move(
        case,
        ("respond", cast.staff, {"now": responded}),
        ("resolve", cast.staff, {"reason": "已处理", "now": LATER}),
        ("verify_pass", cast.street, {"now": LATER}),
    )
    if rating:
        case = move(case, ("rate", RESIDENT, {"rating": rating, "solved": True, "now": LATER}))
    if solved_at_visit is not None:
        case = move(case, ("follow_up", cast.street, {"solved": solved_at_visit, "now": LATER}))
    return case


@pytest.fixture
def figures(cast):
    from tongxin.accounts.services import role_grant

    role_grant(user=cast.street, role="grid_worker", region=cast.tree.street_a, granted_by=None)  # to verify
    _case(cast, responded=IN_TIME, rating="satisfied", solved_at_visit=True)  # A1
    _case(cast, responded=LATE, rating="basically", solved_at_visit=False)  # A1
    _case(cast)  # A1, never responded
    _case(cast, IN_COMMUNITY_A2, responded=IN_TIME, rating="unsatisfied", solved_at_visit=True)  # A2
    _case(
        cast,
        dispatched=datetime(2026, 10, 12, 9, 0, tzinfo=TZ),
        responded=datetime(2026, 10, 12, 9, 30, tzinfo=TZ),
    )
    return cast


def rows_of(response):
    return {row["region"].name: row for row in response.context["rows"]}


def test_rates_for_a_street_and_its_communities(figures):
    response = figures.client("street").get(RATES, {"node": figures.tree.street_a.pk, **PERIOD})
    assert response.status_code == 200
    rows = rows_of(response)
    assert list(rows) == ["双塔街道", "滚绣坊社区", "锦帆路社区"]
    street, a1, a2 = rows["双塔街道"], rows["滚绣坊社区"], rows["锦帆路社区"]
    # dispatched 4 in November (the October case is outside the period)
    assert street["rates"].dispatched == 4
    # 响应率: 2 of 4 responded within 2 working hours; 解决率: 2 of 3 followed up confirmed solved;
    # 满意率: (1 satisfied + 0.8 × 1 basically) ÷ 3 rated
    assert (street["response"], street["resolution"], street["satisfaction"]) == ("50.0%", "66.7%", "60.0%")
    assert (a1["response"], a1["resolution"], a1["satisfaction"]) == ("33.3%", "50.0%", "90.0%")
    assert (a2["response"], a2["resolution"], a2["satisfaction"]) == ("100.0%", "100.0%", "0.0%")
    body = response.content.decode()
    assert "How the rates are counted" in body and "0.8" in body


def test_rates_default_node_and_scope(figures):
    secretary = figures.client("secretary")
    response = secretary.get(RATES, PERIOD)
    rows = rows_of(response)
    assert next(iter(rows)) == "滚绣坊社区"  # the user's own root
    assert rows["滚绣坊社区"]["rates"].dispatched == 3
    assert "锦帆路社区" not in rows
    assert secretary.get(RATES, {"node": figures.tree.street_a.pk}).status_code == 404
    assert figures.client("other").get(RATES, {"node": figures.tree.community_a1.pk}).status_code == 404


def test_rates_with_nothing_to_count(figures):
    response = figures.client("street").get(
        RATES, {"node": figures.tree.street_a.pk, "since": "2025-01-01", "until": "2025-01-31"}
    )
    street = rows_of(response)["双塔街道"]
    assert street["rates"].dispatched == 0 and street["response"] is None
    assert "—" in response.content.decode()


def test_rates_refusals(client, figures):
    assert client.get(RATES).status_code == 302
    assert figures.client("member").get(RATES).status_code == 403
    assert figures.client("street").post(RATES).status_code == 405
    bad = figures.client("street").get(RATES, {"since": "not a date", "node": "x"})
    assert bad.status_code == 200  # bad input falls back to the defaults
    swapped = figures.client("street").get(RATES, {"since": "2026-11-30", "until": "2026-11-01"})
    assert swapped.status_code == 200


def test_list_links_to_the_rates(figures):
    body = figures.client("street").get(reverse("cases:list")).content.decode()
    assert reverse("cases:rates") in body


def test_each_childs_rates_read_at_once_equal_its_own_cases_counted(figures):
    """rates_by_node reads the children of a county, a street and a community in one query each:
    every child's counts equal its own cases counted one by one."""
    since, until = date(2026, 10, 1), date(2026, 11, 30)
    tree = figures.tree
    for node in (tree.county, tree.street_a, tree.community_a1):
        rows = rates_by_node(figures.county, node, since=since, until=until)
        assert [region for region, _ in rows] == [node, *node.children.order_by("code")], node.name
        for region, rates in rows:
            assert rates == case_rates(cases_in(region), since=since, until=until), region.name
    grids = rates_by_node(figures.county, tree.community_a1, since=since, until=until)[1:]
    assert sum(rates.dispatched for _, rates in grids) == 4  # three in November, one in October
