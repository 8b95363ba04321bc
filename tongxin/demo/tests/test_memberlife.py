"""The demo's year of member life, written through the services on a small district."""

import random
from datetime import date

import pytest
from django.utils import timezone

from tongxin.activities.models import Activity, Team
from tongxin.demo.memberlife import generate_member_life
from tongxin.members.models import MemberReport, ServiceEntry, ServicePost
from tongxin.partylife.models import DevelopmentFile, MobileMember, PartyMeeting
from tongxin.testing import make_member, make_person

pytestmark = pytest.mark.django_db


def test_generate_member_life_on_a_small_district(tree):
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
