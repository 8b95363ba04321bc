"""Activities: who may sign up, places, attendance confirmed by the organiser; teams and call-outs."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.activities import selectors, services
from tongxin.activities.models import ActivityStatus, Audience, CalloutAnswer, TeamKind
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.members.testing import future_activity, make_post, make_report, past_activity
from tongxin.notifications.models import Notification
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def account(tree, person, role=Role.MEMBER):
    user = make_user(role, tree.community_a1)
    user.person = person
    user.save()
    return user


@pytest.fixture
def organiser(tree):
    return make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)


@pytest.fixture
def member(tree):
    return account(tree, make_member(tree.building, tree.orgs["grid_branch"]))


def test_audience_decides_who_may_sign_up(tree, organiser, member):
    resident = account(tree, make_person(tree.building))
    elsewhere = account(tree, make_member(tree.grids["2.1"], tree.orgs["grid_branch"]))  # lives in 锦帆路社区
    for_members = future_activity(organiser, tree.community_a1)
    assert selectors.may_sign_up(member, for_members)
    assert not selectors.may_sign_up(resident, for_members)
    assert not selectors.may_sign_up(elsewhere, for_members)
    # reporting to their own community (锦帆路) opens its activities, not 滚绣坊's
    make_report(elsewhere.person, make_post(tree.community_a2))
    assert not selectors.may_sign_up(elsewhere, for_members)
    open_to_all = future_activity(organiser, tree.community_a1, audience=Audience.EVERYONE)
    assert selectors.may_sign_up(resident, open_to_all)
    a2_secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a2)
    for_reported = future_activity(a2_secretary, tree.community_a2, audience=Audience.REPORTED)
    assert selectors.may_sign_up(elsewhere, for_reported) and not selectors.may_sign_up(member, for_reported)
    branch_only = future_activity(
        organiser, tree.community_a1, audience=Audience.BRANCH, organisation=tree.orgs["grid_branch"]
    )
    assert selectors.may_sign_up(member, branch_only) and not selectors.may_sign_up(resident, branch_only)
    with pytest.raises(ValidationError):
        services.signup_create(activity=for_members, user=resident)


def test_places_and_deadlines(tree, organiser, member):
    other = account(tree, make_member(tree.building, tree.orgs["grid_branch"]))
    activity = future_activity(organiser, tree.community_a1, places=1)
    first = services.signup_create(activity=activity, user=member)
    assert services.signup_create(activity=activity, user=member).pk == first.pk  # twice is once
    with pytest.raises(ValidationError):
        services.signup_create(activity=activity, user=other)  # full
    services.signup_cancel(activity=activity, user=member)
    assert services.signup_create(activity=activity, user=other)  # the freed place
    closes = future_activity(organiser, tree.community_a1, signup_until=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.signup_create(activity=closes, user=member, now=timezone.now() + timedelta(hours=2))
    with pytest.raises(ValidationError):
        services.signup_create(activity=past_activity(organiser, tree.community_a1), user=member)


def test_signup_notifies_the_organiser_once(tree, organiser, member, django_capture_on_commit_callbacks):
    activity = future_activity(organiser, tree.community_a1)
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_create(activity=activity, user=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_create(activity=activity, user=member)  # already signed up: no new event
    assert Notification.objects.filter(user=organiser).count() == 1


def test_activity_validation(tree, organiser):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            organiser=organiser,
            region=tree.community_a1,
            title="",
            kind="x",
            place="",
            starts_at=start,
            ends_at=start,
        )
    assert {"title", "kind", "place", "ends_at"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        future_activity(make_user(Role.COMMUNITY_SECRETARY, tree.community_b1), tree.community_a1)
    with pytest.raises(ValidationError):
        future_activity(organiser, tree.community_a1, audience=Audience.BRANCH)  # needs its branch
    made = future_activity(organiser, tree.community_a1)
    assert made.hours == 2  # the length of the activity by default


def test_a_liaison_publishes_for_their_unit_only(tree):
    from tongxin.members.testing import make_employer
    from tongxin.partners.services import unit_liaisons_set

    unit = make_employer(tree, region=tree.street_a)
    liaison = make_user(Role.PARTNER_LIAISON, tree.street_a)
    unit_liaisons_set(unit=unit, liaisons=[liaison], actor=SYSTEM)
    made = future_activity(liaison, tree.community_a1, unit=unit)
    assert made.unit == unit and selectors.may_manage_activity(liaison, made)
    with pytest.raises(PermissionDenied):
        future_activity(liaison, tree.community_b1, unit=unit)  # not where the unit sits
    with pytest.raises(PermissionDenied):
        future_activity(liaison, tree.community_a1)  # not for their unit


def test_attendance_is_confirmed_by_the_organiser_only(tree, organiser, member):
    walk_in = make_person(tree.building, name="临时参加")
    activity = past_activity(organiser, tree.community_a1)
    signup = services.signup_create(
        activity=activity, user=member, now=activity.starts_at - timedelta(hours=1)
    )
    with pytest.raises(PermissionDenied):
        services.attendance_confirm(activity=activity, actor=member, attended=[signup.pk])
    with pytest.raises(ValidationError):
        services.attendance_confirm(activity=activity, actor=organiser, attended=[signup.pk + 999])
    done = services.attendance_confirm(
        activity=activity, actor=organiser, attended=[signup.pk], walk_ins=[walk_in]
    )
    assert done.status == ActivityStatus.CONFIRMED and done.confirmed_by == organiser
    assert set(activity.signups.filter(attended=True).values_list("person__name", flat=True)) == {
        member.person.name,
        "临时参加",
    }
    coming = future_activity(organiser, tree.community_a1)
    with pytest.raises(ValidationError):
        services.attendance_confirm(activity=coming, actor=organiser, attended=[])  # not started yet
    cancelled = services.activity_cancel(
        activity=future_activity(organiser, tree.community_a1), actor=organiser
    )
    with pytest.raises(ValidationError):
        services.attendance_confirm(activity=cancelled, actor=organiser, attended=[])


# ---- teams ------------------------------------------------------------------------------------


def test_team_roster_reaches_case_dispatch(tree, member):
    team = services.team_create(
        name="滚绣坊应急综合服务队", kind=TeamKind.EMERGENCY, region=tree.community_a1
    )
    assert team.responder is not None and team.responder.kind == "team"
    leader = services.team_member_add(team=team, person=member.person, role="leader", skills="急救")
    assert list(team.responder.members.all()) == [member]
    with pytest.raises(ValidationError):
        services.team_member_add(team=team, person=member.person)
    services.team_member_remove(member=leader)
    assert list(team.responder.members.all()) == []
    with pytest.raises(ValidationError):
        services.team_create(name="滚绣坊应急综合服务队", kind=TeamKind.EMERGENCY, region=tree.community_a1)


def test_callout_tells_the_roster_and_records_answers(tree, member, django_capture_on_commit_callbacks):
    from tongxin.cases.testing import report_case

    team = services.team_create(name="志愿服务队", kind=TeamKind.VOLUNTEER, region=tree.community_a1)
    services.team_member_add(team=team, person=member.person)
    official = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    case = report_case(tree)
    with django_capture_on_commit_callbacks(execute=True):
        callout = services.callout_create(team=team, case=case, actor=official, note="需要人手清运")
    assert Notification.objects.filter(user=member, event_key=f"callout:{callout.pk}").exists()
    services.callout_respond(callout=callout, user=member, answer=CalloutAnswer.COMING)
    services.callout_respond(callout=callout, user=member, answer=CalloutAnswer.ARRIVED)
    assert list(callout.responses.values_list("answer", flat=True)) == ["arrived"]  # the latest answer
    outsider = account(tree, make_member(tree.building, tree.orgs["grid_branch"]))
    with pytest.raises(PermissionDenied):
        services.callout_respond(callout=callout, user=outsider, answer=CalloutAnswer.COMING)
    elsewhere = services.team_create(name="平江队", kind=TeamKind.SQUAD, region=tree.community_b1)
    with pytest.raises(ValidationError):
        services.callout_create(team=elsewhere, case=case, actor=official)
    services.callout_close(callout=callout)
    with pytest.raises(ValidationError):
        services.callout_respond(callout=callout, user=member, answer=CalloutAnswer.DONE)
