"""Archiving old closed cases (cases/archive.py) changes no figure: every indicator of every node
and period, computed before and after the demo district's closed cases are archived, and the
reopened cases' rows still listed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.cases.archive import case_history, cases_archive
from tongxin.cases.models import Case, CaseArchive, CaseStatus, CaseTransition
from tongxin.cases.services import case_transition
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.notifications.outbox import outbox_mark_processed
from tongxin.regions.models import Level, Region
from tongxin.statistics import selectors
from tongxin.statistics.periods import Period, month, year
from tongxin.statistics.registry import REGISTRY

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("statistics-district")]


def _nodes():
    city = Region.objects.get(level=Level.CITY)
    street = Region.objects.filter(level=Level.STREET).order_by("code").first()
    community = (
        Region.objects.filter(level=Level.COMMUNITY, path__startswith=street.path).order_by("code").first()
    )
    return [city, street, community]


def _periods():
    today = timezone.localdate()
    return [
        year(today.year),
        year(today.year - 1),
        month(today.year, today.month),
        Period(today - timedelta(days=400), today),
    ]


def _figures():
    return {
        (node.pk, period.start, period.end): selectors.compute(node, period, list(REGISTRY.values()))
        for node in _nodes()
        for period in _periods()
    }


def _reopen_some():
    """Reopen and close again a few closed cases of each year, through the service, by their
    community secretary, a day after they closed."""
    for closed in (
        Case.objects.filter(status=CaseStatus.CLOSED).order_by(order)[:3] for order in ("pk", "-pk")
    ):
        for case in closed:
            secretary = RoleAssignment.objects.filter(
                role=Role.COMMUNITY_SECRETARY, region=case.community
            ).first()
            assert secretary is not None
            at = case.closed_at + timedelta(hours=1)
            case_transition(case=case, action="reopen", actor=secretary.user, reason="又坏了", now=at)
            case_transition(
                case=case,
                action="close_unsolved",
                actor=secretary.user,
                reason="无法解决",
                now=at + timedelta(hours=1),
            )


def _shown(case):
    return [(e.id, e.action, e.to_status, e.actor_label, e.reason, e.data, e.at) for e in case_history(case)]


def test_archiving_changes_no_figure_and_no_timeline(district):
    _reopen_some()
    outbox_mark_processed(before=timezone.now())
    reopened = Case.objects.filter(transitions__action="reopen").distinct()
    assert reopened.count() == 6  # the figure that reads transitions counts them
    sample = list(Case.objects.exclude(closed_at=None).order_by("pk")[:40]) + list(reopened[:10])
    timelines = {case.pk: _shown(case) for case in sample}
    before = _figures()
    reopened_rows = {
        key: {c.pk for c in selectors.rows_of(REGISTRY["cases.reopened"], node, period)}
        for node in _nodes()
        for period in _periods()
        for key in [(node.pk, period.start)]
    }

    done = cases_archive(before=timezone.localdate() + timedelta(days=1), actor=SYSTEM, batch=200)

    assert done.cases == CaseArchive.objects.count() > 100
    assert not CaseTransition.objects.filter(case__closed_at__isnull=False, case__status="closed").exists()
    assert _figures() == before
    assert {
        key: {c.pk for c in selectors.rows_of(REGISTRY["cases.reopened"], node, period)}
        for node in _nodes()
        for period in _periods()
        for key in [(node.pk, period.start)]
    } == reopened_rows
    assert {case.pk: _shown(case) for case in sample} == timelines
