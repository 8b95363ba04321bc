"""Archiving old closed cases (归档历史): the timeline moves into one CaseArchive row per case, shows
the same afterwards, and a run is idempotent, atomic per batch and leaves undelivered rows alone."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from tongxin.audit.integrity import verify
from tongxin.audit.models import Seal
from tongxin.cases import archive
from tongxin.cases import jobs as case_jobs
from tongxin.cases.archive import ArchivedTransition, case_history, cases_archive, history_record
from tongxin.cases.models import (
    Case,
    CaseArchive,
    CaseArchiveEvent,
    CaseArchiveRun,
    CaseStatus,
    CaseTransition,
)
from tongxin.cases.services import case_tracking_link_token, case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.cast import build_cast
from tongxin.core.actors import SYSTEM
from tongxin.jobs.registry import PERIODIC
from tongxin.notifications.outbox import outbox_mark_processed

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
LONG_AGO = datetime(2024, 3, 4, 9, 0, tzinfo=TZ)
BEFORE = date(2025, 1, 1)


@pytest.fixture
def cast(tree):
    return build_cast(tree)


def closed_case(tree, cast, now=LONG_AGO, *, reopen=False, deliver=True):
    case = report_case(tree, now=now)
    steps = [
        (cast.secretary, "accept", {}),
        (cast.secretary, "dispatch", {"to_user": cast.handler}),
        (cast.handler, "respond", {}),
        (cast.handler, "resolve", {"reason": "已处理，联系人13812341234"}),
        (cast.grid_worker, "verify_pass", {}),
        (cast.secretary, "follow_up", {"solved": True, "rating": "satisfied"}),
    ]
    if reopen:
        steps += [
            (cast.secretary, "reopen", {"reason": "居民反映又堆了"}),
            (cast.handler, "resolve", {"reason": "再次清运"}),
            (cast.grid_worker, "verify_pass", {}),
            (cast.secretary, "follow_up", {"solved": True}),
        ]
    for i, (actor, action, params) in enumerate(steps):
        case = case_transition(
            case=case, action=action, actor=actor, now=now + timedelta(hours=i + 1), **params
        )
    if deliver:
        outbox_mark_processed(before=now + timedelta(days=1))
    return case


def _shown(entries):
    return [
        (e.id, e.action, e.from_status, e.to_status, e.actor_id, e.actor_label, e.reason, e.data, e.at)
        for e in entries
    ]


def test_archived_timeline_reads_as_before(tree, cast):
    case = closed_case(tree, cast, reopen=True)
    before = _shown(case_history(case))
    assert len(before) == 11

    done = cases_archive(before=BEFORE, actor=SYSTEM)

    assert (done.cases, done.transitions, done.batches) == (1, 11, 1)
    assert not CaseTransition.objects.filter(case=case).exists()
    stored = CaseArchive.objects.get(case=case)
    assert stored.transition_count == 11
    after = case_history(case)
    assert all(isinstance(e, ArchivedTransition) for e in after)
    assert _shown(after) == before
    assert after[-1].get_to_status_display() == CaseStatus.CLOSED.label
    # roles of the accounts, for the record: the secretary's
    assert next(e for e in after if e.actor_id == cast.secretary.pk).actor_roles == ("community_secretary",)
    # the reopening stays countable by period
    assert list(CaseArchiveEvent.objects.values_list("case_id", "action")) == [(case.pk, "reopen")]
    run = CaseArchiveRun.objects.get()
    assert (run.cases, run.transitions, run.before, run.actor_label) == (1, 11, BEFORE, "system")


def test_history_record_is_plain_json(tree, cast):
    case = closed_case(tree, cast)
    t = CaseTransition.objects.filter(case=case).order_by("at", "id").last()
    record = history_record(t)
    assert record["action"] == "follow_up" and record["to_status"] == "closed"
    assert record["at"] == t.at.isoformat() and record["actor_label"] == t.actor_label
    assert ArchivedTransition.from_record(record).at == t.at


def test_only_closed_cases_before_the_day(tree, cast):
    old = closed_case(tree, cast)
    recent = closed_case(tree, cast, now=datetime(2025, 6, 1, 9, 0, tzinfo=TZ))
    open_case = report_case(tree, now=LONG_AGO)
    outbox_mark_processed(before=datetime(2026, 1, 1, tzinfo=TZ))

    cases_archive(before=BEFORE, actor=SYSTEM)

    assert list(CaseArchive.objects.values_list("case_id", flat=True)) == [old.pk]
    assert CaseTransition.objects.filter(case=recent).count() == 7
    assert CaseTransition.objects.filter(case=open_case).count() == 1


def test_rerun_changes_nothing(tree, cast):
    cases = [closed_case(tree, cast, now=LONG_AGO + timedelta(days=i)) for i in range(3)]
    first = cases_archive(before=BEFORE, actor=SYSTEM, batch=2)
    assert (first.cases, first.batches) == (3, 2)
    histories = dict(CaseArchive.objects.values_list("case_id", "history"))

    again = cases_archive(before=BEFORE, actor=SYSTEM, batch=2)

    assert (again.cases, again.transitions, again.batches) == (0, 0, 0)
    assert dict(CaseArchive.objects.values_list("case_id", "history")) == histories
    assert CaseArchive.objects.count() == len(cases)


def test_dry_run_writes_nothing(tree, cast):
    closed_case(tree, cast)
    counted = cases_archive(before=BEFORE, actor=SYSTEM, dry_run=True)
    assert (counted.cases, counted.transitions) == (1, 7)
    assert not CaseArchive.objects.exists() and not CaseArchiveRun.objects.exists()
    assert CaseTransition.objects.count() == 7


def test_a_batch_that_fails_leaves_its_cases_whole(tree, cast, monkeypatch):
    cases = [closed_case(tree, cast, now=LONG_AGO + timedelta(days=i)) for i in range(3)]
    real = archive._detach
    calls = []

    def failing(ids):
        calls.append(ids)
        if len(calls) == 2:  # the second batch dies after writing its archive rows
            raise DatabaseError("killed")
        real(ids)

    monkeypatch.setattr(archive, "_detach", failing)
    with pytest.raises(DatabaseError):
        cases_archive(before=BEFORE, actor=SYSTEM, batch=2)

    archived = set(CaseArchive.objects.values_list("case_id", flat=True))
    assert archived == {cases[0].pk, cases[1].pk}
    assert CaseTransition.objects.filter(case=cases[2]).count() == 7  # neither half-archived nor lost
    assert not CaseTransition.objects.filter(case_id__in=archived).exists()

    monkeypatch.setattr(archive, "_detach", real)
    cases_archive(before=BEFORE, actor=SYSTEM, batch=2)
    assert CaseArchive.objects.count() == 3 and not CaseTransition.objects.exists()


def test_undelivered_transitions_keep_their_case(tree, cast):
    waiting = closed_case(tree, cast, deliver=False)
    cases_archive(before=BEFORE, actor=SYSTEM)
    assert not CaseArchive.objects.exists()
    assert CaseTransition.objects.filter(case=waiting, processed_at__isnull=True).count() == 7

    outbox_mark_processed(before=datetime(2026, 1, 1, tzinfo=TZ))
    assert cases_archive(before=BEFORE, actor=SYSTEM).cases == 1


def test_a_case_reopened_after_archiving_keeps_both_parts(tree, cast):
    case = closed_case(tree, cast)
    cases_archive(before=BEFORE, actor=SYSTEM)
    later = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    case_transition(case=case, action="reopen", actor=cast.secretary, reason="又坏了", now=later)

    history = case_history(Case.objects.get(pk=case.pk))

    assert [type(e).__name__ for e in history] == ["ArchivedTransition"] * 7 + ["CaseTransition"]
    assert history[-1].action == "reopen"


def test_archive_rows_are_sealed_and_transition_seals_go(tree, cast):
    closed_case(tree, cast)
    cases_archive(before=BEFORE, actor=SYSTEM)
    report = verify()
    assert report.intact, report.problems
    assert Seal.objects.filter(label="cases.CaseArchive").count() == 1
    assert not Seal.objects.filter(label="cases.CaseTransition").exists()


# --- pages and API show the archived timeline, in scope only ---------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _pages(case, user):
    """What the staff page, the API timeline, the API and public tracking show of the timeline."""
    client = _client(user)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    timeline = html[html.index('class="timeline-list"') :]
    timeline = timeline[: timeline.index("</ol>")]
    api = client.get(f"/api/v1/cases/{case.pk}/timeline")
    assert api.status_code == 200
    token = case_tracking_link_token(case=Case.objects.get(pk=case.pk))
    public = Client().get(f"/track/{case.tracking_code}/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert public.status_code == 200
    steps = public.content.decode()
    steps = steps[steps.index('class="timeline-list"') :]
    tracked = Client().get(f"/api/v1/cases/track/{case.tracking_code}", {"token": token})
    assert tracked.status_code == 200
    return timeline, api.json(), steps[: steps.index("</ol>")], tracked.json()["timeline"]


def test_pages_and_api_show_the_same_timeline_once_archived(tree, cast):
    case = closed_case(tree, cast, reopen=True)
    before = _pages(case, cast.secretary)
    assert "居民反映又堆了" in before[0] and len(before[1]) == 11

    cases_archive(before=BEFORE, actor=SYSTEM)

    assert _pages(case, cast.secretary) == before


@pytest.mark.parametrize("who", ["outsider", "stranger", "nobody"])
def test_an_archived_case_stays_out_of_other_scopes(tree, cast, who):
    case = closed_case(tree, cast)
    cases_archive(before=BEFORE, actor=SYSTEM)
    client = _client(getattr(cast, who))
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    response = client.get(f"/api/v1/cases/{case.pk}/timeline")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- the monthly job and the command ---------------------------------------------------------------


def test_the_job_archives_a_month_at_a_time(settings):
    settings.TONGXIN_CASE_ARCHIVE_AFTER_DAYS = 365
    assert archive.archive_cutoff(date(2026, 12, 7)) == date(2025, 12, 1)
    assert archive.archive_cutoff(date(2026, 12, 31)) == date(2025, 12, 1)
    assert archive.archive_cutoff(date(2027, 1, 1)) == date(2026, 1, 1)
    settings.TONGXIN_CASE_ARCHIVE_AFTER_DAYS = 0
    assert archive.archive_cutoff(date(2026, 12, 7)) is None
    assert PERIODIC["cases.archive"].every.days == 1 and case_jobs.archive


def test_the_command(tree, cast):
    closed_case(tree, cast)
    out = StringIO()
    call_command("archive_cases", "--before", "2025-01-01", "--dry-run", stdout=out)
    assert "would archive 1 cases" in out.getvalue() and not CaseArchive.objects.exists()
    call_command("archive_cases", "--before", "2025-01-01", stdout=out)
    assert CaseArchive.objects.count() == 1
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("archive_cases", "--before", "2025-13-01")
