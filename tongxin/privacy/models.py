"""Subject-rights requests (个人信息主体权利请求, PIPL art. 44–50) and their history."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.lib import crypto, masking


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access and copy (查阅复制)")
    CORRECTION = "correction", _("Correction (更正)")
    DELETION = "deletion", _("Deletion (删除)")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent (撤回同意)")
    EXPLANATION = "explanation", _("Explanation of the rules (解释说明)")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


OPEN_STATUSES = frozenset({RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS})


class RequestChannel(models.TextChoices):
    ONLINE = "online", _("Online form")
    DESK = "desk", _("At the desk or by phone")


class SubjectRequest(models.Model):
    """A data subject asks what Tongxin holds about them, to correct or delete it, to withdraw
    consent or for an explanation. The subject is a person in the register, or a resident known
    only by the phone number on their reports (kept encrypted, found through its keyed hash)."""

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    kind = models.CharField(_("request"), max_length=12, choices=RequestKind.choices)
    channel = models.CharField(_("received through"), max_length=8, choices=RequestChannel.choices)
    # the community that answers it: the scope of the request
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requester_name = models.CharField(_("name given"), max_length=50, blank=True)
    phone_encrypted = models.TextField(blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    detail = models.TextField(_("what is asked"), blank=True)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # the name and phone were erased when the retention period ran out
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subject-rights request")
        verbose_name_plural = _("subject-rights requests")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["region_path", "status", "due_on"], name="privacy_request_scope")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("privacy:request", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def set_phone(self, phone: str) -> None:
        phone = (phone or "").strip()
        key = settings.FIELD_ENCRYPTION_KEY
        self.phone_encrypted = crypto.encrypt(phone, key=key) if phone else ""
        self.phone_hash = crypto.lookup_hash(phone, key=key, purpose="phone") if phone else ""

    def reveal_phone(self) -> str:
        if not self.phone_encrypted:
            return ""
        return crypto.decrypt(self.phone_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def phone_masked(self) -> str:
        return masking.mask_phone(self.reveal_phone()) if self.phone_encrypted else ""


class RequestTransition(models.Model):
    """One change of a request: who moved it from which status to which, and why."""

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=RequestStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '-'} → {self.to_status}"
