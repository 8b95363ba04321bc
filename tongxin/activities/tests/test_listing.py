"""The activities and teams lists: period and kind filters, the count, the Excel export and the API,
all inside the official's own street."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.activities import services
from tongxin.activities.models import ActivityKind, TeamKind
from tongxin.audit.models import AuditEvent
from tongxin.core.roles import Role
from tongxin.core.tests.listing import api_items, data_rows, login, sheet_rows
from tongxin.members.testing import future_activity, past_activity
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(tree):
    secretary_a = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    secretary_b = make_user(Role.COMMUNITY_SECRETARY, tree.community_b1)
    old = past_activity(secretary_a, tree.community_a1, days_ago=10, title="A十天前")
    recent = past_activity(secretary_a, tree.community_a1, days_ago=3, title="A三天前", hours=2)
    secretary_a2 = make_user(Role.COMMUNITY_SECRETARY, tree.community_a2)
    coming = future_activity(secretary_a2, tree.grids["2.1"], title="A将来")
    past_activity(secretary_b, tree.community_b1, days_ago=3, title="B三天前")
    return {
        "official": make_user(Role.STREET_OFFICIAL, tree.street_a),
        "old": old,
        "recent": recent,
        "coming": coming,
    }


def test_official_sees_only_their_street(area):
    client = login(area["official"])
    page = client.get(reverse("activities:index"))
    assert page.status_code == 200 and page.context["count"] == 3
    assert "A三天前" in page.content.decode() and "B三天前" not in page.content.decode()
    rows = data_rows(client.get(reverse("activities:export")))
    assert sorted(r[0] for r in rows) == ["A三天前", "A十天前", "A将来"]
    count, items = api_items(client, "/api/v1/activities", area="true", upcoming="false")
    assert count == 3 and "B三天前" not in {i["title"] for i in items}
    assert AuditEvent.objects.filter(action="export", target="activities:xlsx").count() == 1


def test_period_edges_and_kind(area):
    client = login(area["official"])
    day = timezone.localdate(area["old"].starts_at)
    one_day = {"since": day.isoformat(), "until": day.isoformat()}
    page = client.get(reverse("activities:index"), one_day)
    assert page.context["count"] == 1 and [a.title for a in page.context["area"]] == ["A十天前"]
    after = {"since": (day + timedelta(days=1)).isoformat()}
    assert client.get(reverse("activities:index"), after).context["count"] == 2
    before = {"until": (day - timedelta(days=1)).isoformat()}
    assert client.get(reverse("activities:index"), before).context["count"] == 0
    kind = {"kind": ActivityKind.POLICY_TALK}
    assert client.get(reverse("activities:index"), kind).context["count"] == 1
    rows = data_rows(client.get(reverse("activities:export"), one_day))
    assert [r[0] for r in rows] == ["A十天前"]
    assert api_items(client, "/api/v1/activities", area="true", **one_day)[0] == 1
    assert api_items(client, "/api/v1/activities", area="true", upcoming="false", **kind)[0] == 1


def test_export_rows_match_the_count_and_total_the_hours(area, tree):
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    client = login(area["official"])
    page = client.get(reverse("activities:index"))
    rows = sheet_rows(client.get(reverse("activities:export")))
    assert rows[0][0] == "Title" and rows[-1][0] == "Total"
    assert len(rows) - 2 == page.context["count"]
    assert secretary  # another account of the area sees the same list
    assert login(secretary).get(reverse("activities:index")).context["count"] == 2


def test_bad_dates(area):
    client = login(area["official"])
    response = client.get("/api/v1/activities", {"area": "true", "since": "2025-13-01"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    response = client.get("/api/v1/activities", {"since": "2025-03-02", "until": "2025-03-01"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "since"
    page = client.get(reverse("activities:index"), {"since": "2025-03-02", "until": "2025-03-01"})
    assert page.status_code == 200 and page.context["filter_form"].errors
    export = client.get(reverse("activities:export"), {"since": "nonsense"})
    assert export.status_code == 302


@pytest.fixture
def teams(tree):
    services.team_create(name="A应急队", kind=TeamKind.EMERGENCY, region=tree.community_a1)
    services.team_create(name="A志愿队", kind=TeamKind.VOLUNTEER, region=tree.community_a2)
    services.team_create(name="B应急队", kind=TeamKind.EMERGENCY, region=tree.community_b1)
    return make_user(Role.STREET_OFFICIAL, tree.street_a)


def test_teams_by_kind_and_street(teams):
    client = login(teams)
    page = client.get(reverse("activities:teams"))
    assert page.context["count"] == 2 and "B应急队" not in page.content.decode()
    emergency = {"kind": TeamKind.EMERGENCY}
    assert client.get(reverse("activities:teams"), emergency).context["count"] == 1
    rows = data_rows(client.get(reverse("activities:team_export"), emergency))
    assert [r[0] for r in rows] == ["A应急队"]
    today = timezone.localdate().isoformat()
    assert api_items(client, "/api/v1/activities/teams/", since=today, until=today)[0] == 2
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get(reverse("activities:teams"), {"since": tomorrow}).context["count"] == 0
    assert client.get("/api/v1/activities/teams/", {"until": "31/12/2025"}).status_code == 422
