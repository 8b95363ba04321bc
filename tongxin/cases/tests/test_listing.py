"""The case list's period and kind filters, its count, its Excel export and the API list, inside
the official's own street."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.cases.models import CaseKind
from tongxin.cases.testing import report_case
from tongxin.core.roles import Role
from tongxin.core.tests.listing import api_items, data_rows, login, sheet_rows
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(tree):
    now = timezone.now()
    old = report_case(tree, now=now - timedelta(days=10))
    report_case(tree, now=now - timedelta(days=2), kind=CaseKind.HELP)
    report_case(tree, at=(120.625, 31.31), now=now - timedelta(days=2))  # 锦帆路社区, street A
    report_case(
        tree,
        at=(120.645, 31.31),
        community=tree.community_b1,
        now=now - timedelta(days=2),
        description="平江路的井盖丢了",
    )
    return {"official": make_user(Role.STREET_OFFICIAL, tree.street_a), "old": old}


def test_official_sees_only_their_street(cases):
    client = login(cases["official"])
    page = client.get(reverse("cases:list"))
    assert page.context["page"].paginator.count == 3 and "平江路的井盖丢了" not in page.content.decode()
    assert f'href="{reverse("cases:export")}' in page.content.decode()
    rows = sheet_rows(client.get(reverse("cases:export")))
    assert rows[0][0] == "Tracking code" and len(rows) - 1 == 3
    assert all("井盖" not in (r[8] or "") for r in rows[1:])
    assert all("13812341234" not in str(r) for r in rows)  # no reporter's phone in the file
    count, items = api_items(client, "/api/v1/cases")
    assert count == 3 and cases["old"].tracking_code in {i["tracking_code"] for i in items}
    assert AuditEvent.objects.filter(action="export", target="cases:xlsx").exists()


def test_period_edges_and_kind(cases):
    client = login(cases["official"])
    day = timezone.localdate(cases["old"].reported_at)
    exact = {"since": day.isoformat(), "until": day.isoformat()}
    assert client.get(reverse("cases:list"), exact).context["page"].paginator.count == 1
    after = {"since": (day + timedelta(days=1)).isoformat()}
    assert client.get(reverse("cases:list"), after).context["page"].paginator.count == 2
    assert [r[0] for r in data_rows(client.get(reverse("cases:export"), exact))] == [
        cases["old"].tracking_code
    ]
    assert api_items(client, "/api/v1/cases", **exact)[0] == 1
    help_only = {"kind": CaseKind.HELP}
    assert client.get(reverse("cases:list"), help_only).context["page"].paginator.count == 1
    assert len(data_rows(client.get(reverse("cases:export"), help_only))) == 1
    assert api_items(client, "/api/v1/cases", **help_only)[0] == 1


def test_bad_dates(cases):
    client = login(cases["official"])
    response = client.get("/api/v1/cases", {"since": "2025-13-01"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    response = client.get("/api/v1/cases", {"since": "2025-03-02", "until": "2025-03-01"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert client.get("/api/v1/cases", {"kind": "gossip"}).status_code == 422
    assert client.get(reverse("cases:export"), {"since": "x"}).status_code == 302
