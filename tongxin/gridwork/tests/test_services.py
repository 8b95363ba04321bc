from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.cases.models import Case, CaseSource
from tongxin.cases.testing import category
from tongxin.gridwork import selectors
from tongxin.gridwork.models import KindCode, LogEntry, Outcome
from tongxin.gridwork.services import (
    campaign_close,
    campaign_round_record,
    campaign_start,
    log_correct,
    log_finding_report,
    log_record,
    visit_interval_set,
)


def test_a_visit_is_recorded_in_the_workers_grid(tree, worker, households):
    entry = log_record(
        actor=worker, kind="visit", grid=tree.grids["1.1"], household=households[0], note="身体好"
    )
    assert entry.code == KindCode.VISIT and entry.region_path == tree.grids["1.1"].path
    assert entry.author == worker and entry.lng is None  # no GPS needed


def test_another_grid_is_refused(tree, other_worker, households):
    with pytest.raises(PermissionDenied):
        log_record(actor=other_worker, kind="visit", grid=tree.grids["1.1"], household=households[0])


def test_a_household_of_another_grid_is_refused(tree, secretary, households):
    with pytest.raises(ValidationError):
        log_record(actor=secretary, kind="visit", grid=tree.grids["1.2"], household=households[0])


def test_a_mediation_needs_its_outcome(tree, secretary, households):
    with pytest.raises(ValidationError):
        log_record(actor=secretary, kind="mediation", grid=tree.grids["1.1"])
    entry = log_record(actor=secretary, kind="mediation", grid=tree.grids["1.1"], outcome=Outcome.RESOLVED)
    assert entry.outcome == Outcome.RESOLVED
    with pytest.raises(ValidationError):
        log_record(actor=secretary, kind="visit", grid=tree.grids["1.1"], outcome=Outcome.RESOLVED)


def test_the_same_key_twice_writes_one_entry(tree, worker):
    first = log_record(actor=worker, kind="patrol", grid=tree.grids["1.1"], client_key="abc")
    again = log_record(actor=worker, kind="patrol", grid=tree.grids["1.1"], client_key="abc")
    assert first.pk == again.pk and LogEntry.objects.count() == 1


def test_no_entry_in_the_future_or_weeks_late(tree, worker):
    now = timezone.now()
    for at in (now + timedelta(hours=1), now - timedelta(days=8)):
        with pytest.raises(ValidationError):
            log_record(actor=worker, kind="patrol", grid=tree.grids["1.1"], at=at)


def test_a_finding_becomes_exactly_one_case_with_the_household(tree, worker, households):
    entry = log_record(
        actor=worker,
        kind="visit",
        grid=tree.grids["1.1"],
        household=households[0],
        note="楼道堆放杂物堵塞通道",
    )
    case = log_finding_report(actor=worker, entry=entry, category=category("0102"))
    again = log_finding_report(actor=worker, entry=entry, category=category("0102"))
    assert case.pk == again.pk and Case.objects.count() == 1
    case.refresh_from_db()
    assert case.source == CaseSource.PATROL and case.grid == tree.grids["1.1"]
    assert households[0].short_address in case.address and "楼道堆放杂物" in case.description
    assert case.log_entry.household == households[0]
    entry.refresh_from_db()
    assert entry.found_something and entry.case == case


def test_the_author_corrects_within_a_day_audited(tree, worker, other_worker):
    entry = log_record(actor=worker, kind="patrol", grid=tree.grids["1.1"], note="正常")
    log_correct(actor=worker, entry=entry, changes={"note": "发现井盖松动"})
    entry.refresh_from_db()
    assert entry.note == "发现井盖松动"
    assert AuditEvent.objects.filter(target=f"logentry:{entry.pk}").exists()
    with pytest.raises(PermissionDenied):
        log_correct(actor=other_worker, entry=entry, changes={"note": "x"})
    with pytest.raises(PermissionDenied):
        log_correct(actor=worker, entry=entry, changes={"note": "y"}, now=timezone.now() + timedelta(days=2))


def _campaign(tree, street):
    today = timezone.localdate()
    return campaign_start(
        actor=street,
        region=tree.street_a,
        title="消防安全专项排查",
        checklist=["安全隐患", "消防", ""],
        grids=[tree.grids["1.1"], tree.grids["1.2"]],
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=10),
    )


def test_campaign_rounds_and_coverage_equal_their_rows(tree, street, worker, households):
    campaign = _campaign(tree, street)
    assert [i["label"] for i in campaign.checklist] == ["安全隐患", "消防"]
    campaign_round_record(
        actor=worker, campaign=campaign, grid=tree.grids["1.1"], household=households[0], answers={"i1": "ok"}
    )
    campaign_round_record(
        actor=worker,
        campaign=campaign,
        grid=tree.grids["1.1"],
        household=households[0],
        answers={"i2": "issue"},
    )
    campaign_round_record(actor=worker, campaign=campaign, grid=tree.grids["1.1"], household=households[1])
    _rows, total = selectors.coverage(campaign)
    assert (total.in_scope, total.visited, total.rounds, total.findings) == (3, 2, 3, 1)
    listed = list(selectors.coverage_rows(campaign))
    assert len(listed) == total.in_scope
    assert sum(1 for h in listed if h.rounds) == total.visited
    assert sum(h.rounds for h in listed) == total.rounds
    with pytest.raises(ValidationError):
        campaign_round_record(actor=worker, campaign=campaign, grid=tree.grids["1.1"], answers={"nope": "ok"})
    campaign_close(actor=street, campaign=campaign)
    with pytest.raises(ValidationError):
        campaign_round_record(actor=worker, campaign=campaign, grid=tree.grids["1.1"])


def test_a_campaign_is_started_by_a_street_or_community_only(tree, street, worker):
    with pytest.raises(PermissionDenied):
        _campaign(tree, worker)
    with pytest.raises(ValidationError):
        campaign_start(
            actor=street,
            region=tree.street_a,
            title="",
            checklist=[],
            grids=[],
            starts_on=date(2026, 2, 1),
            ends_on=date(2026, 1, 1),
        )


def test_due_visits_follow_the_configured_interval(tree, worker, secretary, households):
    grid = tree.grids["1.1"]
    tagged = households[0]
    assert [d.household for d in selectors.due_visits(grid)] == [tagged]
    log_record(actor=worker, kind="visit", grid=grid, household=tagged, at=timezone.now() - timedelta(days=5))
    if tagged.tags.first().tag.visit_interval_days in (None,):
        assert selectors.due_visits(grid) == []
        visit_interval_set(actor=secretary, region=tree.community_a1, days=3)
        assert [d.household for d in selectors.due_visits(grid)] == [tagged]
