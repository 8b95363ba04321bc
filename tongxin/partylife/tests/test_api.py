"""The party-life API's writing endpoints: each body reaches its service whole, a reference outside
the caller's area reads as no such record, and a branch of another street is refused."""

import pytest

from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.organisations.models import OrgKind
from tongxin.organisations.services import organisation_create
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(tree):
    other_committee = organisation_create(
        name="中共平江路社区委员会",
        kind=OrgKind.COMMITTEE,
        code="ORG-B001",
        region=tree.community_b1,
        parent=tree.orgs["county"],
    )
    return {
        "client": login(make_user(Role.STREET_OFFICIAL, tree.street_a)),
        "branch": tree.orgs["grid_branch"],
        "other_branch": other_committee,
        "person": make_person(tree.building, name="申请人"),
        "stranger": make_person(tree.community_b1, name="别处的人"),
    }


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, body, content_type="application/json")


def test_meeting_record(setting):
    client, branch = setting["client"], setting["branch"]
    body = {
        "organisation": branch.pk,
        "kind": "branch_committee",
        "held_on": "2025-03-10",
        "topic": "三月支委会",
    }
    made = _post(client, "/api/v1/partylife/meetings", {**body, "attendee_count": 5, "lecturer": "王"})
    assert made.status_code == 201, made.content
    assert made.json()["attendee_count"] == 5 and made.json()["lecturer"] == "王"
    elsewhere = _post(
        client, "/api/v1/partylife/meetings", {**body, "organisation": setting["other_branch"].pk}
    )
    assert elsewhere.status_code == 400 and elsewhere.json()["errors"][0]["field"] == "organisation"
    stranger = _post(client, "/api/v1/partylife/meetings", {**body, "attendees": [setting["stranger"].pk]})
    assert stranger.status_code == 400 and stranger.json()["errors"][0]["field"] == "attendees"


def test_development_file_and_step(setting):
    client = setting["client"]
    body = {"person": setting["person"].pk, "branch": setting["branch"].pk, "application_on": "2025-02-01"}
    opened = _post(client, "/api/v1/partylife/development", {**body, "note": "自愿"})
    assert opened.status_code == 201, opened.content
    file = opened.json()
    assert file["person_name"] == "申请人" and [s["kind"] for s in file["steps"]] == ["application"]
    step = _post(
        client, f"/api/v1/partylife/development/{file['id']}/steps", {"kind": "talk", "on": "2025-02-20"}
    )
    assert step.status_code == 201, step.content
    assert [s["kind"] for s in step.json()["steps"]] == ["application", "talk"]
    stranger = _post(client, "/api/v1/partylife/development", {**body, "person": setting["stranger"].pk})
    assert stranger.status_code == 400 and stranger.json()["errors"][0]["field"] == "person"


def test_mobile_member_register(setting):
    client = setting["client"]
    member = make_member(setting["person"].region, setting["branch"], name="流动党员")
    body = {"person": member.pk, "current_place": "上海", "left_on": "2025-01-15", "work": "快递"}
    made = _post(client, "/api/v1/partylife/mobile", body)
    assert made.status_code == 201, made.content
    assert made.json()["current_place"] == "上海" and made.json()["work"] == "快递"


def test_training_class_and_session(setting):
    client, branch = setting["client"], setting["branch"]
    body = {
        "name": "积极分子培训班",
        "purpose": "activists",
        "organisation": branch.pk,
        "starts_on": "2025-04-01",
        "ends_on": "2025-04-03",
        "place": "党群服务中心",
        "participants": [setting["person"].pk],
    }
    made = _post(client, "/api/v1/partylife/training", body)
    assert made.status_code == 201, made.content
    assert made.json()["place"] == "党群服务中心"
    session_url = f"/api/v1/partylife/training/{made.json()['id']}/sessions"
    session = _post(client, session_url, {"on": "2025-04-02", "topic": "党章", "hours": "4"})
    assert session.status_code == 201, session.content
    assert session.json()["topic"] == "党章"
    outside = _post(client, session_url, {"on": "2025-05-02", "topic": "党章", "hours": "4"})
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "on"
    elsewhere = _post(
        client, "/api/v1/partylife/training", {**body, "organisation": setting["other_branch"].pk}
    )
    assert elsewhere.status_code == 400
