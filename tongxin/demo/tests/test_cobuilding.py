"""A year of co-building on the demo district: true figures for the lists and the duty check."""

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tongxin.accounts.models import User
from tongxin.cobuilding.duty import NOT_DUE, duty_check
from tongxin.demo.cobuilding import generate_cobuilding
from tongxin.demo.generator import Options, generate
from tongxin.lists.models import Need, NeedStatus, Project, ProjectKind, ProjectStatus
from tongxin.lists.selectors import needs_claimable
from tongxin.meetings.models import Meeting, MeetingStatus
from tongxin.notifications.models import Notification
from tongxin.partners.models import Alliance, AllianceKind, PartnerUnit

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def district(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate(Options(people=300, method="services"))


def test_a_year_of_cobuilding(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as announced:
        summary = generate_cobuilding(rng=random.Random(7), now=NOW)
    assert len(announced) > 1  # the services announced, and the demo dropped what they wrote
    assert summary.counts["alliances"] == 3  # the street's 党建联盟 and the township's two 大党委
    assert Alliance.objects.filter(kind=AllianceKind.BIG_COMMITTEE).count() == 2
    assert summary.counts["meetings held"] >= 6 and summary.counts["projects delivered"] >= 20
    assert Need.objects.filter(status=NeedStatus.OPEN).exists()  # something left to claim
    assert Project.objects.filter(kind=ProjectKind.SECRETARY).exists()
    assert Project.objects.filter(status=ProjectStatus.ACTIVE).exists()
    assert Meeting.objects.filter(status=MeetingStatus.CALLED).count() == 3  # the coming meetings
    assert not Notification.objects.exists()  # history is not news
    assert not Need.objects.filter(created_at__gt=NOW).exists()
    assert not Meeting.objects.filter(held_at__gt=NOW).exists()

    # the demo liaison speaks for their own department and has needs to claim
    liaison = User.objects.get(username="lianluoyuan")
    unit = PartnerUnit.objects.get(liaisons=liaison)
    assert unit.name == liaison.person.employer
    assert needs_claimable(liaison).exists()

    # the duty check has true figures: most are done, some are behind, the late joiner is not due
    report = duty_check(User.objects.get(username="zuzhibu"), year=2026, today=NOW.date())
    assert len(report.units) >= 20
    assert 1 <= len(report.units_behind) <= len(report.units) // 3
    assert any(u.status == NOT_DUE for u in report.units)
    assert report.secretaries and report.secretaries_behind
    assert any(a.status != "done" for a in report.alliances) and any(
        a.status == "done" for a in report.alliances
    )
