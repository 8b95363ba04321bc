"""Enqueue, claim and run background tasks on Django's Tasks API (the django-tasks backport).

django-tasks defines and enqueues tasks and its database backend stores them (DBTaskResult); this
module adds the parts a deadline system needs that django-tasks 0.12 does not have:
- dedupe keys (TaskKey), so the periodic schedule queues each period once across workers;
- a claim by conditional update (READY -> RUNNING only if still READY), so two workers never both
  run one task, and a finish written only while the claim is still ours;
- recovery of the tasks a dead worker held (kill -9): a worker whose heartbeat is older than
  TONGXIN_WORKER_DEAD_SECONDS loses its claims, which run again once. The tasks themselves are
  sweeps whose effects are conditional (a case is escalated only at the version the sweep read),
  so a task that ran halfway before its worker died does nothing twice when it runs again.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import get_exception_traceback, get_module_path
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from tongxin.core.db import serialise_writers
from tongxin.jobs import registry
from tongxin.jobs.models import Job, JobStatus, TaskKey, WorkerHeartbeat

log = logging.getLogger(__name__)
PENDING = [TaskResultStatus.READY, TaskResultStatus.RUNNING]


def database_backend() -> bool:
    """True when the database backend runs the tasks (our worker claims them); False with RQ and
    the like, whose own workers run them while `tongxin worker` only schedules."""
    return isinstance(task_backends["default"], DatabaseBackend)


def _task(kind: str, run_at: datetime | None) -> Any:
    if kind not in registry.TASKS:
        registry.load_all()
    if kind not in registry.TASKS:
        raise LookupError(f"no task for job kind {kind!r}")
    task = registry.TASKS[kind]
    return task.using(run_after=run_at) if run_at is not None else task


def _pending(key: TaskKey) -> bool:
    if not key.result_id:
        return False
    if database_backend():
        return DBTaskResult.objects.filter(id=key.result_id, status__in=PENDING).exists()
    try:
        return task_backends[key.backend].get_result(key.result_id).status in PENDING
    except TaskResultDoesNotExist:
        return False


def job_enqueue(
    *,
    kind: str,
    payload: dict[str, Any] | None = None,
    run_at: datetime | None = None,
    dedupe_key: str = "",
    not_within: timedelta | None = None,
) -> TaskResult[None] | None:
    """Queue the task of `kind`. With a dedupe_key, do nothing while the task last queued under the
    key is ready or running (or, with `not_within`, was queued less than that long ago)."""
    task = _task(kind, run_at)
    if not dedupe_key:
        return task.enqueue(payload or {})
    now = timezone.now()
    with transaction.atomic():
        serialise_writers("tongxin_job_dedupe")  # the key's first insert, across workers
        key, _ = TaskKey.objects.select_for_update().get_or_create(key=dedupe_key)
        if _pending(key):
            return None
        since = run_at or now
        if not_within is not None and key.enqueued_at is not None and key.enqueued_at > since - not_within:
            return None
        result = task.enqueue(payload or {}, dedupe_key=dedupe_key)
        key.result_id, key.backend, key.enqueued_at = result.id, task.backend, since
        key.save(update_fields=["result_id", "backend", "enqueued_at"])
    return result


def job_enqueue_on_commit(**kwargs: Any) -> None:
    transaction.on_commit(lambda: job_enqueue(**kwargs))


def schedule_periodic(*, now: datetime | None = None) -> int:
    """Queue each periodic task (each shard of it) whose last run is older than its interval."""
    now = now or timezone.now()
    queued = 0
    for periodic in registry.PERIODIC.values():
        for shard in range(periodic.shards):
            payload = {"shard": shard, "shards": periodic.shards} if periodic.shards > 1 else {}
            key = f"periodic:{periodic.kind}" + (f":{shard}" if periodic.shards > 1 else "")
            if job_enqueue(
                kind=periodic.kind, payload=payload, run_at=now, dedupe_key=key, not_within=periodic.every
            ):
                queued += 1
    return queued


def _ready(now: datetime) -> Any:
    # django-tasks stores "no run_after" as the year 9999
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, backend_name="default").filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=now)
    )


def recover_abandoned(*, now: datetime | None = None) -> int:
    """Put back the tasks claimed by a worker that stopped beating (killed, host lost): each runs
    again once, on whichever worker claims it next."""
    now = now or timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(
            seen_at__gte=now - timedelta(seconds=settings.TONGXIN_WORKER_DEAD_SECONDS)
        ).values_list("name", flat=True)
    )
    recovered = 0
    for result_id, worker_ids, started_at in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING
    ).values_list("id", "worker_ids", "started_at"):
        if worker_ids and worker_ids[-1] in alive:
            continue
        recovered += DBTaskResult.objects.filter(
            id=result_id, status=TaskResultStatus.RUNNING, started_at=started_at
        ).update(status=TaskResultStatus.READY)
        log.warning("task %s of dead worker %s queued again", result_id, worker_ids[-1:] or "?")
    return recovered


def job_claim(*, worker: str, now: datetime | None = None) -> DBTaskResult | None:
    """Claim the next due task by a conditional update: only one worker's update finds it READY."""
    now = now or timezone.now()
    recover_abandoned(now=now)
    candidates = _ready(now).order_by("-priority", "run_after", "enqueued_at")
    for result_id, worker_ids in candidates.values_list("id", "worker_ids")[:10]:
        won = DBTaskResult.objects.filter(id=result_id, status=TaskResultStatus.READY).update(
            status=TaskResultStatus.RUNNING, started_at=now, worker_ids=[*worker_ids, worker]
        )
        if won:
            return DBTaskResult.objects.get(id=result_id)
    return None


