"""The database job queue: run, retry with backoff, single claim, periodic schedule, stale recovery."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongxin.jobs import registry
from tongxin.jobs.models import Job, JobStatus, WorkerHeartbeat
from tongxin.jobs.services import (
    STALE_AFTER,
    job_claim,
    job_enqueue,
    job_run,
    run_due_jobs,
    schedule_periodic,
)

pytestmark = pytest.mark.django_db


def enqueue(**kwargs: Any) -> Job:
    job = job_enqueue(**kwargs)
    assert job is not None
    return job


@pytest.fixture
def calls(monkeypatch) -> list[dict[str, Any]]:
    """Test handlers: test.ok records its payload, test.fail always raises."""
    seen: list[dict[str, Any]] = []

    def fail(payload: dict[str, Any]) -> None:
        raise ValueError("the printer is on fire")

    monkeypatch.setitem(registry.HANDLERS, "test.ok", seen.append)
    monkeypatch.setitem(registry.HANDLERS, "test.fail", fail)
    monkeypatch.setattr(registry, "PERIODIC", {})
    monkeypatch.setattr(registry, "load_all", lambda: None)
    return seen


def test_a_job_runs(calls):
    job = enqueue(kind="test.ok", payload={"case": 7})
    assert run_due_jobs(worker="w1") == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.DONE, 1, "w1")
    assert job.finished_at is not None
    assert calls == [{"case": 7}]
    assert WorkerHeartbeat.objects.get(name="w1").jobs_done == 1


def test_a_job_waits_for_its_time(calls):
    now = timezone.now()
    job = enqueue(kind="test.ok", run_at=now + timedelta(minutes=5))
    assert run_due_jobs(worker="w1", now=now) == 0
    assert run_due_jobs(worker="w1", now=now + timedelta(minutes=5)) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_a_failing_job_is_retried_with_backoff_then_fails(calls):
    now = timezone.now()
    job = enqueue(kind="test.fail", run_at=now)
    Job.objects.filter(pk=job.pk).update(max_attempts=3)

    assert run_due_jobs(worker="w1", now=now) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert job.run_at == now + timedelta(seconds=30)
    assert "the printer is on fire" in job.last_error
    assert run_due_jobs(worker="w1", now=now + timedelta(seconds=29)) == 0  # backing off

    second = now + timedelta(seconds=30)
    assert run_due_jobs(worker="w1", now=second) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.run_at) == (JobStatus.QUEUED, 2, second + timedelta(seconds=60))

    assert run_due_jobs(worker="w1", now=second + timedelta(seconds=60)) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert job.finished_at is not None
    assert run_due_jobs(worker="w1", now=now + timedelta(days=1)) == 0


def test_an_unknown_kind_fails_cleanly(calls):
    job = enqueue(kind="test.nobody")
    Job.objects.filter(pk=job.pk).update(max_attempts=1)
    run_due_jobs(worker="w1")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "no handler" in job.last_error


def test_only_one_claim_wins(calls):
    job = enqueue(kind="test.ok")
    first = job_claim(worker="a")
    second = job_claim(worker="b")
    assert first is not None and first.pk == job.pk and first.locked_by == "a"
    assert second is None
    assert Job.objects.get(pk=job.pk).locked_by == "a"


def test_a_claim_is_a_conditional_update(calls, monkeypatch):
    """Another worker takes the job between our read and our update: our update must not win."""
    job = enqueue(kind="test.ok")
    real_filter = Job.objects.filter
    stolen = {"done": False}

    def racing_filter(*args: Any, **kwargs: Any):
        if kwargs.get("id") == job.pk and kwargs.get("status") == JobStatus.QUEUED and not stolen["done"]:
            stolen["done"] = True
            real_filter(pk=job.pk).update(status=JobStatus.RUNNING, locked_by="other")
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Job.objects, "filter", racing_filter)
    assert job_claim(worker="me") is None
    assert Job.objects.get(pk=job.pk).locked_by == "other"


def test_a_stale_running_job_is_requeued(calls):
    now = timezone.now()
    job = enqueue(kind="test.ok", run_at=now)
    assert job_claim(worker="dead", now=now) is not None
    assert job_claim(worker="w2", now=now + STALE_AFTER - timedelta(seconds=1)) is None  # still running
    reclaimed = job_claim(worker="w2", now=now + STALE_AFTER + timedelta(seconds=1))
    assert reclaimed is not None and reclaimed.pk == job.pk and reclaimed.locked_by == "w2"


def test_a_stale_worker_finishing_late_does_not_overwrite(calls):
    now = timezone.now()
    enqueue(kind="test.fail", run_at=now)
    slow = job_claim(worker="slow", now=now)
    fresh = job_claim(worker="fresh", now=now + STALE_AFTER + timedelta(seconds=1))
    assert fresh is not None and slow is not None
    job_run(slow, now=now + STALE_AFTER + timedelta(seconds=2))  # the slow worker's failure arrives late
    row = Job.objects.get(pk=fresh.pk)
    assert (row.status, row.locked_by, row.attempts) == (JobStatus.RUNNING, "fresh", 0)
    assert job_run(fresh) is False
    assert Job.objects.get(pk=fresh.pk).attempts == 1


def test_dedupe_key_enqueues_once_while_pending(calls):
    assert job_enqueue(kind="test.ok", dedupe_key="k") is not None
    assert job_enqueue(kind="test.ok", dedupe_key="k") is None
    run_due_jobs(worker="w1")
    assert job_enqueue(kind="test.ok", dedupe_key="k") is not None


def test_periodic_jobs_are_queued_once_per_interval(calls, monkeypatch):
    monkeypatch.setattr(registry, "PERIODIC", {"test.ok": registry.Periodic("test.ok", timedelta(hours=1))})
    t0 = timezone.now()
    assert schedule_periodic(now=t0) == 1
    assert schedule_periodic(now=t0) == 0  # already queued
    assert run_due_jobs(worker="w1", now=t0) == 1  # runs it, schedules nothing new
    assert schedule_periodic(now=t0 + timedelta(minutes=59)) == 0
    assert schedule_periodic(now=t0 + timedelta(minutes=61)) == 1
    assert Job.objects.filter(kind="test.ok").count() == 2
    assert len(calls) == 1


def test_worker_command_once(calls):
    job = enqueue(kind="test.ok", payload={"n": 1})
    call_command("worker", "--once")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert calls == [{"n": 1}]


def test_registry_loads_the_apps_jobs(monkeypatch):
    monkeypatch.setattr(registry, "HANDLERS", {})
    monkeypatch.setattr(registry, "PERIODIC", {})
    import importlib

    import tongxin.jobs.jobs

    importlib.reload(tongxin.jobs.jobs)
    assert "jobs.prune" in registry.HANDLERS and "jobs.prune" in registry.PERIODIC
