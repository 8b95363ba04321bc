"""Requests for an export with full phone and ID-card numbers (批量导出审批): a bulk reveal is never
immediate; a second person with the right approves it, and its file expires."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.audit.purposes import PURPOSES


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", pgettext_lazy("export request", "Refused")
    EXPIRED = "expired", _("Expired")


class ExportRequest(models.Model):
    kind = models.CharField(_("data"), max_length=32)
    root = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    purpose = models.CharField(_("purpose of use"), max_length=16, choices=PURPOSES)
    note = models.CharField(_("note"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("number of people"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    file_name = models.CharField(max_length=100, blank=True, editable=False)
    downloads = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_request_due")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.root_id} {self.status}"
