"""One append-only table of security events, chained by a keyed hash (HMAC-SHA256, or HMAC-SM3 under
the national-algorithm profile) whose key lives outside the database, so a changed, removed or
rebuilt event shows (audit.chain)."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Log-in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOCKOUT = "lockout", _("Account locked")
    LOGOUT = "logout", _("Log-out")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    REVEAL = "reveal", _("Personal data revealed")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
    ACCOUNT_ACTIVATED = "account_activated", _("Account activated")
    ACCOUNT_UNLOCKED = "account_unlocked", _("Account unlocked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    TARGET_SET = "target_set", _("Target set")
    DISPLAY_LINK_ISSUED = "display_link_issued", _("Display link issued")
    DISPLAY_LINK_REVOKED = "display_link_revoked", _("Display link revoked")
    RECORD_CHANGED = "record_changed", _("Record changed")
    PI_ERASED = "pi_erased", _("Personal data erased")
    CHAIN_REKEYED = "chain_rekeyed", _("Audit chain re-keyed")
    AUDIT_ARCHIVED = "audit_archived", _("Audit events archived")
    EXPORT_REQUESTED = "export_requested", _("Export requested")
    EXPORT_APPROVED = "export_approved", _("Export approved")
    EXPORT_REFUSED = "export_refused", _("Export refused")
    EXPORT_DOWNLOADED = "export_downloaded", _("Export downloaded")
    EXPORT_EXPIRED = "export_expired", _("Export expired")
    KEY_ROTATED = "key_rotated", _("Field key rotated")
    HOUSEHOLD_VIEWED = "household_viewed", _("Tagged household viewed")
    CLIENT_KEY_ISSUED = "client_key_issued", _("Open311 client key issued")
    CLIENT_KEY_REVOKED = "client_key_revoked", _("Open311 client key revoked")
    CLIENT_KEY_USED = "client_key_used", _("Open311 client key used")
    BACKUP_MADE = "backup_made", _("Database backed up")
    RESTORE_DRILL = "restore_drill", _("Restore drill")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(_("account"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region_path = models.CharField(max_length=255, blank=True, default="", db_index=True)
    target = models.CharField(_("object"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    # how `hash` was made: "hmac-sha256" or "hmac-sm3"; "sha256" (unkeyed) only before 0007
    scheme = models.CharField(max_length=12, default="sha256", editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("audit events are append-only")


class AuditCheckpoint(models.Model):
    """How far the hash chain has been verified, so a check only walks the new events; and where it
    starts once old events are archived (the last archived event, also in the signed file)."""

    verified_up_to = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    archived_up_to = models.BigIntegerField(default=0)
    archived_hash = models.CharField(max_length=64, default="0" * 64)
    broken_at = models.BigIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"verified up to {self.verified_up_to}"


class Seal(models.Model):
    """The keyed hash of one row of an important table (the case history, the case configuration):
    see audit/integrity.py."""

    label = models.CharField(max_length=100)  # the model's app_label.ModelName
    object_id = models.BigIntegerField()
    scheme = models.CharField(max_length=16)
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["label", "object_id"], name="seal_one_per_row")]

    def __str__(self) -> str:
        return f"{self.label} #{self.object_id}"
