"""/api/v1/members, /api/v1/activities and /api/v1/partylife: scope, the member's own, the employer's."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tongxin.accounts.services import token_create
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.members import services
from tongxin.members.testing import attend, make_employer, make_post, make_report, past_activity
from tongxin.partylife.models import DevelopmentFile
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def call(user: Any, method: str, path: str, body: Any = None) -> Any:
    client = Client()
    _token, secret = token_create(user=user, name="test")
    extra: dict[str, Any] = {"headers": {"Authorization": f"Bearer {secret}"}}
    if body is not None:
        extra.update(data=json.dumps(body, default=str), content_type="application/json")
    return getattr(client, method)(f"/api/v1{path}", **extra)


def linked(user, person):
    user.person = person
    user.save()
    return user


@pytest.fixture
def post(tree):
    return make_post(tree.community_a1, name="环境整治岗", kind="environment")


@pytest.fixture
def member(tree):
    return linked(
        make_user(Role.MEMBER, tree.community_a1), make_member(tree.building, tree.orgs["grid_branch"])
    )


def test_anonymous_is_refused():
    for path in ("/members/me", "/members/reports", "/activities", "/partylife/meetings"):
        response = Client().get(f"/api/v1{path}")
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_member_reports_and_reads_own_record(tree, member, post):
    unit = make_employer(tree)
    posts = call(member, "get", "/members/me/posts").json()
    assert [p["name"] for p in posts] == ["环境整治岗"]
    other = make_post(tree.community_a2)
    bad = call(member, "post", "/members/me/report", {"service_post": other.pk})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "service_post"
    response = call(member, "post", "/members/me/report", {"service_post": post.pk, "employer_unit": unit.pk})
    assert response.status_code == 201, response.content
    assert response.json()["grid_branch_id"] == tree.orgs["grid_branch"].pk
    assert call(member, "post", "/members/me/report", {"service_post": post.pk}).status_code == 400
    assert call(member, "post", "/members/me/rereport").status_code == 200
    record = call(member, "get", "/members/me").json()
    assert record["report"]["service_post_name"] == "环境整治岗" and record["totals"]["count"] == 0
    # a member reads no one else's reports
    assert call(member, "get", "/members/reports").status_code == 403


def test_reports_scope(tree, post):
    staff = make_user(Role.COMMUNITY_STAFF, tree.community_a1)
    other = make_user(Role.COMMUNITY_STAFF, tree.community_b1)
    person = make_member(tree.building, tree.orgs["grid_branch"])
    response = call(staff, "post", "/members/reports", {"person": person.pk, "service_post": post.pk})
    assert response.status_code == 201
    report_id = response.json()["id"]
    assert (
        call(other, "post", "/members/reports", {"person": person.pk, "service_post": post.pk}).status_code
        == 400
    )
    assert call(staff, "get", "/members/reports").json()["count"] == 1
    assert call(other, "get", "/members/reports").json()["count"] == 0
    assert call(other, "get", f"/members/reports/{report_id}").status_code == 404
    assert call(other, "post", f"/members/reports/{report_id}/rereport").status_code == 404
    viewer = make_user(Role.GRID_LEADER, tree.community_a1)
    assert call(viewer, "post", f"/members/reports/{report_id}/end", {"reason": "x"}).status_code == 403
    assert call(staff, "post", f"/members/reports/{report_id}/end", {"reason": "搬离"}).json()["ended_on"]


def test_cards_for_the_employer_and_the_check(tree, post):
    from tongxin.partners.services import unit_liaisons_set

    unit, other_unit = make_employer(tree), make_employer(tree, name="县一中")
    ours = make_report(
        make_member(tree.building, tree.orgs["grid_branch"]), post, unit=unit, on=date(2020, 1, 1)
    )
    make_report(
        make_member(tree.building, tree.orgs["grid_branch"]), post, unit=other_unit, on=date(2020, 1, 1)
    )
    organiser = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    attend(
        past_activity(organiser, tree.community_a1, days_ago=1),
        organiser,
        linked(make_user(None, None), ours.person),
    )
    services.service_record_refresh()
    liaison = make_user(Role.PARTNER_LIAISON, tree.county)
    unit_liaisons_set(unit=unit, liaisons=[liaison], actor=SYSTEM)
    year = str((timezone.localdate() - timedelta(days=1)).year)
    cards = call(liaison, "get", f"/members/cards?period={year}").json()
    assert [c["report"]["id"] for c in cards] == [ours.pk]
    assert cards[0]["totals"]["count"] == 1 and cards[0]["totals"]["meets_minimum"] is False
    assert call(liaison, "get", "/members/cards?period=nonsense").status_code == 404
    record = call(liaison, "get", f"/members/people/{ours.person_id}/record").json()
    assert record["totals"]["count"] == 1
    check = call(make_user(Role.STREET_OFFICIAL, tree.street_a), "get", f"/members/check?year={year}").json()
    assert check["members"] == 2 and len(check["below_minimum"]) == 2 and check["ranking"] is None
    assert call(liaison, "get", "/members/check").status_code == 403


def test_rules_api(tree):
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    body = {"version": "v2", "source": "社区党委", "valid_from": "2025-01-01", "region": tree.community_a1.pk}
    assert (
        call(secretary, "post", "/members/rules", {**body, "region": tree.community_b1.pk}).status_code == 400
    )
    response = call(secretary, "post", "/members/rules", body)
    assert response.status_code == 201 and response.json()["star_thresholds"][-1] == 60
    assert [r["version"] for r in call(secretary, "get", "/members/rules").json()] == ["v2"]
    worker = make_user(Role.GRID_WORKER, tree.grids["1.1"])
    assert (
        call(
            worker, "post", "/members/rules", {**body, "version": "v3", "region": tree.grids["1.1"].pk}
        ).status_code
        == 403
    )


# ---- activities -------------------------------------------------------------------------------


def test_activity_sign_up_and_attendance(tree, member):
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    start = timezone.now() + timedelta(days=1)
    created = call(
        secretary,
        "post",
        "/activities",
        {
            "title": "宣讲",
            "kind": "policy_talk",
            "region": tree.community_a1.pk,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "place": "广场",
        },
    )
    assert created.status_code == 201, created.content
    activity_id = created.json()["id"]
    assert activity_id in [a["id"] for a in call(member, "get", "/activities").json()["items"]]
    signed = call(member, "post", f"/activities/{activity_id}/signup")
    assert signed.status_code == 200 and signed.json()["attended"] is None
    outsider = linked(
        make_user(Role.MEMBER, tree.community_b1), make_member(tree.community_b1, tree.orgs["grid_branch"])
    )
    assert call(outsider, "post", f"/activities/{activity_id}/signup").status_code == 404
    assert call(member, "get", f"/activities/{activity_id}/signups").status_code == 403
    early = call(
        secretary, "post", f"/activities/{activity_id}/attendance", {"attended": [signed.json()["id"]]}
    )
    assert early.status_code == 400  # not started yet
    past = past_activity(secretary, tree.community_a1)
    from tongxin.activities.services import signup_create

    signup = signup_create(activity=past, user=member, now=past.starts_at - timedelta(hours=1))
    done = call(secretary, "post", f"/activities/{past.pk}/attendance", {"attended": [signup.pk]})
    assert done.status_code == 200 and done.json()["status"] == "confirmed"


def test_teams_api(tree, member):
    from tongxin.cases.testing import report_case

    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    created = call(
        secretary,
        "post",
        "/activities/teams/",
        {"name": "志愿服务队", "kind": "volunteer", "region": tree.community_a1.pk},
    )
    assert created.status_code == 201
    team_id = created.json()["id"]
    other = make_user(Role.COMMUNITY_SECRETARY, tree.community_b1)
    assert (
        call(
            other,
            "post",
            "/activities/teams/",
            {"name": "x", "kind": "volunteer", "region": tree.community_a1.pk},
        ).status_code
        == 400
    )  # as if no such area
    assert (
        call(
            secretary, "post", f"/activities/teams/{team_id}/members", {"person": member.person_id}
        ).status_code
        == 201
    )
    assert call(other, "get", f"/activities/teams/{team_id}/members").status_code == 404
    case = report_case(tree)
    callout = call(secretary, "post", f"/activities/teams/{team_id}/callouts", {"case": case.tracking_code})
    assert callout.status_code == 201
    assert [c["id"] for c in call(member, "get", "/activities/callouts/").json()] == [callout.json()["id"]]
    answer = call(member, "post", f"/activities/callouts/{callout.json()['id']}/answer", {"answer": "coming"})
    assert answer.status_code == 200 and answer.json()["answer"] == "coming"
    assert (
        call(secretary, "post", f"/activities/teams/{team_id}/callouts", {"case": "NONE"}).status_code == 400
    )


# ---- party life -------------------------------------------------------------------------------


def test_partylife_api(tree):
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    other = make_user(Role.COMMUNITY_SECRETARY, tree.community_b1)
    branch = tree.orgs["grid_branch"]
    meeting = call(
        secretary,
        "post",
        "/partylife/meetings",
        {"organisation": branch.pk, "kind": "lecture", "held_on": "2025-02-10", "topic": "党课"},
    )
    assert meeting.status_code == 201
    assert (
        call(
            other,
            "post",
            "/partylife/meetings",
            {"organisation": branch.pk, "kind": "lecture", "held_on": "2025-02-10", "topic": "x"},
        ).status_code
        == 400
    )
    rows = call(secretary, "get", "/partylife/compliance?year=2025").json()
    assert rows[0]["branch_id"] == branch.pk and rows[0]["cells"][0]["met"] == {"lecture": 1}
    assert call(other, "get", "/partylife/compliance?year=2025").json() == []
    applicant = make_person(tree.building, birth_date=date(2000, 1, 1))
    opened = call(
        secretary,
        "post",
        "/partylife/development",
        {"person": applicant.pk, "branch": branch.pk, "application_on": "2025-01-06"},
    )
    assert opened.status_code == 201, opened.content
    file_id = opened.json()["id"]
    step = call(
        secretary, "post", f"/partylife/development/{file_id}/steps", {"kind": "talk", "on": "2025-03-01"}
    )
    assert step.status_code == 201 and step.json()["broken"] is True
    assert "talk_within" in {f["code"] for f in step.json()["broken_rules"]}
    assert call(other, "get", f"/partylife/development/{file_id}").status_code == 404
    assert (
        call(
            other, "post", f"/partylife/development/{file_id}/steps", {"kind": "activist", "on": "2025-03-02"}
        ).status_code
        == 404
    )
    assert DevelopmentFile.objects.get().stage == "talk"
    member = make_member(tree.building, branch)
    mobile = call(
        secretary,
        "post",
        "/partylife/mobile",
        {"person": member.pk, "current_place": "深圳", "left_on": "2024-01-01", "contact": "13912345678"},
    )
    assert mobile.status_code == 201 and mobile.json()["contact"] == "139****5678"
    assert call(other, "get", "/partylife/mobile").json()["count"] == 0
    training = call(
        secretary,
        "post",
        "/partylife/training",
        {
            "name": "培训班",
            "purpose": "targets",
            "organisation": branch.pk,
            "starts_on": "2025-03-03",
            "ends_on": "2025-03-05",
            "participants": [applicant.pk],
        },
    )
    assert training.status_code == 201
    session = call(
        secretary,
        "post",
        f"/partylife/training/{training.json()['id']}/sessions",
        {"on": "2025-03-03", "topic": "党史", "hours": "8"},
    )
    assert session.status_code == 201
    attendance = call(
        secretary,
        "put",
        f"/partylife/training/sessions/{session.json()['id']}/attendance",
        {"people": [applicant.pk]},
    )
    assert attendance.status_code == 200 and attendance.json()["confirmed_at"]
    assert (
        call(
            other, "put", f"/partylife/training/sessions/{session.json()['id']}/attendance", {"people": []}
        ).status_code
        == 404
    )
