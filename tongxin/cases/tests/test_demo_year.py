"""The demo district gets a year of real cases in every state."""

import pytest
from django.core.management import call_command

from tongxin.cases.models import Case, CaseStatus, CaseTransition
from tongxin.cases.selectors import case_rates, cases_in

pytestmark = pytest.mark.django_db


def test_a_year_of_cases_in_every_state():
    call_command("demo", verbosity=0)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    for case in Case.objects.all():
        last = CaseTransition.objects.filter(case=case).order_by("at", "id").last()
        assert last is not None and last.to_status == case.status, case.tracking_code
    assert not CaseTransition.objects.filter(processed_at__isnull=True).exists()
    community = Case.objects.filter(status=CaseStatus.ARCHIVED).first().community
    from django.utils import timezone

    today = timezone.localdate()
    rates = case_rates(cases_in(community), since=today.replace(year=today.year - 1), until=today)
    assert rates.dispatched > 100 and rates.response_rate is not None and rates.satisfaction_rate is not None
