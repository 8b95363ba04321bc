"""The 12345 hotline exchange (热线工单对接) and group-chat robots (群机器人).

A hotline platform is a `HotlinePeer`: it pushes tickets to Tongxin, signed with a shared secret,
and hears back at its callback. Each ticket it pushed is one `HotlineTicket` (unique per peer and
ticket number) tied to the case made from it. What Tongxin tells the peer is a `HotlineEvent`,
one per case transition, sent in order per ticket until the peer acknowledges it.

A community or street keeps `Robot`s (企业微信 or 钉钉 group robots); each event it chose becomes one
`RobotDelivery` (unique per robot and event), the delivery log with the group's answer.

Secrets (the peer's key, a robot's webhook address and signing secret) are stored encrypted with
the field key, like phone numbers.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.lib import crypto


def _encrypt(value: str) -> str:
    return crypto.encrypt(value, key=settings.FIELD_ENCRYPTION_KEY)


def _decrypt(token: str) -> str:
    return crypto.decrypt(token, key=settings.FIELD_ENCRYPTION_KEY) if token else ""


class HotlinePeer(models.Model):
    """A 12345 hotline platform that hands tickets down to the area of `region` (its node)."""

    name = models.CharField(_("name"), max_length=100)
    # the peer names itself with this code in the X-Tongxin-Peer header
    code = models.SlugField(_("code"), max_length=40, unique=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area served"), on_delete=models.PROTECT, related_name="+"
    )
    secret_encrypted = models.TextField(editable=False)
    callback_url = models.URLField(_("callback address"), max_length=300, blank=True)
    # a category named only by text (e.g. "噪音扰民") falls back to this one
    default_category = models.ForeignKey(
        "cases.CaseCategory",
        verbose_name=_("category when the ticket's is not known"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("12345 hotline platform")
        verbose_name_plural = _("12345 hotline platforms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("exchange:peer", args=[self.pk])

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = _encrypt(secret)

    def reveal_secret(self) -> str:
        return _decrypt(self.secret_encrypted)


class HotlineTicket(models.Model):
    """A 12345 ticket (工单) and the case made from it: never two cases for one ticket number."""

    peer = models.ForeignKey(HotlinePeer, on_delete=models.PROTECT, related_name="tickets")
    number = models.CharField(_("ticket number"), max_length=40)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="hotline_link")
    deadline = models.DateTimeField(_("deadline set by the hotline"), null=True, blank=True)
    # what the platform pushed again for the same ticket (催办, 补充说明), newest last
    updates = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("12345 ticket")
        verbose_name_plural = _("12345 tickets")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["peer", "number"], name="hotline_ticket_once")]

    def __str__(self) -> str:
        return self.number


class SendStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Delivered")
    FAILED = "failed", _("Gave up")


class HotlineEvent(models.Model):
    """One thing the peer is told about its ticket (a status change, the result, the rating),
    sent until acknowledged; a ticket's later events wait for its earlier ones."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        RESULT = "result", _("Result")
        RATING = "rating", _("Rating")

    ticket = models.ForeignKey(HotlineTicket, on_delete=models.CASCADE, related_name="events")
    # the case transition it reports: one event per transition, however often it is collected
    transition = models.OneToOneField(
        "cases.CaseTransition", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    status = models.CharField(_("state"), max_length=8, choices=SendStatus.choices, default=SendStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    answer_status = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("message to a hotline platform")
        verbose_name_plural = _("messages to hotline platforms")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["ticket", "id"],
                condition=~models.Q(status="sent"),
                name="hotline_event_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} #{self.pk}"


class RobotVendor(models.TextChoices):
    WECOM = "wecom", _("WeChat Work group robot (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk custom robot (钉钉)")


class RobotEvent(models.TextChoices):
    """What a robot may tell its group."""

    CASE_NEW = "case_new", _("New case in the area")
    WHISTLE = "whistle", _("Whistle (吹哨)")
    OVERDUE = "overdue", _("Case overdue (督办)")
    MEETING_CALLED = "meeting_called", _("Joint meeting called")
    NEED_CLAIMED = "need_claimed", _("Need claimed by a partner unit")


class Robot(models.Model):
    """A group robot of a community or street, told of the events it chose in its area."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("community or street"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("group name"), max_length=60)
    vendor = models.CharField(_("kind"), max_length=10, choices=RobotVendor.choices)
    webhook_encrypted = models.TextField(editable=False)
    secret_encrypted = models.TextField(editable=False, blank=True, default="")
    # the end of the key or access token, so people can tell robots apart without the secret
    hint = models.CharField(max_length=8, blank=True, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["region__path", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("exchange:robot", args=[self.pk])

    def set_webhook(self, url: str, secret: str = "") -> None:
        self.webhook_encrypted = _encrypt(url)
        self.secret_encrypted = _encrypt(secret)

    def reveal_webhook(self) -> str:
        return _decrypt(self.webhook_encrypted)

    def reveal_secret(self) -> str:
        return _decrypt(self.secret_encrypted)

    @property
    def sends(self) -> bool:
        return self.active and self.revoked_at is None

    def get_events_display(self) -> list[str]:
        return [str(label) for value, label in RobotEvent.choices if value in self.events]


class RobotDelivery(models.Model):
    """One message to a robot's group: the delivery log, with what the group's server answered."""

    robot = models.ForeignKey(Robot, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=16, choices=RobotEvent.choices)
    # the event's source row ("case-transition:12"): a robot hears of one event once
    event_key = models.CharField(max_length=80)
    title = models.CharField(_("title"), max_length=120)
    body = models.JSONField(default=dict)  # the message exactly as posted
    status = models.CharField(_("state"), max_length=8, choices=SendStatus.choices, default=SendStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    errcode = models.IntegerField(null=True, blank=True)
    errmsg = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("robot message")
        verbose_name_plural = _("robot messages")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["robot", "event_key"], name="robot_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="robot_delivery_due")]

    def __str__(self) -> str:
        return f"{self.robot_id} {self.event_key}"


class FeedCursor(models.Model):
    """How far the collector has read a source table (the highest id, or time, seen)."""

    source = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source}@{self.position}"


class SeenSignature(models.Model):
    """Signatures of accepted pushes inside the replay window: the same signed request twice is
    refused (pruned once older than the window)."""

    peer = models.ForeignKey(HotlinePeer, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "signature"], name="hotline_signature_once")]

    def __str__(self) -> str:
        return self.signature[:12]
