"""Party life pages: 三会一课, compliance, development files, mobile members, training; scope and failures."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.partylife import services
from tongxin.partylife.models import (
    DevelopmentFile,
    MobileMember,
    PartyMeeting,
    PartyMeetingKind,
    TrainingClass,
)
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def secretary(tree):
    return login(make_user(Role.COMMUNITY_SECRETARY, tree.community_a1))


@pytest.fixture
def other(tree):
    return login(make_user(Role.COMMUNITY_SECRETARY, tree.community_b1))


@pytest.fixture
def staff(tree):
    """partylife.view without partylife.manage."""
    return login(make_user(Role.COMMUNITY_STAFF, tree.community_a1))


def test_index_needs_partylife_or_an_own_file(tree, client, secretary):
    assert client.get(reverse("partylife:index")).status_code == 302
    assert secretary.get(reverse("partylife:index")).status_code == 200
    member = make_user(Role.MEMBER, tree.community_a1)
    assert login(member).get(reverse("partylife:index")).status_code == 403
    applicant = make_person(tree.building, birth_date=date(2000, 1, 1))
    member.person = applicant
    member.save()
    services.development_file_open(
        person=applicant, branch=tree.orgs["grid_branch"], application_on=date(2025, 1, 2)
    )
    applicant_client = login(member)
    assert applicant_client.get(reverse("partylife:index")).status_code == 200
    own = applicant_client.get(reverse("partylife:my_development"))
    assert own.status_code == 200 and "Enter a step" not in own.content.decode()


def test_record_a_meeting_and_its_attendees(tree, secretary, staff, other):
    branch = tree.orgs["grid_branch"]
    present = make_member(tree.building, branch, name="到会甲")
    url = reverse("partylife:meeting_create")
    assert staff.get(url).status_code == 403
    data = {
        "organisation": branch.pk,
        "kind": "branch_committee",
        "held_on": "2025-03-10",
        "topic": "研究发展党员",
    }
    assert (
        secretary.post(url, {**data, "kind": "group"}).status_code == 200
    )  # a branch does not hold a group meeting
    assert secretary.post(url, data).status_code == 302
    meeting = PartyMeeting.objects.get()
    detail = reverse("partylife:meeting", args=[meeting.pk])
    assert "到会甲" in secretary.get(detail).content.decode()
    secretary.post(
        detail,
        {
            "kind": "branch_committee",
            "held_on": "2025-03-10",
            "topic": "研究发展党员",
            "attendees": [present.pk],
        },
    )
    assert meeting.attendees.get() == present and PartyMeeting.objects.get().attendee_count == 1
    assert staff.get(detail).status_code == 200 and staff.post(detail, data).status_code == 403
    assert other.get(detail).status_code == 404
    assert other.post(reverse("partylife:meeting_delete", args=[meeting.pk])).status_code == 404
    assert secretary.get(reverse("partylife:meeting_delete", args=[meeting.pk])).status_code == 405


def test_compliance_page(tree, secretary, other):
    services.party_meeting_record(
        organisation=tree.orgs["grid_branch"],
        kind=PartyMeetingKind.BRANCH_COMMITTEE,
        held_on=date(2025, 1, 9),
        topic="t",
    )
    body = secretary.get(reverse("partylife:compliance"), {"year": 2025, "view": "month"}).content.decode()
    assert tree.orgs["grid_branch"].name in body and "Committee" in body
    assert tree.orgs["grid_branch"].name not in other.get(reverse("partylife:compliance")).content.decode()
    assert secretary.get(reverse("partylife:meeting_rules")).status_code == 200


def test_development_file_pages(tree, secretary, staff, other):
    applicant = make_person(tree.building, birth_date=date(2000, 1, 1), name="王申请")
    url = reverse("partylife:development_open")
    assert staff.get(url).status_code == 403
    response = secretary.post(
        url, {"person": applicant.pk, "branch": tree.orgs["grid_branch"].pk, "application_on": "2025-01-02"}
    )
    file = DevelopmentFile.objects.get()
    assert response.status_code == 302
    page = secretary.get(reverse("partylife:development_file", args=[file.pk])).content.decode()
    assert "王申请" in page and "Talk with the applicant" in page
    step_url = reverse("partylife:development_step_add", args=[file.pk])
    assert (
        secretary.post(step_url, {"kind": "talk", "on": "2025-02-20"}).status_code == 302
    )  # late: recorded, flagged
    file.refresh_from_db()
    assert file.broken
    assert (
        "Time rules broken"
        in secretary.get(reverse("partylife:development_file", args=[file.pk])).content.decode()
    )
    assert secretary.post(step_url, {"kind": "public_notice", "on": "2025-02-21"}).status_code == 400
    assert staff.post(step_url, {"kind": "activist", "on": "2025-02-21"}).status_code == 403
    assert other.get(reverse("partylife:development_file", args=[file.pk])).status_code == 404
    listing = secretary.get(reverse("partylife:development"), {"show": "broken"}).content.decode()
    assert "王申请" in listing
    assert secretary.get(reverse("partylife:development_rules")).status_code == 200


def test_mobile_members_and_the_audited_reveal(tree, secretary, other):
    member = make_member(tree.building, tree.orgs["grid_branch"], name="外出甲")
    url = reverse("partylife:mobile_register")
    data = {
        "person": member.pk,
        "current_place": "广东省深圳市",
        "left_on": "2024-05-01",
        "contact": "13912345678",
    }
    assert secretary.post(url, {**data, "contact": "123"}).status_code == 200
    assert secretary.post(url, data).status_code == 302
    record = MobileMember.objects.get()
    body = secretary.get(reverse("partylife:mobile")).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    revealed = secretary.post(reverse("partylife:mobile_reveal", args=[record.pk]))
    assert "13912345678" in revealed.content.decode()
    assert AuditEvent.objects.filter(action=Action.REVEAL, target=f"mobile_member:{record.pk}").exists()
    assert other.post(reverse("partylife:mobile_reveal", args=[record.pk])).status_code == 404
    staff = login(make_user(Role.COMMUNITY_STAFF, tree.community_a1))  # partylife.view, no people.reveal
    assert staff.post(reverse("partylife:mobile_reveal", args=[record.pk])).status_code == 403
    assert other.post(reverse("partylife:mobile_return", args=[record.pk])).status_code == 404
    secretary.post(reverse("partylife:mobile_return", args=[record.pk]))
    record.refresh_from_db()
    assert record.returned_on is not None


def test_training_pages(tree, secretary, other):
    response = secretary.post(
        reverse("partylife:training_create"),
        {
            "name": "入党积极分子培训班",
            "purpose": "activists",
            "organisation": tree.orgs["community"].pk,
            "starts_on": "2025-03-03",
            "ends_on": "2025-03-05",
        },
    )
    training = TrainingClass.objects.get()
    assert response.status_code == 302
    person = make_person(tree.building, name="学员甲")
    secretary.post(reverse("partylife:training_participant_add", args=[training.pk]), {"person": person.pk})
    secretary.post(
        reverse("partylife:training_session_add", args=[training.pk]),
        {"on": "2025-03-03", "topic": "党章", "hours": "8"},
    )
    session = training.sessions.get()
    secretary.post(reverse("partylife:training_attendance", args=[session.pk]), {"people": [person.pk]})
    assert session.attendance.get().person == person
    page = secretary.get(reverse("partylife:training_class", args=[training.pk])).content.decode()
    assert "学员甲" in page
    assert other.get(reverse("partylife:training_class", args=[training.pk])).status_code == 404
    assert (
        other.post(reverse("partylife:training_attendance", args=[session.pk]), {"people": []}).status_code
        == 404
    )
