"""Who sees what in co-building. A liaison sees their unit and the areas it is paired with, nothing
else — in selectors, pages, counts, the API and the Excel ledger; an official of another street
sees none of it."""

import io
import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongxin.lists.models import NeedCategory, ResourceKind
from tongxin.lists.selectors import needs_claimable, needs_visible, projects_visible, resources_visible
from tongxin.lists.services import need_claim, project_create, resource_create
from tongxin.meetings.selectors import meetings_visible, tasks_visible
from tongxin.meetings.services import decision_create, decision_step, meeting_schedule, task_create
from tongxin.partners.models import AllianceKind
from tongxin.partners.selectors import alliances_visible, pairings_visible, units_visible
from tongxin.partners.services import alliance_create, alliance_member_add, pairing_end
from tongxin.partners.testing import build_cobuilding, publish_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    """Needs, resources, projects and a meeting on both sides of the street line."""
    cast = build_cobuilding(tree)
    w = {"cast": cast}
    w["need_a1"] = publish_need(tree.community_a1, cast.secretary, title="滚绣坊路灯")
    w["need_a2"] = publish_need(tree.community_a2, cast.neighbour, title="锦帆路助餐")
    w["need_b1"] = publish_need(tree.community_b1, cast.stranger, title="平江路托管")
    w["res_a"] = resource_create(
        unit=cast.unit_a,
        actor=cast.liaison_a,
        kind=ResourceKind.EQUIPMENT,
        category=NeedCategory.FACILITIES,
        title="水务局抽水泵",
    )
    w["res_b"] = resource_create(
        unit=cast.unit_b, actor=cast.liaison_b, kind=ResourceKind.PEOPLE, title="苏大志愿者"
    )
    claimed_b = publish_need(tree.community_b1, cast.stranger, title="平江路义诊")
    need_claim(need=claimed_b, unit=cast.unit_b, actor=cast.liaison_b)
    w["project_b"] = project_create(
        actor=cast.liaison_b, need=claimed_b, title="平江路义诊", kind="practical", lead_name="乙"
    )
    alliance = alliance_create(
        name="平江路社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=tree.community_b1,
        actor=cast.stranger,
        founded_on=date(2025, 1, 1),
    )
    alliance_member_add(alliance=alliance, actor=cast.stranger, unit=cast.unit_b)
    w["alliance_b"] = alliance
    w["meeting_b"] = meeting_schedule(
        actor=cast.stranger,
        alliance=alliance,
        title="平江路联席会议",
        scheduled_at=timezone.now() + timedelta(days=3),
    )
    decision = decision_create(meeting=w["meeting_b"], actor=cast.stranger, title="开放场地")
    decision_step(decision=decision, action="adopt", actor=cast.stranger)
    w["task_b"] = task_create(
        decision=decision,
        actor=cast.stranger,
        title="开放报告厅",
        due_on=date(2026, 12, 1),
        owner_unit=cast.unit_b,
    )
    return w


def test_liaison_selectors(world, tree):
    cast = world["cast"]
    liaison = cast.liaison_a
    assert set(units_visible(liaison)) == {cast.unit_a}
    assert set(pairings_visible(liaison)) == {cast.pairing_a}
    assert set(resources_visible(liaison)) == {world["res_a"]}
    assert set(needs_visible(liaison)) == {world["need_a1"]}  # not the unpaired community's, not street B's
    assert set(needs_claimable(liaison)) == {world["need_a1"]}
    assert set(projects_visible(liaison)) == set()
    assert set(alliances_visible(liaison)) == set()
    assert set(meetings_visible(liaison)) == set()
    assert set(tasks_visible(liaison)) == set()
    # the other liaison: their own unit's project, alliance, meeting and task
    assert set(projects_visible(cast.liaison_b)) == {world["project_b"]}
    assert set(meetings_visible(cast.liaison_b)) == {world["meeting_b"]}
    assert set(tasks_visible(cast.liaison_b)) == {world["task_b"]}
    # a liaison role without a unit reaches nothing
    idle = cast.idle_liaison
    assert (
        not units_visible(idle).exists()
        and not needs_visible(idle).exists()
        and not resources_visible(idle).exists()
    )


