"""三会一课 and its compliance, development files through the services, mobile members, training."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tongxin.core.roles import Role
from tongxin.notifications.models import Notification
from tongxin.organisations.models import OrgKind
from tongxin.organisations.services import organisation_create
from tongxin.partylife import selectors, services
from tongxin.partylife.models import PartyMeetingKind, StepKind
from tongxin.people.models import PartyStatus
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db

YEAR = 2025
DEC_31 = date(YEAR, 12, 31)


@pytest.fixture
def branch(tree):
    return tree.orgs["grid_branch"]


def record(org, kind, day):
    return services.party_meeting_record(organisation=org, kind=kind, held_on=day, topic="学习")


def row_of(rows, branch):
    return next(r for r in rows if r.branch == branch)


# ---- 三会一课 ---------------------------------------------------------------------------------


def test_meeting_is_recorded_by_the_right_organisation(tree, branch):
    group = organisation_create(
        name="第一党小组", kind=OrgKind.GROUP, code="ORG-G1", region=tree.building, parent=branch
    )
    with pytest.raises(ValidationError):
        record(branch, PartyMeetingKind.GROUP, date(YEAR, 1, 5))  # a group meeting belongs to the group
    with pytest.raises(ValidationError):
        record(group, PartyMeetingKind.BRANCH_COMMITTEE, date(YEAR, 1, 5))
    with pytest.raises(ValidationError):
        record(
            tree.orgs["community"], PartyMeetingKind.LECTURE, date(YEAR, 1, 5)
        )  # a committee is not a branch
    with pytest.raises(ValidationError):
        record(branch, PartyMeetingKind.LECTURE, timezone.localdate() + timedelta(days=1))
    assert record(group, PartyMeetingKind.GROUP, date(YEAR, 1, 5)).attendee_count == 0


def test_compliance_by_quarter(tree, branch):
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    for month in (1, 2, 3):
        record(branch, PartyMeetingKind.BRANCH_COMMITTEE, date(YEAR, month, 10))
    record(branch, PartyMeetingKind.GENERAL_ASSEMBLY, date(YEAR, 3, 20))
    record(branch, PartyMeetingKind.LECTURE, date(YEAR, 2, 20))
    record(
        branch, PartyMeetingKind.BRANCH_COMMITTEE, date(YEAR, 4, 10)
    )  # Q2: one committee of three, no assembly
    rows = selectors.compliance(official, year=YEAR, view="quarter", today=date(YEAR, 8, 15))
    cells = row_of(rows, branch).cells
    assert [c.state for c in cells] == ["ok", "behind", "pending", "future"]
    assert cells[0].due == {"branch_committee": 3, "general_assembly": 1, "lecture": 1}  # no groups: none due
    assert set(cells[1].missing) == {"branch_committee", "general_assembly", "lecture"}
    assert row_of(rows, branch).behind == 1


def test_compliance_by_month_with_groups(tree, branch):
    official = make_user(Role.COMMUNITY_STAFF, tree.community_a1)
    group = organisation_create(
        name="第一党小组", kind=OrgKind.GROUP, code="ORG-G1", region=tree.building, parent=branch
    )
    organisation_create(
        name="第二党小组", kind=OrgKind.GROUP, code="ORG-G2", region=tree.building, parent=branch
    )
    record(branch, PartyMeetingKind.BRANCH_COMMITTEE, date(YEAR, 1, 10))
    record(group, PartyMeetingKind.GROUP, date(YEAR, 1, 12))  # only one of the two groups met
    rows = selectors.compliance(official, year=YEAR, view="month", today=date(YEAR, 2, 1))
    january = row_of(rows, branch).cells[0]
    assert january.state == "behind" and january.missing == ["group"]
    assert row_of(rows, branch).groups == 2
    # March closes Q1: the assembly and the lecture are due there
    assert row_of(rows, branch).cells[2].due == {
        "branch_committee": 1,
        "group": 1,
        "general_assembly": 1,
        "lecture": 1,
    }


def test_frequencies_are_versioned_per_area(tree, branch):
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    services.meeting_rules_create(
        version="双塔-党课每年",
        source="街道党工委",
        valid_from=date(YEAR, 1, 1),
        region=tree.street_a,
        frequencies={
            "branch_committee": "monthly",
            "group": "monthly",
            "general_assembly": "quarterly",
            "lecture": "yearly",
        },
    )
    cells = row_of(selectors.compliance(official, year=YEAR, today=DEC_31), branch).cells
    assert "lecture" not in cells[0].due and cells[3].due["lecture"] == 1
    assert (
        row_of(selectors.compliance(official, year=YEAR, today=DEC_31), branch).rules.version
        == "双塔-党课每年"
    )
    with pytest.raises(ValidationError):
        services.meeting_rules_create(
            version="bad",
            source="s",
            valid_from=date(YEAR, 1, 1),
            region=tree.street_a,
            frequencies={"lecture": "daily"},
        )
    # other streets keep the default
    other = make_user(Role.STREET_OFFICIAL, tree.street_b)
    assert all(r.rules.version == "条例-2018" for r in selectors.compliance(other, year=YEAR, today=DEC_31))


def test_compliance_is_scoped(tree, branch):
    assert selectors.compliance(make_user(Role.STREET_OFFICIAL, tree.street_b), year=YEAR) == []


# ---- 发展党员 ---------------------------------------------------------------------------------


def test_a_file_from_application_to_full_membership(tree, branch):
    applicant = make_person(tree.building, birth_date=date(2000, 3, 15), name="李申请")
    file = services.development_file_open(person=applicant, branch=branch, application_on=date(2023, 3, 1))
    assert file.rules_version == "细则-2014"
    step = services.development_step_record
    step(file=file, kind=StepKind.TALK, on=date(2023, 3, 20))
    step(file=file, kind=StepKind.ACTIVIST, on=date(2023, 4, 10), detail={"mentors": ["王芳"]})
    step(file=file, kind=StepKind.ASSESSMENT, on=date(2023, 10, 9))
    step(file=file, kind=StepKind.ASSESSMENT, on=date(2024, 4, 8))
    step(file=file, kind=StepKind.TARGET, on=date(2024, 4, 10))
    with pytest.raises(ValidationError):
        step(file=file, kind=StepKind.TARGET, on=date(2024, 4, 11))  # once
    step(file=file, kind=StepKind.POLITICAL_REVIEW, on=date(2024, 5, 6))
    step(file=file, kind=StepKind.TRAINING, on=date(2024, 5, 10), detail={"days": 3, "hours": 24})
    step(file=file, kind=StepKind.PRE_REVIEW, on=date(2024, 5, 20))
    with pytest.raises(ValidationError):
        step(file=file, kind=StepKind.PUBLIC_NOTICE, on=date(2024, 5, 27))  # needs its last day
    step(file=file, kind=StepKind.PUBLIC_NOTICE, on=date(2024, 5, 27), detail={"until": date(2024, 5, 31)})
    step(
        file=file, kind=StepKind.BRANCH_MEETING, on=date(2024, 6, 11), detail={"votes_for": 6, "entitled": 9}
    )
    step(file=file, kind=StepKind.APPROVAL, on=date(2024, 7, 15))
    applicant.refresh_from_db()
    assert applicant.party_status == PartyStatus.PROBATIONARY and applicant.party_joined_on == date(
        2024, 6, 11
    )
    assert applicant.branch == branch
    file.refresh_from_db()
    assert file.stage == StepKind.APPROVAL and not file.broken
    step(file=file, kind=StepKind.FULL_MEMBERSHIP, on=date(2025, 6, 12))
    applicant.refresh_from_db()
    file.refresh_from_db()
    assert applicant.party_status == PartyStatus.FULL and applicant.party_full_on == date(2025, 6, 11)
    assert file.closed and file.stage == StepKind.FULL_MEMBERSHIP
    with pytest.raises(ValidationError):
        step(file=file, kind=StepKind.ASSESSMENT, on=date(2025, 6, 13))  # closed


def test_broken_rule_is_kept_and_listed(tree, branch):
    applicant = make_person(tree.building, birth_date=date(2000, 3, 15))
    file = services.development_file_open(person=applicant, branch=branch, application_on=date(2024, 3, 1))
    services.development_step_record(
        file=file, kind=StepKind.TALK, on=date(2024, 4, 10)
    )  # late, still recorded
    file.refresh_from_db()
    assert file.broken
    official = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    assert list(selectors.files_visible(official).filter(broken=True)) == [file]
    assert not selectors.files_visible(make_user(Role.COMMUNITY_SECRETARY, tree.community_b1)).exists()
    late = file.steps.get(kind=StepKind.TALK)
    services.development_step_delete(step=late)
    file.refresh_from_db()
    assert file.stage == StepKind.APPLICATION


def test_file_refusals(tree, branch):
    member = make_member(tree.building, branch)
    with pytest.raises(ValidationError):
        services.development_file_open(person=member, branch=branch, application_on=date(2024, 1, 1))
    applicant = make_person(tree.building)
    with pytest.raises(ValidationError):
        services.development_file_open(
            person=applicant, branch=tree.orgs["community"], application_on=date(2024, 1, 1)
        )
    services.development_file_open(person=applicant, branch=branch, application_on=date(2024, 1, 1))
    with pytest.raises(ValidationError):
        services.development_file_open(person=applicant, branch=branch, application_on=date(2024, 1, 2))


def test_training_class_hours_count_toward_the_rule(tree, branch):
    applicant = make_person(tree.building, birth_date=date(1995, 1, 1))
    file = services.development_file_open(person=applicant, branch=branch, application_on=date(2023, 1, 2))
    for kind, day in [
        (StepKind.TALK, date(2023, 1, 20)),
        (StepKind.ACTIVIST, date(2023, 2, 1)),
        (StepKind.ASSESSMENT, date(2023, 8, 1)),
        (StepKind.ASSESSMENT, date(2024, 1, 30)),
        (StepKind.TARGET, date(2024, 2, 5)),
    ]:
        services.development_step_record(file=file, kind=kind, on=day)
    training = services.training_class_create(
        name="发展对象培训班",
        purpose="targets",
        organisation=tree.orgs["street"],
        starts_on=date(2024, 3, 4),
        ends_on=date(2024, 3, 6),
        participants=[applicant],
    )
    sessions = [
        services.training_session_add(
            training=training, on=date(2024, 3, 4 + k), topic=f"第{k + 1}讲", hours=Decimal(8)
        )
        for k in range(3)
    ]
    wait = {s.kind: s for s in selectors.evaluate_file(file, today=date(2024, 3, 10)).next_steps}
    assert "training" in wait["branch_meeting"].missing
    for session in sessions[:2]:
        services.training_attendance_set(session=session, people=[applicant])
    assert selectors.training_of(applicant) == selectors.development.Training(days=2, hours=Decimal(16))
    assert (
        "training"
        in {s.kind: s for s in selectors.evaluate_file(file, today=date(2024, 3, 10)).next_steps}[
            "branch_meeting"
        ].missing
    )
    services.training_attendance_set(session=sessions[2], people=[applicant])
    evaluation = selectors.evaluate_file(file, today=date(2024, 3, 10))
    assert "training" not in {s.kind: s for s in evaluation.next_steps}["branch_meeting"].missing
    with pytest.raises(ValidationError):
        services.training_attendance_set(
            session=sessions[0], people=[make_person(tree.building)]
        )  # not a participant
    with pytest.raises(ValidationError):
        services.training_session_add(training=training, on=date(2024, 3, 9), topic="超出", hours=Decimal(4))


def test_deadline_warnings_go_once_to_the_nearest_officials(tree, branch):
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    street = make_user(Role.STREET_OFFICIAL, tree.street_a)
    applicant = make_person(tree.building, birth_date=date(2000, 1, 1))
    today = timezone.localdate()
    services.development_file_open(person=applicant, branch=branch, application_on=today - timedelta(days=25))
    assert services.development_deadlines_notify(today=today) == 1  # the talk is due within 14 days
    assert services.development_deadlines_notify(today=today) == 0
    assert Notification.objects.filter(user=secretary).count() == 1
    assert not Notification.objects.filter(user=street).exists()  # the community is nearer


# ---- 流动党员 ---------------------------------------------------------------------------------


def test_mobile_member_registry_and_scope(tree, branch):
    member = make_member(tree.building, branch)
    window = services.window_create(name="平江路流动党员服务窗口", region=tree.community_b1)
    record_ = services.mobile_member_register(
        person=member,
        current_place="江苏省苏州工业园区",
        left_on=date(2024, 3, 1),
        contact="13912345678",
        window=window,
    )
    assert record_.contact_masked == "139****5678" and record_.branch == branch
    with pytest.raises(ValidationError):
        services.mobile_member_register(person=member, current_place="x", left_on=date(2024, 3, 1))
    with pytest.raises(ValidationError):
        services.mobile_member_register(
            person=make_person(tree.building), current_place="x", left_on=date(2024, 3, 1)
        )
    home = make_user(Role.COMMUNITY_STAFF, tree.community_a1)
    host = make_user(Role.COMMUNITY_STAFF, tree.community_b1)  # the window that looks after them
    stranger = make_user(Role.COMMUNITY_STAFF, tree.community_a2)
    assert list(selectors.mobile_members_visible(home)) == [record_]
    assert list(selectors.mobile_members_visible(host)) == [record_]
    assert not selectors.mobile_members_visible(stranger).exists()
    services.mobile_member_return(record=record_, on=date(2025, 1, 1))
    assert services.mobile_member_register(person=member, current_place="杭州", left_on=date(2025, 2, 1))
