"""What Tongxin keeps beside django-tasks' own result table (django_tasks_db.DBTaskResult).

`Job` is the queue before django-tasks: migration 0004 moved its queued rows onto the new backend;
the table stays, read-only, for the history of finished jobs until the retention prunes it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    run_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    locked_by = models.CharField(max_length=64, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # a job with a key is enqueued at most once while it is queued or running
    dedupe_key = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "run_at"], name="job_due")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status}"


class TaskKey(models.Model):
    """A dedupe key: work with a key is queued at most once while its task is ready or running.

    django-tasks has no such key; one row per key (unique) holds the task last queued under it, and
    the scheduler locks the row to decide, so two workers never queue the same period twice."""

    key = models.CharField(max_length=120, unique=True)
    result_id = models.CharField(max_length=64, blank=True)
    backend = models.CharField(max_length=32, default="default")
    enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    name = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()
    jobs_done = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
