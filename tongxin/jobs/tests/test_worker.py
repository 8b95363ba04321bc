"""The task queue on django-tasks: run, retry with backoff, single claim, periodic schedule once
across workers, a dead worker's claims recovered exactly once, and the upgrade of old queued jobs."""

from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tongxin.jobs import registry
from tongxin.jobs.models import Job, JobStatus, TaskKey, WorkerHeartbeat
from tongxin.jobs.services import (
    failed_tasks,
    heartbeat,
    job_claim,
    job_enqueue,
    job_run,
    prune_finished,
    recover_abandoned,
    run_due_jobs,
    schedule_periodic,
)

pytestmark = pytest.mark.django_db
SEEN: list[dict[str, Any]] = []


# module-level handlers: django-tasks imports a task by its path
@registry.job("test.ok")
def ok(payload: dict[str, Any]) -> None:
    SEEN.append(payload)


@registry.job("test.fail")
def fail(payload: dict[str, Any]) -> None:
    raise ValueError("the printer is on fire")


@pytest.fixture
def calls(monkeypatch) -> list[dict[str, Any]]:
    SEEN.clear()
    monkeypatch.setattr(registry, "PERIODIC", {})
    monkeypatch.setattr(registry, "load_all", lambda: None)
    return SEEN


def enqueue(**kwargs: Any) -> DBTaskResult:
    result = job_enqueue(**kwargs)
    assert result is not None
    return DBTaskResult.objects.get(id=result.id)


def test_a_task_is_a_django_task_on_the_database_backend(calls):
    assert registry.TASKS["test.ok"].module_path == f"{__name__}.ok"
    row = enqueue(kind="test.ok", payload={"case": 7})
    assert (row.status, row.backend_name, row.task_path) == (
        TaskResultStatus.READY,
        "default",
        f"{__name__}.ok",
    )
    assert run_due_jobs(worker="w1") == 1
    row.refresh_from_db()
    assert (row.status, row.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["w1"])
    assert row.finished_at is not None
    assert calls == [{"case": 7}]
    assert WorkerHeartbeat.objects.get(name="w1").jobs_done == 1


def test_an_unknown_kind_is_refused_at_enqueue(calls):
    with pytest.raises(LookupError, match=r"no task for job kind 'test\.nobody'"):
        job_enqueue(kind="test.nobody")


def test_a_task_waits_for_its_time(calls):
    now = timezone.now()
    row = enqueue(kind="test.ok", run_at=now + timedelta(minutes=5))
    assert run_due_jobs(worker="w1", now=now) == 0
    assert run_due_jobs(worker="w1", now=now + timedelta(minutes=5)) == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL


