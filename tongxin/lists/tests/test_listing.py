"""The needs, resources and projects lists: period and kind filters, the count, the Excel export and
the API, each inside the official's own street."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.core.tests.listing import api_items, data_rows, login, sheet_rows
from tongxin.lists.models import ProjectKind, ResourceKind
from tongxin.lists.services import project_create, resource_create
from tongxin.partners.services import unit_create
from tongxin.partners.testing import build_cobuilding, publish_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


@pytest.fixture
def needs(cast, tree):
    now = timezone.now().replace(microsecond=0)
    old = publish_need(tree.community_a1, cast.secretary, title="A旧需求", now=now - timedelta(days=30))
    publish_need(tree.grids["1.1"], cast.secretary, title="A新需求", now=now - timedelta(days=2))
    publish_need(tree.community_b1, cast.stranger, title="B需求", now=now - timedelta(days=2))
    return old


def test_needs_stay_in_the_street(cast, needs):
    client = login(cast.street)
    page = client.get(reverse("lists:needs"))
    assert page.context["count"] == 2 and "B需求" not in page.content.decode()
    rows = sheet_rows(client.get(reverse("lists:need_export")))
    assert rows[-1][0] == "Total" and len(rows) - 2 == 2
    assert {r[0] for r in rows[1:-1]} == {"A旧需求", "A新需求"}
    count, items = api_items(client, "/api/v1/lists/needs")
    assert count == 2 and "B需求" not in {i["title"] for i in items}
    assert login(cast.stranger).get(reverse("lists:needs")).context["count"] == 1


def test_needs_period_edges(cast, needs):
    client = login(cast.street)
    day = timezone.localdate(needs.created_at)
    exact = {"since": day.isoformat(), "until": day.isoformat()}
    assert client.get(reverse("lists:needs"), exact).context["count"] == 1
    assert client.get(reverse("lists:needs"), {"since": day + timedelta(days=1)}).context["count"] == 1
    assert client.get(reverse("lists:needs"), {"until": day - timedelta(days=1)}).context["count"] == 0
    assert [r[0] for r in data_rows(client.get(reverse("lists:need_export"), exact))] == ["A旧需求"]
    assert api_items(client, "/api/v1/lists/needs", **exact)[0] == 1
    bad = client.get("/api/v1/lists/needs", {"until": "2025-04-31"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    reversed_period = client.get("/api/v1/lists/needs", {"since": "2025-05-02", "until": "2025-05-01"})
    assert reversed_period.status_code == 400
    assert client.get(reverse("lists:need_export"), {"since": "5/1"}).status_code == 302


def test_resources_by_kind_and_street(cast, tree):
    resource_create(unit=cast.unit_a, actor=cast.street, kind=ResourceKind.VENUE, title="A会议室")
    resource_create(
        unit=cast.unit_a, actor=cast.street, kind=ResourceKind.MONEY, title="A资金", quantity=Decimal(5000)
    )
    resource_create(unit=cast.unit_b, actor=cast.stranger, kind=ResourceKind.VENUE, title="B礼堂")
    client = login(cast.street)
    page = client.get(reverse("lists:resources"))
    assert page.context["count"] == 2 and "B礼堂" not in page.content.decode()
    venue = {"kind": ResourceKind.VENUE}
    assert client.get(reverse("lists:resources"), venue).context["count"] == 1
    assert [r[0] for r in data_rows(client.get(reverse("lists:resource_export"), venue))] == ["A会议室"]
    assert len(data_rows(client.get(reverse("lists:resource_export")))) == 2
    today = timezone.localdate()
    assert api_items(client, "/api/v1/lists/resources", since=today, until=today)[0] == 2
    assert api_items(client, "/api/v1/lists/resources", **venue)[0] == 1
    tomorrow = {"since": today + timedelta(days=1)}
    assert client.get(reverse("lists:resources"), tomorrow).context["count"] == 0
    assert client.get("/api/v1/lists/resources", {"kind": "gold"}).status_code == 422
    assert client.get("/api/v1/lists/resources", {"since": "yesterday"}).status_code == 422


def test_projects_by_kind_period_and_street(cast, tree):
    now = timezone.now().replace(microsecond=0)
    old = project_create(
        actor=cast.street,
        title="A旧项目",
        kind=ProjectKind.PRACTICAL,
        lead_name="张三",
        region=tree.community_a1,
        budget=Decimal(1000),
        now=now - timedelta(days=40),
    )
    project_create(
        actor=cast.street,
        title="A共建项目",
        kind=ProjectKind.COBUILDING,
        lead_name="李四",
        region=tree.community_a2,
        budget=Decimal(2500),
        now=now,
    )
    unit_create(name="B单位", kind="company", region=tree.street_b, actor=cast.stranger)
    project_create(
        actor=cast.stranger,
        title="B项目",
        kind=ProjectKind.PRACTICAL,
        lead_name="王五",
        region=tree.community_b1,
        now=now,
    )
    client = login(cast.street)
    page = client.get(reverse("lists:projects"))
    assert page.context["count"] == 2 and "B项目" not in page.content.decode()
    rows = sheet_rows(client.get(reverse("lists:project_export")))
    assert len(rows) - 2 == 2 and rows[-1][0] == "Total"
    assert 3500 in rows[-1]  # the budgets, summed
    day = timezone.localdate(old.claimed_at)
    exact = {"since": day.isoformat(), "until": day.isoformat()}
    assert client.get(reverse("lists:projects"), exact).context["count"] == 1
    assert client.get(reverse("lists:projects"), {"since": day + timedelta(days=1)}).context["count"] == 1
    practical = {"kind": ProjectKind.PRACTICAL}
    assert [r[0] for r in data_rows(client.get(reverse("lists:project_export"), practical))] == ["A旧项目"]
    count, items = api_items(client, "/api/v1/lists/projects")
    assert count == 2 and "B项目" not in {i["title"] for i in items}
    assert api_items(client, "/api/v1/lists/projects", **exact)[0] == 1
    assert client.get("/api/v1/lists/projects", {"until": "2025-1-1x"}).status_code == 422