def test_ended_pairing_takes_the_area_away_but_keeps_own_claims(world, tree):
    cast = world["cast"]
    need_claim(need=world["need_a1"], unit=cast.unit_a, actor=cast.liaison_a)
    other = publish_need(tree.community_a1, cast.secretary, title="第二件")
    pairing_end(pairing=cast.pairing_a, actor=cast.secretary, ended_on=date.today() - timedelta(days=1))
    from tongxin.accounts.models import User

    liaison = User.objects.get(pk=cast.liaison_a.pk)
    visible = set(needs_visible(liaison))
    assert world["need_a1"] in visible  # their unit's claim stays theirs
    assert other not in visible


def test_official_of_another_street_sees_nothing_of_street_a(world):
    cast = world["cast"]
    stranger = cast.stranger
    assert set(units_visible(stranger)) == {cast.unit_b}
    assert set(needs_visible(stranger)) == {world["need_b1"], world["project_b"].need}
    assert set(resources_visible(stranger)) == {world["res_b"]}
    assert world["res_a"] not in resources_visible(stranger)
    # the street official sees the unit paired with their community, not street B's
    assert set(units_visible(cast.street)) == {cast.unit_a}
    assert set(needs_visible(cast.street)) == {world["need_a1"], world["need_a2"]}
    # the county sees it all, read-only
    assert set(units_visible(cast.county)) == {cast.unit_a, cast.unit_b}


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_liaison_pages_404_outside(world):
    cast = world["cast"]
    client = client_for(cast.liaison_a)
    assert client.get(reverse("lists:need", args=[world["need_a1"].pk])).status_code == 200
    for url in [
        reverse("lists:need", args=[world["need_a2"].pk]),
        reverse("lists:need", args=[world["need_b1"].pk]),
        reverse("lists:resource_edit", args=[world["res_b"].pk]),
        reverse("lists:project", args=[world["project_b"].pk]),
        reverse("partners:unit", args=[cast.unit_b.pk]),
        reverse("partners:pairing", args=[cast.pairing_b.pk]),
        reverse("partners:alliance", args=[world["alliance_b"].pk]),
        reverse("meetings:detail", args=[world["meeting_b"].pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("lists:need_claim", args=[world["need_b1"].pk]), {"unit": cast.unit_a.pk}
        ).status_code
        == 404
    )
    # lists and counts hold only what is theirs
    page = client.get(reverse("lists:needs"))
    assert page.context["counts"]["total"] == 1
    assert "锦帆路助餐" not in page.content.decode() and "平江路托管" not in page.content.decode()
    page = client.get(reverse("lists:resources"))
    assert [r.title for r in page.context["page"]] == ["水务局抽水泵"]
    hub = client.get(reverse("partners:index"))
    assert hub.context["need_counts"]["open"] == 1 and hub.context["unit_count"] == 1


def test_liaison_api_holds_only_theirs(world):
    cast = world["cast"]
    client = client_for(cast.liaison_a)

    def ids(path):
        response = client.get(f"/api/v1{path}")
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}, response.json()["count"]

    assert ids("/lists/needs") == ({world["need_a1"].pk}, 1)
    assert ids("/lists/resources") == ({world["res_a"].pk}, 1)
    assert ids("/lists/projects") == (set(), 0)
    assert ids("/partners/units") == ({cast.unit_a.pk}, 1)
    assert ids("/meetings") == (set(), 0)
    assert client.get(f"/api/v1/lists/needs/{world['need_a2'].pk}").status_code == 404
    assert client.get(f"/api/v1/partners/units/{cast.unit_b.pk}").status_code == 404
    response = client.post(
        f"/api/v1/lists/needs/{world['need_a1'].pk}/claim",
        data=json.dumps({"unit": cast.unit_b.pk}),
        content_type="application/json",
    )
    assert response.status_code == 400  # another unit reads like no unit at all
    response = client.patch(
        f"/api/v1/lists/resources/{world['res_b'].pk}",
        data=json.dumps({"title": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_ledger_export_holds_only_what_the_user_sees(world):
    cast = world["cast"]
    year = timezone.localdate().year
    for user, expected_needs, unexpected in [
        (cast.liaison_a, {"滚绣坊路灯"}, {"锦帆路助餐", "平江路托管", "苏大志愿者"}),
        (cast.street, {"滚绣坊路灯", "锦帆路助餐"}, {"平江路托管", "苏大志愿者"}),
    ]:
        response = client_for(user).get(reverse("lists:ledger"), {"year": year, "download": "1"})
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        needs = {
            row[1] for row in book["需求清单"].iter_rows(min_row=3, values_only=True) if row[0] != "合计"
        }
        assert needs == expected_needs
        text = " ".join(
            str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
        )
        for word in unexpected:
            assert word not in text