def test_a_failing_task_is_retried_with_backoff_then_fails(calls, monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(registry, "MAX_ATTEMPTS", 3)
    first = enqueue(kind="test.fail", dedupe_key="printer")

    assert run_due_jobs(worker="w1", now=now) == 1
    first.refresh_from_db()
    assert first.status == TaskResultStatus.FAILED and "the printer is on fire" in first.traceback
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after == now + timedelta(seconds=30)
    assert retry.args_kwargs["kwargs"] == {"attempt": 2, "dedupe_key": "printer"}
    assert TaskKey.objects.get(key="printer").result_id == str(retry.id)  # the key guards the retry
    assert job_enqueue(kind="test.fail", dedupe_key="printer") is None
    assert run_due_jobs(worker="w1", now=now + timedelta(seconds=29)) == 0  # backing off

    assert run_due_jobs(worker="w1", now=now + timedelta(seconds=30)) == 1
    third = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert third.run_after == now + timedelta(seconds=60)
    assert run_due_jobs(worker="w1", now=now + timedelta(seconds=60)) == 1
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()  # attempt 3 was the last
    assert failed_tasks().count() == 3
    assert run_due_jobs(worker="w1", now=now + timedelta(days=1)) == 0


def test_only_one_claim_wins(calls):
    row = enqueue(kind="test.ok")
    heartbeat(worker="a")
    first = job_claim(worker="a")
    second = job_claim(worker="b")
    assert first is not None and first.id == row.id and first.worker_ids == ["a"]
    assert second is None


def test_a_claim_is_a_conditional_update(calls, monkeypatch):
    """Another worker takes the task between our read and our update: our update must not win."""
    row = enqueue(kind="test.ok")
    real_filter = DBTaskResult.objects.filter
    stolen = {"done": False}

    def racing_filter(*args: Any, **kwargs: Any):
        if (
            kwargs.get("id") == row.id
            and kwargs.get("status") == TaskResultStatus.READY
            and not stolen["done"]
        ):
            stolen["done"] = True
            real_filter(id=row.id).update(status=TaskResultStatus.RUNNING, worker_ids=["other"])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(DBTaskResult.objects, "filter", racing_filter)
    assert job_claim(worker="me") is None
    assert DBTaskResult.objects.get(id=row.id).worker_ids == ["other"]


def test_a_dead_workers_claim_is_recovered_exactly_once(calls, settings):
    """kill -9 simulated: a worker claims and never finishes nor beats again."""
    settings.TONGXIN_WORKER_DEAD_SECONDS = 30
    now = timezone.now()
    row = enqueue(kind="test.ok", payload={"n": 1}, run_at=now)
    heartbeat(worker="dead")
    assert job_claim(worker="dead", now=now) is not None
    heartbeat(worker="w2")
    assert job_claim(worker="w2", now=now + timedelta(seconds=10)) is None  # its owner still beats
    WorkerHeartbeat.objects.filter(name="dead").update(seen_at=now - timedelta(seconds=31))
    reclaimed = job_claim(worker="w2", now=now)
    assert reclaimed is not None and reclaimed.id == row.id and reclaimed.worker_ids == ["dead", "w2"]
    assert recover_abandoned(now=now) == 0  # w2 is alive: nothing to put back twice
    assert job_claim(worker="w3", now=now) is None
    assert job_run(reclaimed, worker="w2")
    assert calls == [{"n": 1}]
    assert DBTaskResult.objects.get(id=row.id).status == TaskResultStatus.SUCCESSFUL


def test_a_worker_thought_dead_finishing_late_does_not_overwrite(calls):
    now = timezone.now()
    enqueue(kind="test.fail", run_at=now)
    slow = job_claim(worker="slow", now=now)  # no heartbeat: dead to the next claim
    fresh = job_claim(worker="fresh", now=now + timedelta(seconds=1))
    assert slow is not None and fresh is not None and slow.id == fresh.id
    job_run(slow, worker="slow")  # its failure arrives late
    row = DBTaskResult.objects.get(id=fresh.id)
    assert (row.status, row.worker_ids) == (TaskResultStatus.RUNNING, ["slow", "fresh"])


def test_dedupe_key_enqueues_once_while_pending(calls):
    assert job_enqueue(kind="test.ok", dedupe_key="k") is not None
    assert job_enqueue(kind="test.ok", dedupe_key="k") is None
    run_due_jobs(worker="w1")
    assert job_enqueue(kind="test.ok", dedupe_key="k") is not None


def test_periodic_tasks_are_queued_once_per_interval(calls, monkeypatch):
    monkeypatch.setattr(registry, "PERIODIC", {"test.ok": registry.Periodic("test.ok", timedelta(hours=1))})
    t0 = timezone.now()
    assert schedule_periodic(now=t0) == 1
    assert schedule_periodic(now=t0) == 0  # already queued: a second worker's scheduler queues nothing
    assert run_due_jobs(worker="w1", now=t0) == 1  # runs it, schedules nothing new
    assert run_due_jobs(worker="w2", now=t0 + timedelta(minutes=30)) == 0
    assert schedule_periodic(now=t0 + timedelta(minutes=59)) == 0
    assert schedule_periodic(now=t0 + timedelta(minutes=61)) == 1
    assert DBTaskResult.objects.filter(task_path=f"{__name__}.ok").count() == 2
    assert len(calls) == 1


def test_a_sharded_periodic_task_is_queued_once_per_shard(calls, monkeypatch):
    monkeypatch.setattr(
        registry, "PERIODIC", {"test.ok": registry.Periodic("test.ok", timedelta(minutes=1), shards=2)}
    )
    t0 = timezone.now()
    assert schedule_periodic(now=t0) == 2
    assert schedule_periodic(now=t0) == 0
    heartbeat(worker="w1")
    heartbeat(worker="w2")
    a, b = job_claim(worker="w1", now=t0), job_claim(worker="w2", now=t0)  # the two workers share it
    assert a is not None and b is not None
    assert sorted(r.args_kwargs["args"][0]["shard"] for r in (a, b)) == [0, 1]


def test_worker_command_once(calls):
    row = enqueue(kind="test.ok", payload={"n": 1})
    call_command("worker", "--once")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert calls == [{"n": 1}]


def test_registry_loads_the_apps_jobs(monkeypatch):
    monkeypatch.setattr(registry, "HANDLERS", {})
    monkeypatch.setattr(registry, "PERIODIC", {})
    import importlib

    import tongxin.jobs.jobs

    importlib.reload(tongxin.jobs.jobs)
    assert "jobs.prune" in registry.HANDLERS and "jobs.prune" in registry.PERIODIC


# ---- the upgrade: queued rows of the old queue move onto django-tasks ---------------------------------


def test_the_upgrade_moves_queued_jobs_and_keeps_finished_ones():
    registry.load_all()
    now = timezone.now()
    queued = Job.objects.create(kind="cases.deadlines", run_at=now, dedupe_key="periodic:cases.deadlines")
    running = Job.objects.create(
        kind="jobs.prune", run_at=now, status=JobStatus.RUNNING, attempts=2, payload={"x": 1}
    )
    orphan = Job.objects.create(kind="gone.kind", run_at=now)
    done = Job.objects.create(kind="jobs.prune", run_at=now, status=JobStatus.DONE)

    import_module("tongxin.jobs.migrations.0004_move_queued_jobs_to_django_tasks").move(global_apps, None)

    assert list(Job.objects.values_list("pk", flat=True)) == [done.pk]
    moved = {r.task_path: r for r in DBTaskResult.objects.all()}
    assert len(moved) == 3
    deadlines = moved[registry.TASKS["cases.deadlines"].module_path]
    assert deadlines.status == TaskResultStatus.READY and deadlines.run_after == queued.run_at
    assert TaskKey.objects.get(key="periodic:cases.deadlines").result_id == str(deadlines.id)
    prune = moved[registry.TASKS["jobs.prune"].module_path]
    assert prune.args_kwargs == {"args": [{"x": 1}], "kwargs": {"attempt": 3, "dedupe_key": ""}}
    assert running.pk and orphan.pk
    lost = moved["tongxin.jobs.unknown.gone.kind"]
    assert lost.status == TaskResultStatus.FAILED and "gone.kind" in lost.traceback
    assert schedule_periodic(now=now) >= 1  # the moved periodic run blocks only its own kind
    assert (
        not DBTaskResult.objects.filter(
            args_kwargs__kwargs__dedupe_key="periodic:cases.deadlines", status=TaskResultStatus.READY
        )
        .exclude(id=deadlines.id)
        .exists()
    )


def test_finished_tasks_are_pruned_periodic_runs_after_a_day(calls):
    now = timezone.now()
    kept, periodic, old = (
        enqueue(kind="test.ok"),
        enqueue(kind="test.ok", dedupe_key="periodic:test.ok"),
        enqueue(kind="test.ok", dedupe_key="other"),
    )
    assert run_due_jobs(worker="w1") == 3
    DBTaskResult.objects.filter(id=periodic.id).update(finished_at=now - timedelta(days=2))
    DBTaskResult.objects.filter(id=old.id).update(finished_at=now - timedelta(days=31))
    DBTaskResult.objects.filter(id=kept.id).update(finished_at=now - timedelta(days=2))
    assert prune_finished() == 2
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [kept.id]