def job_run(result: DBTaskResult | TaskResult[Any], *, worker: str = "direct") -> bool:
    """Run a claimed task (a READY one is claimed first) and record the outcome if the claim is
    still ours. A failure is retried by the task itself (registry.job) with backoff."""
    db = result if isinstance(result, DBTaskResult) else DBTaskResult.objects.get(id=result.id)
    if db.status == TaskResultStatus.READY:
        claimed = DBTaskResult.objects.filter(id=db.id, status=TaskResultStatus.READY).update(
            status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[*db.worker_ids, worker]
        )
        if not claimed:
            return False
        db.refresh_from_db()
    sender = type(task_backends[db.backend_name])
    try:
        task = db.task
        task_started.send(sender=sender, task_result=db.task_result)
        task.call(*db.args_kwargs["args"], **db.args_kwargs["kwargs"])
    except Exception as exc:
        _finish(
            db,
            status=TaskResultStatus.FAILED,
            exception_class_path=get_module_path(type(exc)),
            traceback=get_exception_traceback(exc)[-4000:],
        )
        log.exception("task %s (%s) failed", db.id, db.task_path)
        return False
    _finish(db, status=TaskResultStatus.SUCCESSFUL, exception_class_path="", traceback="")
    task_finished.send(sender=sender, task_result=db.task_result)
    return True


def _finish(db: DBTaskResult, **fields: Any) -> None:
    """Write the outcome only if the claim is still ours: a task put back from a worker thought
    dead and claimed by another meanwhile belongs to that worker now."""
    DBTaskResult.objects.filter(id=db.id, status=TaskResultStatus.RUNNING, started_at=db.started_at).update(
        finished_at=timezone.now(), **fields
    )


def run_due_jobs(*, worker: str, now: datetime | None = None, limit: int = 100) -> int:
    """One pass of the worker loop; returns how many tasks ran."""
    registry.load_all()
    schedule_periodic(now=now)
    done = 0
    if database_backend():
        while done < limit:
            claimed = job_claim(worker=worker, now=now)
            if claimed is None:
                break
            job_run(claimed, worker=worker)
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


def failed_tasks() -> Any:
    """Tasks whose last attempt failed (a retried attempt is followed by its retry), newest first."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")


def prune_finished(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Forget finished tasks; runs of periodic tasks (every few seconds) are kept for one day."""
    now = timezone.now()
    deleted, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - older_than
    ).delete()
    periodic, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL,
        args_kwargs__kwargs__dedupe_key__startswith="periodic:",
        finished_at__lt=now - timedelta(days=1),
    ).delete()
    legacy, _ = Job.objects.filter(
        status__in=[JobStatus.DONE, JobStatus.FAILED], finished_at__lt=now - older_than
    ).delete()
    return deleted + periodic + legacy
