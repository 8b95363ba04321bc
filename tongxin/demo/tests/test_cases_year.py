"""The demo district gets a year of real cases in every state, ending on the day it is made."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tongxin.cases.models import OPEN_STATUSES, Case, CaseStatus, CaseTransition
from tongxin.cases.selectors import case_rates, cases_in, region_rates
from tongxin.demo.history import TOLD_BEFORE
from tongxin.regions.models import Level

pytestmark = pytest.mark.django_db
OLD = timedelta(days=45)  # no case reported this long ago is still open


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One `tongxin demo` for the module's tests, which only read it; rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        call_command("demo", verbosity=0)
        yield timezone.now()
        transaction.set_rollback(True)


def test_a_year_of_cases_in_every_state(demo):
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    for case in Case.objects.all():
        last = CaseTransition.objects.filter(case=case).order_by("at", "id").last()
        assert last is not None and last.to_status == case.status, case.tracking_code
    # a year of history is not news: only the last days' steps wait in the outbox for the worker
    assert not CaseTransition.objects.filter(processed_at__isnull=True, at__lt=demo - TOLD_BEFORE).exists()
    assert CaseTransition.objects.filter(processed_at__isnull=True).exists()
    community = Case.objects.filter(status=CaseStatus.ARCHIVED).first().community
    today = timezone.localdate()
    rates = case_rates(cases_in(community), since=today.replace(year=today.year - 1), until=today)
    assert rates.dispatched > 100 and rates.response_rate is not None and rates.satisfaction_rate is not None


def test_the_year_ends_today_like_a_live_street(demo):
    made = demo
    assert Case.objects.filter(reported_at__lt=made - timedelta(days=330)).exists()  # a year
    assert not Case.objects.filter(reported_at__gt=made).exists()  # and nothing in the future
    assert not CaseTransition.objects.filter(at__gt=made).exists()
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    assert not open_cases.filter(reported_at__lt=made - OLD).exists()
    # weeks-old cases are concluded; the backlog is the last days' and weeks'
    weeks_old = Case.objects.filter(reported_at__lt=made - timedelta(days=21))
    assert weeks_old.filter(status__in=OPEN_STATUSES).count() <= weeks_old.count() // 50
    for stage in (CaseStatus.REPORTED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED):
        assert open_cases.filter(status=stage).exists(), stage
    # a few whistles wait for their departments to report (吹哨报到), not a pile of them
    assert 1 <= open_cases.filter(status=CaseStatus.WHISTLED).count() <= 4
    supervised = open_cases.filter(supervised=True).count()
    assert 1 <= supervised <= 8
    # a few are closed as not fixed, and they count against 解决率
    unsolved = Case.objects.filter(status=CaseStatus.CLOSED_UNSOLVED).count()
    settled = Case.objects.filter(status__in=[CaseStatus.CLOSED, CaseStatus.ARCHIVED]).count()
    assert 0 < unsolved < settled // 10
    street = Case.objects.filter(status=CaseStatus.ARCHIVED).first().community.parent
    assert street.level == Level.STREET
    today = timezone.localdate(made)
    rates = region_rates(street, since=today - timedelta(days=365), until=today)
    assert rates.concluded > rates.solved > 0 and rates.resolution_rate < 1
    assert rates.rated < rates.concluded and rates.basic_weight > 0
