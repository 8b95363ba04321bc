"""The demo's year of member life, and the periodic jobs of members and Party life."""

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.accounts.roles import Role
from tongxin.activities.services import signup_enter
from tongxin.members.testing import future_activity
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def test_generate_member_life_on_a_small_district(tree):
    from tongxin.activities.models import Activity, Team
    from tongxin.members.demo import generate_member_life
    from tongxin.members.models import MemberReport, ServiceEntry, ServicePost
    from tongxin.partylife.models import DevelopmentFile, MobileMember, PartyMeeting

    today = timezone.localdate()
    for n in range(12):
        make_member(
            tree.building,
            tree.orgs["grid_branch"],
            birth_date=date(today.year - 30 - n, 3, 1),
            employer="姑苏区人民医院" if n % 2 else "苏州供电公司",
        )
    for n in range(3):  # members without an employer (some work away from home)
        make_member(tree.grids["1.2"], tree.orgs["grid_branch"], birth_date=date(today.year - 25 - n, 1, 1))
    for n in range(10):
        make_person(tree.grids["1.1"], birth_date=date(today.year - 20 - n, 5, 1))
    summary = generate_member_life(
        rng=random.Random(7), now=timezone.now(), streets=[tree.street_a, tree.street_b]
    )
    assert ServicePost.objects.count() == 8 * 3  # eight kinds in each of the three communities
    assert MemberReport.objects.exists() and Activity.objects.exists() and Team.objects.exists()
    assert PartyMeeting.objects.filter(organisation=tree.orgs["grid_branch"]).exists()
    assert DevelopmentFile.objects.exists() and MobileMember.objects.exists()
    assert ServiceEntry.objects.count() == summary.counts["services on record"] > 0
    assert "member reports" in summary.lines()[0]


def test_signup_entered_by_the_organiser(tree):
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    member = make_member(tree.building, tree.orgs["grid_branch"])
    resident = make_person(tree.building)
    activity = future_activity(secretary, tree.community_a1)
    assert signup_enter(activity=activity, person=member, actor=secretary).person == member
    with pytest.raises(ValidationError):
        signup_enter(activity=activity, person=resident, actor=secretary)  # a members' activity
    with pytest.raises(PermissionDenied):
        signup_enter(
            activity=activity, person=member, actor=make_user(Role.COMMUNITY_SECRETARY, tree.community_b1)
        )


def test_jobs_are_registered_and_run(tree):
    from tongxin.jobs import registry
    from tongxin.members.models import ServiceSyncState

    registry.load_all()
    for kind in ("members.service_record", "members.rereport_reminders", "partylife.development_deadlines"):
        assert kind in registry.PERIODIC
        registry.HANDLERS[kind]({})
    assert ServiceSyncState.objects.filter(source="activity").exists()
    assert registry.PERIODIC["members.service_record"].every <= timedelta(minutes=10)
