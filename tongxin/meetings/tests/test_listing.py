"""The joint meetings list: the period (the day held, else scheduled), kind, count, export and API,
inside the official's own street."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.core.roles import Role
from tongxin.core.tests.listing import api_items, data_rows, login, sheet_rows
from tongxin.meetings import services
from tongxin.meetings.models import MeetingKind
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(tree):
    secretary_a = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    secretary_b = make_user(Role.COMMUNITY_SECRETARY, tree.community_b1)
    now = timezone.now().replace(microsecond=0)
    held = services.meeting_schedule(
        actor=secretary_a,
        title="A季度联席会",
        scheduled_at=now - timedelta(days=20),
        region=tree.community_a1,
        invite_users=[secretary_a],
    )
    held = services.meeting_record(
        meeting=held, actor=secretary_a, minutes="议定三件实事", held_at=now - timedelta(days=18)
    )
    services.meeting_schedule(
        actor=secretary_a,
        title="A议事会",
        scheduled_at=now + timedelta(days=5),
        region=tree.community_a1,
        kind=MeetingKind.COUNCIL,
    )
    services.meeting_schedule(
        actor=secretary_b, title="B联席会", scheduled_at=now - timedelta(days=18), region=tree.community_b1
    )
    return {"official": make_user(Role.STREET_OFFICIAL, tree.street_a), "held": held}


def test_official_sees_only_their_street(meetings):
    client = login(meetings["official"])
    page = client.get(reverse("meetings:index"))
    assert page.context["count"] == 2 and "B联席会" not in page.content.decode()
    rows = sheet_rows(client.get(reverse("meetings:export")))
    assert rows[-1][0] == "Total" and len(rows) - 2 == page.context["count"]
    assert sorted(r[0] for r in rows[1:-1]) == ["A季度联席会", "A议事会"]
    assert rows[-1][7] == 1  # invited, summed
    count, items = api_items(client, "/api/v1/meetings")
    assert count == 2 and "B联席会" not in {i["title"] for i in items}


def test_period_is_the_day_held(meetings):
    client = login(meetings["official"])
    held_day = timezone.localdate(meetings["held"].held_at)
    planned_day = held_day - timedelta(days=2)
    on_held = {"since": held_day.isoformat(), "until": held_day.isoformat()}
    assert client.get(reverse("meetings:index"), on_held).context["count"] == 1
    on_planned = {"since": planned_day.isoformat(), "until": planned_day.isoformat()}
    assert client.get(reverse("meetings:index"), on_planned).context["count"] == 0
    assert (
        client.get(reverse("meetings:index"), {"since": (held_day + timedelta(days=1))}).context["count"] == 1
    )
    assert [r[0] for r in data_rows(client.get(reverse("meetings:export"), on_held))] == ["A季度联席会"]
    assert api_items(client, "/api/v1/meetings", **on_held)[0] == 1
    council = {"kind": MeetingKind.COUNCIL}
    assert client.get(reverse("meetings:index"), council).context["count"] == 1
    assert api_items(client, "/api/v1/meetings", **council)[0] == 1
    assert client.get(reverse("meetings:index"), {"when": "held"}).context["count"] == 1


def test_bad_dates(meetings):
    client = login(meetings["official"])
    response = client.get("/api/v1/meetings", {"since": "2025-02-30"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    response = client.get("/api/v1/meetings", {"since": "2025-03-02", "until": "2025-03-01"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert client.get(reverse("meetings:export"), {"until": "x"}).status_code == 302
