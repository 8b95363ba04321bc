from django.db import models
from django.utils.translation import gettext_lazy as _


class RestoreDrill(models.Model):
    """One restore drill (`tongxin restore_drill`, or the worker's scheduled job): which backup was
    restored into a scratch copy, what was checked there and whether it all held."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    started_at = models.DateTimeField(_("started"), db_index=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    backup_id = models.CharField(_("backup"), max_length=64)
    vendor = models.CharField(_("database"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    checks = models.JSONField(_("checks"), default=dict)  # check name -> "ok" or what failed
    problems = models.JSONField(_("problems"), default=list)
    ran_by = models.CharField(_("run by"), max_length=40)  # "command" or "worker"

    class Meta:
        ordering = ("-started_at",)
        verbose_name = _("restore drill")
        verbose_name_plural = _("restore drills")

    def __str__(self) -> str:
        return f"{self.backup_id} {self.outcome}"
