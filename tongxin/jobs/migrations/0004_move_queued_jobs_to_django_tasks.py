"""Move the jobs still queued or running in the old queue onto django-tasks, so an upgrade loses
nothing: each becomes a READY task at its run time (a running one was cut off by the upgrade and
runs again, as a dead worker's would), keeping its payload, attempt count and dedupe key. A job of a
kind no code handles any more becomes a FAILED task saying so, visible with the failed tasks."""

import uuid

from django.db import migrations

MOVED_FROM = ("queued", "running")


def move(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    TaskKey = apps.get_model("jobs", "TaskKey")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    pending = list(Job.objects.filter(status__in=MOVED_FROM).order_by("run_at", "id"))
    if not pending:
        return
    from tongxin.jobs import registry  # the task paths of today's code (data only, no models)

    registry.load_all()
    for job in pending:
        task = registry.TASKS.get(job.kind)
        kwargs = {"attempt": job.attempts + 1, "dedupe_key": job.dedupe_key}
        result = DBTaskResult.objects.create(
            id=uuid.uuid4(),
            status="READY" if task is not None else "FAILED",
            args_kwargs={"args": [job.payload or {}], "kwargs": kwargs},
            priority=0,
            task_path=task.module_path if task is not None else f"tongxin.jobs.unknown.{job.kind}",
            worker_ids=[],
            queue_name="default",
            backend_name="default",
            run_after=job.run_at,
            return_value=None,
            exception_class_path="" if task is not None else "builtins.LookupError",
            traceback="" if task is not None else f"no task for job kind {job.kind!r} (moved from job {job.pk})",
        )
        if job.dedupe_key and task is not None:
            TaskKey.objects.update_or_create(
                key=job.dedupe_key, defaults={"result_id": str(result.id), "enqueued_at": job.run_at}
            )
    Job.objects.filter(pk__in=[job.pk for job in pending]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0003_task_key"),
        ("django_tasks_database", "0019_rename_django_task_new_ordering_idx_tasks_db_new_ordering_idx_and_more"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
