"""The meeting screen: plan, call, claim needs on the spot over htmx, decisions and tasks;
and the failures."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.core.roles import Role
from tongxin.lists.models import Need
from tongxin.meetings.models import Decision, Meeting, MeetingStatus
from tongxin.partners.models import AllianceKind
from tongxin.partners.services import alliance_create, alliance_member_add
from tongxin.partners.testing import build_cobuilding, publish_need
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


@pytest.fixture
def alliance(cast, tree):
    alliance = alliance_create(
        name="滚绣坊社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=tree.community_a1,
        actor=cast.secretary,
        founded_on=date(2025, 1, 1),
    )
    alliance_member_add(alliance=alliance, actor=cast.secretary, unit=cast.unit_a)
    alliance_member_add(alliance=alliance, actor=cast.secretary, unit=cast.unit_b)
    return alliance


def plan(client, alliance, **extra):
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "alliance": alliance.pk,
        "kind": "joint",
        "title": "联席会议",
        "scheduled_at": when,
        "agenda": "认领需求\n研究项目",
        **extra,
    }
    return client.post(reverse("meetings:create"), data)


def test_plan_and_call(cast, alliance):
    client = login(cast.secretary)
    response = plan(client, alliance)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.agenda.count() == 2 and meeting.invitations.count() == 2
    assert client.post(reverse("meetings:call", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CALLED
    response = client.post(reverse("meetings:call", args=[meeting.pk]), follow=True)
    assert "Only a planned meeting can be called" in response.content.decode()
    assert login(cast.liaison_a).post(reverse("meetings:call", args=[meeting.pk])).status_code == 403
    assert login(cast.stranger).get(meeting.get_absolute_url()).status_code == 404
    assert login(cast.liaison_a).get(meeting.get_absolute_url()).status_code == 200  # their unit is invited
    assert Client().get(meeting.get_absolute_url()).status_code == 302
    assert (
        login(make_user(Role.MEMBER, cast.tree.community_a1)).get(reverse("meetings:index")).status_code
        == 403
    )
    assert client.get(reverse("meetings:call", args=[meeting.pk])).status_code == 405
    response = plan(client, alliance, scheduled_at="tomorrow")
    assert response.status_code == 200 and "scheduled_at" in response.context["form"].errors


def test_claim_board_over_htmx(cast, alliance, tree):
    client = login(cast.secretary)
    plan(client, alliance)
    meeting = Meeting.objects.get()
    need = publish_need(tree.community_a1, cast.secretary)
    publish_need(tree.community_a2, cast.neighbour, title="别的社区")
    page = client.get(meeting.get_absolute_url())
    assert [n.pk for n in page.context["board"]] == [need.pk]
    assert {u.pk for u in page.context["board_units"]} == {cast.unit_a.pk, cast.unit_b.pk}
    url = reverse("meetings:claim", args=[meeting.pk, need.pk])
    response = client.post(url, {"unit": cast.unit_b.pk}, **HTMX)
    assert response.status_code == 200 and "claimed by 苏州大学" in response.content.decode()
    need.refresh_from_db()
    assert need.claimed_by_unit == cast.unit_b and need.claimed_meeting == meeting
    response = login(cast.liaison_a).post(url, {"unit": cast.unit_a.pk}, **HTMX)
    assert "already claimed by 苏州大学" in response.content.decode()
    # a liaison may only claim for their own unit at the meeting
    other = publish_need(tree.community_a1, cast.secretary, title="第二件")
    response = login(cast.liaison_a).post(
        reverse("meetings:claim", args=[meeting.pk, other.pk]), {"unit": cast.unit_b.pk}, **HTMX
    )
    assert "Choose one of the units" in response.content.decode()
    assert Need.objects.get(pk=other.pk).claimed_by_unit is None
    response = login(cast.liaison_a).post(
        reverse("meetings:claim", args=[meeting.pk, other.pk]), {"unit": cast.unit_a.pk}
    )
    assert response.status_code == 302 and Need.objects.get(pk=other.pk).claimed_by_unit == cast.unit_a
    claimed = client.get(meeting.get_absolute_url()).context["claimed_here"]
    assert {n.pk for n in claimed} == {need.pk, other.pk}


def test_decisions_steps_tasks_minutes(cast, alliance):
    client = login(cast.secretary)
    plan(client, alliance)
    meeting = Meeting.objects.get()
    client.post(
        reverse("meetings:decision_add", args=[meeting.pk]), {"title": "设立共建经费", "four_step": "on"}
    )
    decision = Decision.objects.get()
    assert decision.four_step
    step = reverse("meetings:decision_step", args=[decision.pk])
    response = client.post(step, {"action": "adopt"}, follow=True)
    assert "cannot take this step" in response.content.decode()  # 商议 comes first
    client.post(step, {"action": "discuss"})
    client.post(step, {"action": "adopt"})
    decision.refresh_from_db()
    assert decision.status == "adopted"
    page = client.get(meeting.get_absolute_url())
    stages = page.context["decisions"][0]["stages"]
    assert [state for _label, state in stages] == ["done", "done", "done", "now"]
    response = client.post(
        reverse("meetings:task_add", args=[decision.pk]),
        {
            f"d{decision.pk}-title": "拟定办法",
            f"d{decision.pk}-owner_unit": cast.unit_a.pk,
            f"d{decision.pk}-due_on": "2026-12-31",
        },
    )
    assert response.status_code == 302 and decision.tasks.get().owner_unit == cast.unit_a
    task = decision.tasks.get()
    tasks = login(cast.liaison_a).get(reverse("meetings:tasks"))
    assert [(t.pk, may) for t, may in tasks.context["rows"]] == [(task.pk, True)]
    login(cast.liaison_a).post(reverse("meetings:task_done", args=[task.pk]), {"note": "已拟定"})
    task.refresh_from_db()
    assert task.status == "done"
    assert (
        login(cast.liaison_b)
        .post(reverse("meetings:decision_step", args=[decision.pk]), {"action": "evaluate"})
        .status_code
        == 403
    )
    held = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("meetings:minutes", args=[meeting.pk]), {"held_at": held, "minutes": "会议纪要"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.minutes == "会议纪要"
    client.post(step, {"action": "evaluate", "note": "成效明显"})
    decision.refresh_from_db()
    assert decision.status == "evaluated" and decision.evaluation == "成效明显"


def test_api(cast, alliance, tree):
    client = Client()
    client.force_login(cast.secretary)

    def call(method, path, body=None):
        extra = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        return getattr(client, method)(f"/api/v1/meetings{path}", **extra)

    when = (timezone.now() + timedelta(days=2)).isoformat()
    response = call(
        "post", "", {"title": "联席会议", "scheduled_at": when, "alliance": alliance.pk, "agenda": ["认领"]}
    )
    assert response.status_code == 201, response.content
    mid = response.json()["id"]
    assert len(response.json()["invitations"]) == 2
    assert call("post", f"/{mid}/call").json()["status"] == "called"
    need = publish_need(tree.community_a1, cast.secretary)
    response = call("post", f"/{mid}/claim", {"need": need.pk, "unit": cast.unit_a.pk})
    assert response.status_code == 200 and response.json()["claimed_meeting_id"] == mid
    response = call("post", f"/{mid}/claim", {"need": need.pk, "unit": cast.unit_b.pk})
    assert response.status_code == 409 and response.json()["code"] == "already_claimed"
    response = call("post", f"/{mid}/decisions", {"title": "设立经费", "four_step": True})
    did = response.json()["id"]
    assert [s["action"] for s in response.json()["steps"]] == ["propose"]
    assert call("post", f"/decisions/{did}/steps", {"action": "adopt"}).status_code == 400
    assert call("post", f"/decisions/{did}/steps", {"action": "discuss"}).json()["status"] == "discussed"
    assert call("post", f"/decisions/{did}/steps", {"action": "adopt"}).json()["status"] == "adopted"
    response = call(
        "post",
        f"/decisions/{did}/tasks",
        {"title": "拟定", "due_on": "2026-12-31", "owner_unit": cast.unit_a.pk},
    )
    assert response.status_code == 201
    tid = response.json()["id"]
    invitation = Meeting.objects.get(pk=mid).invitations.get(unit=cast.unit_a)
    assert (
        call("post", f"/{mid}/attendance", {"attended": [invitation.pk]}).json()["invitations"][0]["attended"]
        is True
    )
    liaison = Client()
    liaison.force_login(cast.liaison_a)
    assert liaison.get("/api/v1/meetings/tasks").json()["count"] == 1
    response = liaison.post(
        f"/api/v1/meetings/tasks/{tid}/done",
        data=json.dumps({"note": "完成"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert liaison.post(f"/api/v1/meetings/{mid}/call").status_code == 403
    stranger = Client()
    stranger.force_login(cast.stranger)
    assert stranger.get(f"/api/v1/meetings/{mid}").status_code == 404
    assert stranger.get("/api/v1/meetings").json()["count"] == 0
    assert Client().get("/api/v1/meetings").status_code == 401


def test_no_claims_at_a_meeting_already_held(cast, alliance, tree):
    from tongxin.meetings.services import meeting_record, meeting_schedule

    meeting = meeting_schedule(
        actor=cast.secretary,
        alliance=alliance,
        title="已开过的会",
        scheduled_at=timezone.now() - timedelta(days=1),
    )
    meeting_record(meeting=meeting, actor=cast.secretary, minutes="纪要")
    need = publish_need(tree.community_a1, cast.secretary)
    client = login(cast.secretary)
    assert client.get(meeting.get_absolute_url()).context["board"] == []
    response = client.post(
        reverse("meetings:claim", args=[meeting.pk, need.pk]), {"unit": cast.unit_a.pk}, **HTMX
    )
    assert "still to be held" in response.content.decode()
    assert Need.objects.get(pk=need.pk).claimed_by_unit is None
