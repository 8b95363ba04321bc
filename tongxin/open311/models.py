"""Open311 GeoReport v2: the keys issued to client systems and the requests they sent.

A client key (接入密钥) lets one named client system (an app, a kiosk, a city platform) report and
read cases inside one node of the region tree. Only the SHA-256 of the key is stored; it is shown
once. A `ServiceRequest` row ties a case created through Open311 to the key and the client's own
reference, which makes a retried POST return the first case instead of creating a second one."""

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "o311_"


class ClientKey(models.Model):
    client_name = models.CharField(_("client"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area served"), on_delete=models.PROTECT, related_name="+"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # the first characters, to tell keys apart on the page and in the audit trail
    prefix = models.CharField(max_length=12, editable=False)
    requests_per_hour = models.PositiveIntegerField(_("requests per hour"), default=600)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client key")
        verbose_name_plural = _("Open311 client keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.client_name} ({self.prefix}…)"

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return KEY_PREFIX + secrets.token_urlsafe(32)


class ServiceRequest(models.Model):
    """A case that arrived through Open311: which key sent it, the client's reference, the token."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311")
    client_key = models.ForeignKey(ClientKey, on_delete=models.PROTECT, related_name="requests")
    # the client's own id of the report (Idempotency-Key header or client_ref); "" when none was sent
    client_ref = models.CharField(max_length=100, blank=True, default="")
    # SHA-256 of the request's parameters: the same reference with other content is refused
    fingerprint = models.CharField(max_length=64, editable=False)
    # GeoReport's deferred-id token (tokens/{token}); random, not a secret
    token = models.CharField(max_length=40, unique=True, editable=False)
    media_url = models.URLField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 service request")
        verbose_name_plural = _("Open311 service requests")
        constraints = [
            models.UniqueConstraint(
                fields=["client_key", "client_ref"],
                condition=~Q(client_ref=""),
                name="open311_one_case_per_ref",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_key_id}:{self.client_ref or self.token}"
