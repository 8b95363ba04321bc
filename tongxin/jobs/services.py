"""Enqueue, claim and run jobs. Claims are conditional updates, so two workers never both win."""

import logging
import traceback
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tongxin.core.db import serialise_writers
from tongxin.jobs import registry
from tongxin.jobs.models import Job, JobStatus, WorkerHeartbeat

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)


def job_enqueue(
    *, kind: str, payload: dict[str, Any] | None = None, run_at: datetime | None = None, dedupe_key: str = ""
) -> Job | None:
    """Queue a job; with a dedupe_key, do nothing if the same key is already queued or running."""
    with transaction.atomic():
        if dedupe_key:
            serialise_writers("tongxin_job_dedupe")  # check and insert as one step across workers
            if Job.objects.filter(
                dedupe_key=dedupe_key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
            ).exists():
                return None
        return Job.objects.create(
            kind=kind, payload=payload or {}, run_at=run_at or timezone.now(), dedupe_key=dedupe_key
        )


def job_enqueue_on_commit(**kwargs: Any) -> None:
    transaction.on_commit(lambda: job_enqueue(**kwargs))


def job_claim(*, worker: str, now: datetime | None = None) -> Job | None:
    now = now or timezone.now()
    # jobs whose worker died are retried
    Job.objects.filter(status=JobStatus.RUNNING, locked_at__lt=now - STALE_AFTER).update(
        status=JobStatus.QUEUED
    )
    for job_id in (
        Job.objects.filter(status=JobStatus.QUEUED, run_at__lte=now)
        .order_by("run_at", "id")
        .values_list("id", flat=True)[:10]
    ):
        won = Job.objects.filter(id=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, locked_by=worker, locked_at=now
        )
        if won:
            return Job.objects.get(id=job_id)
    return None


def job_run(job: Job, *, now: datetime | None = None) -> bool:
    handler = registry.HANDLERS.get(job.kind)
    job.attempts += 1
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        handler(job.payload)
    except Exception:
        job.last_error = traceback.format_exc()[-4000:]
        if job.attempts >= job.max_attempts:
            job.status = JobStatus.FAILED
            job.finished_at = timezone.now()
        else:
            job.status = JobStatus.QUEUED
            job.run_at = (now or timezone.now()) + timedelta(seconds=30 * 2 ** (job.attempts - 1))
        _finish(job, ["attempts", "last_error", "status", "finished_at", "run_at"])
        log.exception("job %s failed", job)
        return False
    job.status = JobStatus.DONE
    job.finished_at = timezone.now()
    _finish(job, ["attempts", "status", "finished_at"])
    return True


def _finish(job: Job, fields: list[str]) -> None:
    """Write the outcome only if the claim is still ours: a job re-queued as stale and claimed by
    another worker meanwhile belongs to that worker now."""
    Job.objects.filter(pk=job.pk, locked_by=job.locked_by, locked_at=job.locked_at).update(
        **{field: getattr(job, field) for field in fields}
    )


def schedule_periodic(*, now: datetime | None = None) -> int:
    """Queue each periodic job whose last run is older than its interval."""
    now = now or timezone.now()
    queued = 0
    for periodic in registry.PERIODIC.values():
        key = f"periodic:{periodic.kind}"
        with transaction.atomic():
            # two workers must not both see "last run is old" and queue the same interval twice
            serialise_writers("tongxin_job_dedupe")
            last = (
                Job.objects.filter(dedupe_key=key).order_by("-run_at").values_list("run_at", "status").first()
            )
            if last is not None and (
                last[1] in (JobStatus.QUEUED, JobStatus.RUNNING) or last[0] > now - periodic.every
            ):
                continue
            if job_enqueue(kind=periodic.kind, run_at=now, dedupe_key=key):
                queued += 1
    return queued


def run_due_jobs(*, worker: str, now: datetime | None = None, limit: int = 100) -> int:
    """One pass of the worker loop; returns how many jobs ran."""
    registry.load_all()
    schedule_periodic(now=now)
    done = 0
    while done < limit:
        job = job_claim(worker=worker, now=now)
        if job is None:
            break
        job_run(job, now=now)
        done += 1
    heartbeat(worker=worker, jobs_done=done)
    return done


def heartbeat(*, worker: str, jobs_done: int = 0) -> None:
    beat, _ = WorkerHeartbeat.objects.get_or_create(name=worker, defaults={"seen_at": timezone.now()})
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(
        seen_at=timezone.now(), jobs_done=beat.jobs_done + jobs_done
    )


def worker_problem(*, now: datetime | None = None) -> str | None:
    """None while some worker has written its heartbeat within TONGXIN_WORKER_STALE_SECONDS;
    else what /healthz reports (a dead worker means no deadlines, escalations or notifications)."""
    limit = settings.TONGXIN_WORKER_STALE_SECONDS
    last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    if last is None:
        return "no worker has ever written a heartbeat"
    age = ((now or timezone.now()) - last).total_seconds()
    if age > limit:
        return f"the last worker heartbeat is {int(age)} s old (limit {limit} s)"
    return None


def prune_finished(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Forget finished jobs; runs of periodic jobs (every few seconds) are kept for one day."""
    now = timezone.now()
    deleted, _ = Job.objects.filter(status=JobStatus.DONE, finished_at__lt=now - older_than).delete()
    periodic, _ = Job.objects.filter(
        status=JobStatus.DONE, dedupe_key__startswith="periodic:", finished_at__lt=now - timedelta(days=1)
    ).delete()
    return deleted + periodic
