"""Joint meetings (联席会议, 议事会): agenda, invitations, attendance, minutes, decisions that run
through 两委三会四议 (提议 → 商议 → 审议 → 评议), and the follow-up tasks they create."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("Joint meeting (联席会议)")
    COUNCIL = "council", _("Deliberation council (议事会)")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CALLED = "called", _("Called (invitations sent)")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    alliance = models.ForeignKey(
        "partners.Alliance",
        verbose_name=_("alliance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=MeetingKind.choices, default=MeetingKind.JOINT)
    title = models.CharField(_("title"), max_length=120)
    scheduled_at = models.DateTimeField(_("when"), db_index=True)
    place = models.CharField(_("where"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    called_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True, db_index=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:

        return reverse("meetings:detail", args=[self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("item"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """Who is invited: a partner unit (its liaisons hear of it) or an account; attendance is
    confirmed by the organiser, never by a check-in."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey(
        "partners.PartnerUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_invitations",
    )
    name = models.CharField(_("invited"), max_length=120)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(user__isnull=False),
                name="invitation_unit_or_user",
            ),
            models.UniqueConstraint(
                fields=["meeting", "unit"],
                condition=models.Q(unit__isnull=False),
                name="invitation_unit_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="invitation_user_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed (提议)")
    DISCUSSED = "discussed", _("Discussed (商议)")
    ADOPTED = "adopted", _("Adopted on review (审议通过)")
    REJECTED = "rejected", _("Not adopted on review (审议未通过)")
    EVALUATED = "evaluated", _("Evaluated (评议)")


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(_("decision"), max_length=200)
    text = models.TextField(_("details"), blank=True)
    # 两委三会四议: the decision must be discussed (商议) before it is reviewed (审议)
    four_step = models.BooleanField(_("runs through 两委三会四议"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    evaluation = models.TextField(_("evaluation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.title


class DecisionStep(models.Model):
    """One row per step of a decision: its history."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=10, choices=DecisionStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=DecisionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.action} {self.from_status}->{self.to_status}"


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")  # 未完成, not a case's 未办结
    DONE = "done", _("Done")


class FollowUpTask(models.Model):
    """A task a decision creates, with an owner (a unit, an account, or a named person) and a date."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    owner_unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_tasks",
    )
    owner_name = models.CharField(_("owner"), max_length=120)
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=6, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.TextField(_("what was done"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title
