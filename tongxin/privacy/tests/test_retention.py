"""Row 25: the retention schedule is enforced by a job. Time travels by the job's `now`: nothing is
erased a moment before the period ends, everything due is erased after it, and each run leaves one
audit row of counts without personal data."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from tongxin.audit.models import Action, AuditEvent
from tongxin.cases.models import Case
from tongxin.cases.selectors import case_by_tracking_link
from tongxin.cases.services import case_intake, case_transition
from tongxin.cases.testing import category
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.jobs.registry import PERIODIC, load_all
from tongxin.partylife.models import MobileMember
from tongxin.privacy.conf import value
from tongxin.privacy.erasure import retention_run
from tongxin.testing import make_member, make_user

pytestmark = pytest.mark.django_db

CLOSED = timezone.make_aware(datetime(2026, 1, 5, 10, 0))
PHONE = "13912345678"


def _closed_case(tree, *, closed: datetime = CLOSED) -> tuple[Case, str]:
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    case, token = case_intake(
        source="resident",
        kind="complaint",
        category=category(),
        description="小区门口路灯不亮",
        lng=120.605,
        lat=31.31,
        reporter_name="王阿姨",
        reporter_phone=PHONE,
        now=closed - timedelta(days=1),
    )
    case = case_transition(
        case=case, action="reject", actor=secretary, reason="不属社区事务", why="invalid", now=closed
    )
    assert case.closed_at == closed
    return case, token


def test_the_job_is_registered_to_run_daily():
    load_all()
    assert PERIODIC["privacy.retention"].every == timedelta(days=1)


def test_nothing_is_erased_before_the_period_ends(tree):
    case, token = _closed_case(tree)
    link_days = value("TONGXIN_PRIVACY_TRACKING_LINK_DAYS")
    counts = retention_run(actor=SYSTEM, now=CLOSED + timedelta(days=link_days) - timedelta(seconds=1))
    assert counts == {
        "case_reporters": 0,
        "tracking_links": 0,
        "mobile_contacts": 0,
        "requests": 0,
        "booking_contacts": 0,
    }
    case.refresh_from_db()
    assert case.reporter_name == "王阿姨" and case.reveal_reporter_phone() == PHONE
    assert case_by_tracking_link(case.tracking_code, token) is not None


def test_the_tracking_link_expires_first_then_the_reporter_is_erased(tree):
    case, token = _closed_case(tree)
    open_case, _open_token = case_intake(
        source="resident",
        kind="complaint",
        category=category(),
        description="楼上装修噪音扰民",
        lng=120.605,
        lat=31.31,
        reporter_phone=PHONE,
        now=CLOSED - timedelta(days=2),
    )
    link_days = value("TONGXIN_PRIVACY_TRACKING_LINK_DAYS")
    counts = retention_run(actor=SYSTEM, now=CLOSED + timedelta(days=link_days))
    assert counts["tracking_links"] == 1 and counts["case_reporters"] == 0
    case.refresh_from_db()
    assert case.tracking_token_encrypted == "" and case.rating_token_hash == ""
    assert case_by_tracking_link(case.tracking_code, token) is None
    assert case.reporter_phone_hash != ""  # the phone is kept until its own period ends

    reporter_days = value("TONGXIN_PRIVACY_CASE_REPORTER_DAYS")
    counts = retention_run(actor=SYSTEM, now=CLOSED + timedelta(days=reporter_days))
    assert counts["case_reporters"] == 1
    case.refresh_from_db()
    # the encrypted column and its blind index go together: unreadable and unfindable
    assert (case.reporter_name, case.reporter_phone_encrypted, case.reporter_phone_hash) == ("", "", "")
    assert (
        case.description == "小区门口路灯不亮" and case.closed_at == CLOSED
    )  # the case stays for the figures
    open_case.refresh_from_db()
    assert open_case.reveal_reporter_phone() == PHONE  # an open case keeps its reporter

    # a second run finds nothing more
    again = retention_run(actor=SYSTEM, now=CLOSED + timedelta(days=reporter_days + 1))
    assert again["case_reporters"] == 0 and again["tracking_links"] == 0


def test_the_period_is_configuration(tree, settings):
    _closed_case(tree)
    settings.TONGXIN_PRIVACY_CASE_REPORTER_DAYS = 30
    assert retention_run(actor=SYSTEM, now=CLOSED + timedelta(days=29))["case_reporters"] == 0
    assert retention_run(actor=SYSTEM, now=CLOSED + timedelta(days=30))["case_reporters"] == 1


def test_a_mobile_members_contact_is_erased_after_their_return(tree):
    member = make_member(tree.community_a1, tree.orgs["grid_branch"])
    back = MobileMember.objects.create(
        person=member,
        branch=tree.orgs["grid_branch"],
        current_place="深圳",
        left_on=date(2024, 1, 1),
        returned_on=date(2025, 1, 1),
    )
    back.set_contact(PHONE)
    back.save()
    days = value("TONGXIN_PRIVACY_MOBILE_CONTACT_DAYS")
    returned = timezone.make_aware(datetime(2025, 1, 1, 12))
    assert retention_run(actor=SYSTEM, now=returned + timedelta(days=days - 1))["mobile_contacts"] == 0
    assert retention_run(actor=SYSTEM, now=returned + timedelta(days=days))["mobile_contacts"] == 1
    back.refresh_from_db()
    assert back.contact_encrypted == "" and back.current_place == "深圳"


def test_each_run_writes_one_audit_row_of_counts_without_personal_data(tree):
    _closed_case(tree)
    before = AuditEvent.objects.filter(action=Action.PI_ERASED).count()
    retention_run(actor=SYSTEM, now=CLOSED + timedelta(days=value("TONGXIN_PRIVACY_CASE_REPORTER_DAYS")))
    events = AuditEvent.objects.filter(action=Action.PI_ERASED).order_by("-id")
    assert events.count() == before + 1
    event = events.first()
    assert event.detail["case_reporters"] == 1 and event.detail["reason"] == "retention"
    assert PHONE not in str(event.detail) and "王阿姨" not in str(event.detail)
