"""The case list's bounded count (issue 17, lists): exact up to the limit, "more than" past it, in
the API, the pager, the count line and the status chips; and still inside the official's street."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.cases import views
from tongxin.cases.api import CasePage
from tongxin.cases.models import Case, CaseStatus
from tongxin.cases.selectors import cases_visible, status_counts, status_counts_bounded
from tongxin.cases.testing import report_case
from tongxin.core.keyset import COUNT_LIMIT, bounded_count
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(tree):
    """Four cases in street A (one rejected), one in street B, and an official of each street."""
    now = timezone.now()
    for days in (1, 2, 3):
        report_case(tree, now=now - timedelta(days=days))
    rejected = report_case(tree, now=now - timedelta(days=4))
    Case.objects.filter(pk=rejected.pk).update(status=CaseStatus.REJECTED)
    report_case(tree, at=(120.645, 31.31), community=tree.community_b1, now=now - timedelta(days=1))
    return {
        "a": make_user(Role.STREET_OFFICIAL, tree.street_a),
        "b": make_user(Role.STREET_OFFICIAL, tree.street_b),
    }


def test_the_limit_is_ten_thousand():
    assert COUNT_LIMIT == 10_000


@pytest.mark.parametrize(
    ("limit", "expected"), [(None, (4, False)), (5, (4, False)), (4, (4, False)), (3, (3, True))]
)
def test_bounded_count(street, limit, expected):
    qs = cases_visible(street["a"]).order_by("-reported_at")
    assert bounded_count(qs, limit) == expected
    assert bounded_count(list(qs), limit) == expected  # a plain list the same way


@pytest.mark.parametrize(
    ("limit", "count", "more"), [(5, 4, False), (4, 4, False), (3, 3, True), (1, 1, True)]
)
def test_api_says_the_bound(street, monkeypatch, limit, count, more):
    monkeypatch.setattr(CasePage, "count_limit", limit)
    body = login(street["a"]).get("/api/v1/cases", {"limit": 2}).json()
    assert (body["count"], body["count_is_lower_bound"]) == (count, more)
    assert len(body["items"]) == 2 and body["next_cursor"]  # the page itself is not bounded


def test_api_walks_past_the_bound(street, monkeypatch):
    """Every row is still reached by cursor when the count stops early."""
    monkeypatch.setattr(CasePage, "count_limit", 1)
    client, seen, cursor = login(street["a"]), [], None
    while True:
        body = client.get("/api/v1/cases", {"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in body["items"]]
        assert body["count"] == 1 and body["count_is_lower_bound"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 4


def test_api_in_scope_only(street, monkeypatch):
    monkeypatch.setattr(CasePage, "count_limit", 3)
    body = login(street["b"]).get("/api/v1/cases").json()
    assert (body["count"], body["count_is_lower_bound"]) == (1, False)
    assert login(street["b"]).get("/api/v1/cases", {"q": "x", "status": "rejected"}).json()["count"] == 0


def test_openapi_has_the_flag(client):
    schema = client.get("/api/v1/openapi.json").json()
    page = next(
        s for name, s in schema["components"]["schemas"].items() if name.startswith("PagedCaseListOut")
    )
    assert page["properties"]["count_is_lower_bound"]["type"] == "boolean"
    assert "count" in page["required"] and "count_is_lower_bound" not in page.get("required", [])


def test_status_counts_bounded_equal_the_group_by_below_the_limit(street):
    qs = cases_visible(street["a"])
    exact = status_counts(qs)
    assert status_counts_bounded(qs, 100) == {s: (n, False) for s, n in exact.items()}
    bounded = status_counts_bounded(qs, 2)
    assert bounded[CaseStatus.REPORTED] == (2, True) and bounded[CaseStatus.REJECTED] == (1, False)
    assert status_counts_bounded(cases_visible(street["b"]), 2)[CaseStatus.REPORTED] == (1, False)


def test_page_says_the_count_exactly_below_the_limit(street):
    page = login(street["a"]).get(reverse("cases:list"))
    html = page.content.decode()
    assert (
        page.context["page"].paginator.count == 4 and not page.context["page"].paginator.count_is_lower_bound
    )
    assert "4 cases" in html and "more than" not in html and page.context["total"] == (4, False)


def test_page_says_more_than_past_the_limit(street, monkeypatch):
    monkeypatch.setattr(views, "COUNT_LIMIT", 2)
    monkeypatch.setattr(views, "PER_PAGE", 1)
    page = login(street["a"]).get(reverse("cases:list"))
    html = page.content.decode()
    assert "more than 2 cases" in html and "Page 1 · more than 2 rows" in html
    assert page.context["total"] == (3, True)  # 2+ awaiting acceptance, 1 not accepted
    assert "<b>2+</b>" in html and "<b>1</b>" in html
    # street B's official: their one case, exactly
    other = login(street["b"]).get(reverse("cases:list")).content.decode()
    assert "1 case" in other and "more than" not in other


def test_page_in_chinese(street, monkeypatch):
    monkeypatch.setattr(views, "COUNT_LIMIT", 2)
    monkeypatch.setattr(views, "PER_PAGE", 1)
    client = login(street["a"])
    html = client.get(reverse("cases:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2 件以上诉求" in html and "2 条以上" in html
