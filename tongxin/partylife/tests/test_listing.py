"""The 三会一课, development, mobile members and training lists (and the training participants):
period and kind filters, counts, Excel exports and the API, inside the official's own street."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tongxin.core.roles import Role
from tongxin.core.tests.listing import api_items, data_rows, login, sheet_rows
from tongxin.organisations.models import OrgKind
from tongxin.organisations.services import organisation_create
from tongxin.partylife import services
from tongxin.partylife.models import PartyMeetingKind, TrainingPurpose
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def life(tree):
    branch_a = tree.orgs["grid_branch"]
    committee_b = organisation_create(
        name="中共平江路社区委员会",
        kind=OrgKind.COMMITTEE,
        code="ORG-B001",
        region=tree.community_b1,
        parent=tree.orgs["county"],
    )
    branch_b = organisation_create(
        name="平江路社区党支部",
        kind=OrgKind.BRANCH,
        code="ORG-B002",
        region=tree.community_b1,
        parent=committee_b,
    )
    for branch, prefix, region in [(branch_a, "A", tree.building), (branch_b, "B", tree.community_b1)]:
        services.party_meeting_record(
            organisation=branch,
            kind=PartyMeetingKind.BRANCH_COMMITTEE,
            held_on=date(2025, 3, 10),
            topic=f"{prefix}三月支委会",
            attendee_count=5,
        )
        applicant = make_person(region, name=f"{prefix}申请人", birth_date=date(2000, 1, 1))
        services.development_file_open(person=applicant, branch=branch, application_on=date(2025, 2, 1))
        window = services.window_create(name=f"{prefix}驻沪服务站", region=region, phone="021-1234")
        away = make_member(region, branch, name=f"{prefix}流动党员")
        services.mobile_member_register(
            person=away, current_place="上海", left_on=date(2025, 1, 15), window=window
        )
        trainee = make_person(region, name=f"{prefix}学员")
        training = services.training_class_create(
            name=f"{prefix}积极分子培训班",
            purpose=TrainingPurpose.ACTIVISTS,
            organisation=branch,
            starts_on=date(2025, 4, 1),
            ends_on=date(2025, 4, 3),
            participants=[trainee],
        )
        session = services.training_session_add(
            training=training, on=date(2025, 4, 1), topic="党章", hours=Decimal(4)
        )
        services.training_attendance_set(session=session, people=[trainee])
    services.party_meeting_record(
        organisation=branch_a,
        kind=PartyMeetingKind.LECTURE,
        held_on=date(2025, 3, 31),
        topic="A党课",
        attendee_count=12,
    )
    back = make_member(tree.building, branch_a, name="A已返回")
    record = services.mobile_member_register(person=back, current_place="杭州", left_on=date(2024, 6, 1))
    services.mobile_member_return(record=record, on=date(2024, 12, 31))
    return make_user(Role.STREET_OFFICIAL, tree.street_a)


def test_meetings(life):
    client = login(life)
    url, export = reverse("partylife:meetings"), reverse("partylife:meeting_export")
    page = client.get(url)
    assert page.context["count"] == 2 and "B三月支委会" not in page.content.decode()
    rows = sheet_rows(client.get(export))
    assert len(rows) - 2 == 2 and rows[-1][0] == "Total" and rows[-1][-1] == 17
    march_10 = {"since": "2025-03-10", "until": "2025-03-10"}
    assert client.get(url, march_10).context["count"] == 1
    assert client.get(url, {"since": "2025-03-11"}).context["count"] == 1
    assert client.get(url, {"until": "2025-03-30"}).context["count"] == 1
    assert [r[2] for r in data_rows(client.get(export, {"kind": PartyMeetingKind.LECTURE}))] == ["A党课"]
    count, items = api_items(client, "/api/v1/partylife/meetings")
    assert count == 2 and "B三月支委会" not in {i["topic"] for i in items}
    assert api_items(client, "/api/v1/partylife/meetings", **march_10)[0] == 1
    assert client.get("/api/v1/partylife/meetings", {"kind": "picnic"}).status_code == 422


def test_development_files(life):
    client = login(life)
    url, export = reverse("partylife:development"), reverse("partylife:development_export")
    assert client.get(url).context["count"] == 1 and "B申请人" not in client.get(url).content.decode()
    assert [r[0] for r in data_rows(client.get(export))] == ["A申请人"]
    first_day = {"since": "2025-02-01", "until": "2025-02-01"}
    assert client.get(url, first_day).context["count"] == 1
    assert client.get(url, {"since": "2025-02-02"}).context["count"] == 0
    assert len(data_rows(client.get(export, {"until": "2025-01-31"}))) == 0
    assert api_items(client, "/api/v1/partylife/development", **first_day)[0] == 1
    assert api_items(client, "/api/v1/partylife/development", since="2025-02-02")[0] == 0


def test_mobile_members_away_in_the_period(life):
    client = login(life)
    url, export = reverse("partylife:mobile"), reverse("partylife:mobile_export")
    assert client.get(url).context["count"] == 1  # away now
    assert client.get(url, {"returned": "on"}).context["count"] == 2
    # away at some time in 2024: the one back on 31 December, not the one who left in 2025
    year_2024 = {"since": "2024-01-01", "until": "2024-12-31"}
    assert client.get(url, year_2024).context["count"] == 1
    assert client.get(url, {"since": "2025-01-01", "until": "2025-01-14"}).context["count"] == 0
    assert client.get(url, {"since": "2024-12-31", "until": "2025-01-15"}).context["count"] == 2
    rows = sheet_rows(client.get(export))
    assert rows[1][0] == "A流动党员" and "A驻沪服务站" in rows[1] and "021-1234" in rows[1]
    assert len(rows) - 1 == 1 and "B流动党员" not in {r[0] for r in rows}
    assert api_items(client, "/api/v1/partylife/mobile", **year_2024)[0] == 1
    assert api_items(client, "/api/v1/partylife/mobile", returned="true")[0] == 2


def test_training_classes_and_participants(life):
    client = login(life)
    url = reverse("partylife:training")
    page = client.get(url)
    assert page.context["count"] == 1 and page.context["participant_count"] == 1
    assert "B积极分子培训班" not in page.content.decode()
    rows = sheet_rows(client.get(reverse("partylife:training_export")))
    assert rows[1][0] == "A积极分子培训班" and rows[-1][-2:] == [4, 1]
    people = sheet_rows(client.get(reverse("partylife:participant_export")))
    assert [r[2] for r in people[1:-1]] == ["A学员"] and people[-1][-2:] == [1, 4]
    # classes overlapping the period: the last day counts, the day after does not
    assert client.get(url, {"since": "2025-04-03", "until": "2025-05-01"}).context["count"] == 1
    assert client.get(url, {"since": "2025-04-04"}).context["count"] == 0
    assert client.get(url, {"until": "2025-03-31"}).context["count"] == 0
    assert client.get(url, {"kind": TrainingPurpose.CADRES}).context["count"] == 0
    empty = client.get(reverse("partylife:participant_export"), {"since": "2025-04-04"})
    assert data_rows(empty) == []
    assert api_items(client, "/api/v1/partylife/training", since="2025-04-03")[0] == 1
    assert api_items(client, "/api/v1/partylife/training", kind=TrainingPurpose.CADRES)[0] == 0


def test_bad_dates(life):
    client = login(life)
    for path in ("meetings", "development", "mobile", "training"):
        response = client.get(f"/api/v1/partylife/{path}", {"since": "2025-06-31"})
        assert response.status_code == 422 and response.json()["code"] == "invalid", path
        response = client.get(f"/api/v1/partylife/{path}", {"since": "2025-06-02", "until": "2025-06-01"})
        assert response.status_code == 400, path
    page = client.get(reverse("partylife:mobile"), {"since": "2025-06-02", "until": "2025-06-01"})
    assert page.status_code == 200 and page.context["filter_form"].errors
    assert client.get(reverse("partylife:training_export"), {"since": "x"}).status_code == 302
