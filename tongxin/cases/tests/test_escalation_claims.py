"""Two workers sweep deadlines at once (the sweep runs in shards on two workers, and a dead worker's
sweep runs again): each case is warned, supervised and whistled once. A sweep claims a case by the
version it read; a whistle by a conditional update of its escalated_at."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from tongxin.cases import escalation
from tongxin.cases.models import Case, CaseTransition, Whistle
from tongxin.cases.services import case_transition
from tongxin.cases.testing import category, report_case
from tongxin.cases.workflow import Action
from tongxin.testing import make_user, race

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": MONDAY_9}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return lambda moment: state.update(now=moment)


def _dispatched(tree, code: str = "0501") -> Case:
    secretary = make_user("community_secretary", tree.community_a1)
    handler = make_user("community_staff", tree.community_a1)
    case = report_case(tree, category=category(code))
    case_transition(case=case, action="accept", actor=secretary)
    return case_transition(case=case, action="dispatch", actor=secretary, to_user=handler)


def _system_actions(case: Case) -> list[str]:
    return list(
        CaseTransition.objects.filter(case=case, actor_label="system")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_second_sweep_that_read_the_same_version_changes_nothing(tree, clock):
    case = _dispatched(tree)
    clock(datetime(2026, 11, 23, 14, 30, tzinfo=TZ))
    read = Case.objects.get(pk=case.pk).version  # both workers read the case before either writes
    now = timezone.now()
    assert escalation._apply(case.pk, read, Action.WARN, "first", now) is not None
    assert escalation._apply(case.pk, read, Action.WARN, "second", now) is None
    assert _system_actions(case) == ["warn"]


def test_the_shards_split_the_cases_and_together_cover_them(tree, clock):
    cases = [_dispatched(tree, code="0101") for _ in range(4)]
    clock(MONDAY_9 + timedelta(days=7))
    first = escalation.escalate_due(shard=0, shards=2)
    second = escalation.escalate_due(shard=1, shards=2)
    assert first["supervised"] + second["supervised"] == 4
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: no fixed parts, the first sweep takes every due case no other sweep holds
        assert first["supervised"] == 4
    else:
        assert first["supervised"] == sum(1 for c in cases if c.pk % 2 == 0)
    assert (
        escalation.escalate_due(shard=0, shards=2)
        == escalation.escalate_due(shard=1, shards=2)
        == {
            "warned": 0,
            "supervised": 0,
            "whistled": 0,
        }
    )
    for case in cases:
        assert _system_actions(case) == ["supervise"]


def test_a_whistle_is_escalated_once_by_two_sweeps(tree, clock):
    case = _dispatched(tree)
    clock(datetime(2026, 11, 23, 15, 1, tzinfo=TZ))
    escalation.escalate_due()
    assert _system_actions(case) == ["supervise", "whistle"]
    clock(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    whistle = Whistle.objects.get(case=case)
    Whistle.objects.filter(pk=whistle.pk).update(escalated_at=timezone.now())  # the other sweep won
    escalation.escalate_due()
    assert _system_actions(case) == ["supervise", "whistle"]
    assert Whistle.objects.filter(case=case).count() == 1


def _due(tree, n: int) -> list[Case]:
    return [_dispatched(tree, code="0101") for _ in range(n)]


def test_a_sweep_in_small_batches_changes_every_due_case_once(tree, clock):
    cases = _due(tree, 5)
    clock(max(c.warn_at for c in cases))  # past the warning time, before the deadline
    assert escalation.escalate_due(batch=2)["warned"] == 5
    clock(MONDAY_9 + timedelta(days=7))
    assert escalation.escalate_due(batch=2)["supervised"] == 5
    assert escalation.escalate_due(batch=2) == {"warned": 0, "supervised": 0, "whistled": 0}
    for case in cases:
        assert _system_actions(case) == ["warn", "supervise"]


def test_a_refused_change_does_not_keep_the_sweep_on_it(tree, clock, monkeypatch):
    """A case whose change is refused stays due; the sweep passes over it (keyset) and ends."""
    cases = _due(tree, 5)
    refused = cases[1].pk
    apply = escalation._apply

    def refusing(case_id, *args, **kwargs):
        return None if case_id == refused else apply(case_id, *args, **kwargs)

    monkeypatch.setattr(escalation, "_apply", refusing)
    clock(MONDAY_9 + timedelta(days=7))
    assert escalation.escalate_due(batch=1)["supervised"] == 4
    monkeypatch.setattr(escalation, "_apply", apply)
    assert escalation.escalate_due(batch=1)["supervised"] == 1  # the next sweep takes it
    assert all(_system_actions(case) == ["supervise"] for case in cases)


def test_a_worker_killed_mid_batch_leaves_that_batch_unchanged_and_the_next_sweep_does_it_once(
    tree, clock, monkeypatch
):
    """kill -9 mid-batch, as the database sees it: the batch's transaction never commits. The
    batches before it are kept; the next sweep changes the rest, each case once."""
    cases = _due(tree, 6)
    apply = escalation._apply
    seen: list[int] = []

    def dies_on_the_fourth(case_id, *args, **kwargs):
        seen.append(case_id)
        if len(seen) == 4:
            raise SystemExit("killed")  # not caught by the sweep, like the end of the process
        return apply(case_id, *args, **kwargs)

    monkeypatch.setattr(escalation, "_apply", dies_on_the_fourth)
    clock(MONDAY_9 + timedelta(days=7))
    with pytest.raises(SystemExit):
        escalation.escalate_due(batch=3)
    # the first batch (three cases) committed, the second (its first case changed) rolled back
    changed = [c for c in cases if _system_actions(c)]
    assert len(changed) == 3
    assert Case.objects.filter(pk__in=[c.pk for c in cases], overdue_at__isnull=False).count() == 3
    monkeypatch.setattr(escalation, "_apply", apply)
    assert escalation.escalate_due(batch=3)["supervised"] == 3
    for case in cases:
        assert _system_actions(case) == ["supervise"]


def test_a_whistle_claim_and_its_escalation_commit_together(tree, clock, monkeypatch):
    case = _dispatched(tree)
    clock(datetime(2026, 11, 23, 15, 1, tzinfo=TZ))
    escalation.escalate_due()
    clock(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    monkeypatch.setattr(escalation, "_apply", lambda *a, **k: (_ for _ in ()).throw(SystemExit("killed")))
    with pytest.raises(SystemExit):
        escalation.escalate_due()
    assert Whistle.objects.get(case=case).escalated_at is None  # the claim went with the transaction


def test_the_sweep_reads_its_queue_indexes(tree, clock):
    """The sweep's queues are the partial indexes of the cases still waiting, not the backlog."""
    _due(tree, 3)
    now = timezone.now()
    warn = Case.objects.filter(
        status__in=escalation.CLOCKED,
        warned_at__isnull=True,
        overdue_at__isnull=True,
        warn_at__lte=now,
        handling_due__gt=now,
    ).order_by("warn_at", "pk")
    overdue = Case.objects.filter(
        status__in=escalation.CLOCKED, overdue_at__isnull=True, handling_due__lte=now
    ).order_by("handling_due", "pk")
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:  # as on a big table: no full scan
            cursor.execute("ANALYZE cases_case")
            # a handful of rows: no full scan, no sort or bitmap, so what is left is an index that
            # holds the queue in its order (the choice at 500,000 open cases: BENCHMARKS.md, Worker)
            for setting in ("seqscan", "sort", "incremental_sort", "bitmapscan"):
                cursor.execute(f"SET LOCAL enable_{setting} = off")
            assert "case_warn_queue" in warn.values_list("warn_at", "pk", "version")[:50].explain()
            assert "case_overdue_queue" in overdue.values_list("handling_due", "pk")[:50].explain()
    else:  # SQLite cannot match a bound IN list to the index's, so it searches another index
        for queue in (warn, overdue):
            plan = queue.values_list("pk")[:50].explain()
            assert "SEARCH cases_case USING" in plan and "SCAN cases_case" not in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_another_worker_holds_is_skipped_and_taken_once_that_worker_is_gone(tree, clock):
    """PostgreSQL: the sweep passes over the rows another worker's open batch has locked (SKIP
    LOCKED) instead of waiting for them; when that worker dies its transaction is rolled back, its
    locks are released, and the next sweep takes the case: once."""
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("needs PostgreSQL: sh scripts/with-postgres.sh .venv/bin/pytest tongxin/cases")
    cases = _due(tree, 3)
    held = cases[1]
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                Case.objects.select_for_update().filter(pk=held.pk).get()
                locked.set()
                release.wait(30)
                raise SystemExit  # killed mid-batch: nothing it did commits
        except SystemExit:
            pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(30)
    clock(MONDAY_9 + timedelta(days=7))
    try:
        assert escalation.escalate_due(batch=2)["supervised"] == 2
        assert _system_actions(held) == []
    finally:
        release.set()
        thread.join(30)
    assert escalation.escalate_due(batch=2)["supervised"] == 1
    for case in cases:
        assert _system_actions(case) == ["supervise"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_shards_sweeping_at_once_change_every_case_once(tree, clock):
    """PostgreSQL: both shards' sweeps run at the same moment on two connections, in batches; they
    share the due cases between them and no case is warned or supervised twice."""
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("needs PostgreSQL: sh scripts/with-postgres.sh .venv/bin/pytest tongxin/cases")
    cases = _due(tree, 8)
    clock(MONDAY_9 + timedelta(days=7))
    results = race(
        *[lambda shard=shard: escalation.escalate_due(shard=shard, shards=2, batch=2) for shard in (0, 1)]
    )
    assert sum(r["supervised"] for r in results) == 8, results
    for case in cases:
        assert _system_actions(case) == ["supervise"]
