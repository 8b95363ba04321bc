"""The service records list: period (the day of the service) and source filters, the count, the
Excel export with its hours total, and the API, inside the official's own street."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.core.roles import Role
from tongxin.core.tests.listing import api_items, data_rows, login, sheet_rows
from tongxin.members.models import ServiceEntry
from tongxin.members.testing import attend, past_activity
from tongxin.testing import make_member, make_user

pytestmark = pytest.mark.django_db


def _member(region, branch, name):
    user = make_user(Role.MEMBER, region)
    user.person = make_member(region, branch, name=name)
    user.save()
    return user


@pytest.fixture
def services(tree, django_capture_on_commit_callbacks):
    branch = tree.orgs["grid_branch"]
    secretary_a = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    secretary_b = make_user(Role.COMMUNITY_SECRETARY, tree.community_b1)
    member_a = _member(tree.building, branch, "甲党员")
    member_b = _member(tree.community_b1, branch, "乙党员")
    with django_capture_on_commit_callbacks(execute=True):  # the service record syncs on commit
        old = past_activity(secretary_a, tree.community_a1, days_ago=10, hours=2)
        attend(old, secretary_a, member_a)
        attend(past_activity(secretary_a, tree.community_a1, days_ago=3, hours=1.5), secretary_a, member_a)
        attend(past_activity(secretary_b, tree.community_b1, days_ago=3, hours=4), secretary_b, member_b)
    assert ServiceEntry.objects.count() == 3
    return {"official": make_user(Role.STREET_OFFICIAL, tree.street_a), "old": old}


def test_official_sees_only_their_street(services):
    client = login(services["official"])
    page = client.get(reverse("members:services"))
    assert page.status_code == 200 and page.context["count"] == 2
    assert "乙党员" not in page.content.decode()
    rows = sheet_rows(client.get(reverse("members:service_export")))
    assert rows[-1][0] == "Total" and rows[-1][-1] == 3.5 and len(rows) - 2 == 2
    assert {r[1] for r in rows[1:-1]} == {"甲党员"}
    count, items = api_items(client, "/api/v1/members/services")
    assert count == 2 and {i["person_name"] for i in items} == {"甲党员"}


def test_period_edges_and_source(services):
    client = login(services["official"])
    day = timezone.localdate(services["old"].starts_at)
    exact = {"since": day.isoformat(), "until": day.isoformat()}
    assert client.get(reverse("members:services"), exact).context["count"] == 1
    assert client.get(reverse("members:services"), {"since": day + timedelta(days=1)}).context["count"] == 1
    assert client.get(reverse("members:services"), {"until": day - timedelta(days=1)}).context["count"] == 0
    assert len(data_rows(client.get(reverse("members:service_export"), exact))) == 1
    assert api_items(client, "/api/v1/members/services", **exact)[0] == 1
    assert client.get(reverse("members:services"), {"kind": "activity"}).context["count"] == 2
    assert api_items(client, "/api/v1/members/services", kind="case")[0] == 0


def test_refusals_and_bad_dates(services, tree):
    member = make_user(Role.MEMBER, tree.community_a1)
    assert login(member).get(reverse("members:services")).status_code == 403
    assert login(member).get(reverse("members:service_export")).status_code == 403
    client = login(services["official"])
    response = client.get("/api/v1/members/services", {"since": "20250101x"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    response = client.get("/api/v1/members/services", {"since": "2025-02-01", "until": "2025-01-01"})
    assert response.status_code == 400
    assert client.get(reverse("members:service_export"), {"until": "x"}).status_code == 302
