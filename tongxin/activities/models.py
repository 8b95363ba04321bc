"""Activities with sign-up and organiser-confirmed attendance; teams with rosters and call-outs."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivityKind(models.TextChoices):
    THEMED_PARTY_DAY = "themed_party_day", _("Themed Party day (主题党日)")
    PARTY_LECTURE = "party_lecture", _("Party lecture (党课)")
    POLICY_TALK = "policy_talk", _("Policy talk (宣讲)")
    FREE_CLINIC = "free_clinic", _("Free clinic (义诊)")
    VOLUNTEER = "volunteer", _("Volunteer service (志愿服务)")
    CLEAN_UP = "clean_up", _("Clean-up (环境整治)")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    MEMBERS = "members", _("Party members living or reported in the area")
    REPORTED = "reported", _("In-service members reported to the area")
    BRANCH = "branch", _("Members of the organising branch")
    EVERYONE = "everyone", _("Everyone with an account")


class ActivityStatus(models.TextChoices):
    # “Open” of an activity is 未结束, not the 未办结 of an open case
    PUBLISHED = "published", pgettext_lazy("activity status", "Open")
    CANCELLED = "cancelled", _("Cancelled")
    CONFIRMED = "confirmed", _("Attendance confirmed")


class Activity(models.Model):
    """An activity published by a community, a branch or a partner unit."""

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area"), on_delete=models.PROTECT, related_name="activities"
    )
    organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("organising Party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("organising partner unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    # the account that confirms attendance; empty for activities entered by an import (the area's
    # members.manage holders confirm those)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities_organised",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    places = models.PositiveIntegerField(_("places available"), null=True, blank=True)
    audience = models.CharField(
        _("open to"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS
    )
    signup_until = models.DateTimeField(_("sign-up closes"), null=True, blank=True)
    hours = models.DecimalField(_("service hours credited"), max_digits=5, decimal_places=2)
    description = models.TextField(_("description"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["starts_at"], name="activity_starts")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:

        return reverse("activities:detail", args=[self.pk])


class SignUp(models.Model):
    """A person's sign-up, and afterwards whether the organiser confirmed they attended."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_up_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    walk_in = models.BooleanField(_("came without signing up"), default=False)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_up_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="signup_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.activity}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


def activity_photo_path(instance: "ActivityPhoto", filename: str) -> str:
    import uuid

    extension = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(
        instance.content_type, ""
    )
    return f"activities/{instance.activity_id}/{uuid.uuid4().hex}{extension}"


class ActivityPhoto(models.Model):
    """Optional evidence with the summary; served only through a scoped view."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=activity_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.file.name}"


class TeamKind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency service team (应急综合服务队)")
    VOLUNTEER = "volunteer", _("Volunteer team (志愿服务队)")
    SQUAD = "squad", _("Party member service squad (党员服务小分队)")


class Team(models.Model):
    """A team with a roster; it can be dispatched to cases through its responder."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=TeamKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area served"), on_delete=models.PROTECT, related_name="teams"
    )
    organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("led by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams",
    )
    description = models.TextField(_("description"), blank=True)
    responder = models.OneToOneField(
        "cases.Responder", null=True, blank=True, on_delete=models.SET_NULL, related_name="team"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:

        return reverse("activities:team", args=[self.pk])


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Leader (队长)")
    DEPUTY = "deputy", _("Deputy leader (副队长)")
    MEMBER = "member", _("Member (队员)")


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="roster")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(_("role"), max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["role", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"], condition=models.Q(left_on__isnull=True), name="teammember_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.team}"


class Callout(models.Model):
    """A team called out to a case; its members answer whether they come."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="callouts")
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    note = models.TextField(_("what is needed"), blank=True)
    called_at = models.DateTimeField()
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-called_at", "-id"]

    def __str__(self) -> str:
        return f"{self.team} → {self.case}"


class CalloutAnswer(models.TextChoices):
    COMING = "coming", _("On my way")
    ARRIVED = "arrived", _("Arrived")
    UNAVAILABLE = "unavailable", _("Cannot come")
    DONE = "done", _("Done")


class CalloutResponse(models.Model):
    callout = models.ForeignKey(Callout, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("answer"), max_length=12, choices=CalloutAnswer.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["callout", "person"], name="calloutresponse_once")]

    def __str__(self) -> str:
        return f"{self.person} {self.answer}"
