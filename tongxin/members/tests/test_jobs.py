"""The periodic jobs of members and Party life, and a signup entered by the organiser."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongxin.activities.services import signup_enter
from tongxin.core.roles import Role
from tongxin.members.testing import future_activity
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


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
