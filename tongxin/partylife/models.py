"""三会一课, 发展党员 (member development), 流动党员 (mobile members) and training classes."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.lib import crypto, masking


class PartyMeetingKind(models.TextChoices):
    BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting (支部委员会)")
    GROUP = "group", _("Party group meeting (党小组会)")
    GENERAL_ASSEMBLY = "general_assembly", _("General meeting of members (支部党员大会)")
    LECTURE = "lecture", _("Party lecture (党课)")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class PartyMeeting(models.Model):
    """One meeting of 三会一课, recorded by its branch (or, for 党小组会, its group)."""

    organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("branch or group"),
        on_delete=models.PROTECT,
        related_name="party_meetings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PartyMeetingKind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    attendees = models.ManyToManyField(
        "people.Person", verbose_name=_("attendees"), blank=True, related_name="+"
    )
    attendee_count = models.PositiveSmallIntegerField(_("attendees"), default=0)
    lecturer = models.CharField(_("lecturer"), max_length=50, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("三会一课 meeting")
        verbose_name_plural = _("三会一课 meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "kind", "held_on"], name="partymeeting_lookup")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()} {self.held_on}"


class MeetingRuleSet(models.Model):
    """A version of the 三会一课 frequencies, adopted by a region for its subtree (or the default)."""

    version = models.CharField(_("version"), max_length=32)
    source = models.CharField(_("source"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("applies in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    branch_committee = models.CharField(_("branch committee"), max_length=10, choices=Frequency.choices)
    group = models.CharField(_("Party group meeting"), max_length=10, choices=Frequency.choices)
    general_assembly = models.CharField(_("general meeting"), max_length=10, choices=Frequency.choices)
    lecture = models.CharField(_("Party lecture"), max_length=10, choices=Frequency.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="meetingruleset_unique_version")
        ]

    def __str__(self) -> str:
        return self.version


# ---- 发展党员 ---------------------------------------------------------------------------------


class StepKind(models.TextChoices):
    """The steps of 《中国共产党发展党员工作细则》, in order."""

    APPLICATION = "application", _("Application for membership (入党申请)")
    TALK = "talk", _("Talk with the applicant (谈话)")
    ACTIVIST = "activist", _("Admitted as activist (确定入党积极分子)")
    ASSESSMENT = "assessment", _("Half-yearly assessment (培养考察)")
    TARGET = "target", _("Admitted as development target (确定发展对象)")
    POLITICAL_REVIEW = "political_review", _("Political review (政治审查)")
    TRAINING = "training", _("Intensive training (集中培训)")
    PRE_REVIEW = "pre_review", _("Pre-review by the higher committee (上级党委预审)")
    PUBLIC_NOTICE = "public_notice", _("Public notice (公示)")
    BRANCH_MEETING = "branch_meeting", _("Branch meeting admits (支部大会讨论接收)")
    APPROVAL = "approval", _("Approval by the higher committee (上级党委审批)")
    EXTENSION = "extension", _("Probation extended (延长预备期)")
    FULL_MEMBERSHIP = "full_membership", _("Full membership (转为正式党员)")
    STOPPED = "stopped", _("File closed (终止)")


class DevelopmentRuleSet(models.Model):
    """A version of the time rules, with the text they come from. Values are in `params`."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    source = models.CharField(_("source"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    params = models.JSONField(_("rules"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return self.version


class DevelopmentFile(models.Model):
    """One applicant's development file (发展党员档案), kept by the branch."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="development_files",
    )
    branch = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="development_files",
    )
    rules = models.ForeignKey(
        DevelopmentRuleSet, verbose_name=_("rules version"), null=True, blank=True, on_delete=models.PROTECT
    )
    rules_version = models.CharField(_("rules version"), max_length=32)
    stage = models.CharField(
        _("stage"), max_length=20, choices=StepKind.choices, default=StepKind.APPLICATION
    )
    # the next limit and whether a rule is broken: kept current by the service, for lists and warnings
    next_deadline = models.DateField(_("next limit"), null=True, blank=True, db_index=True)
    broken = models.BooleanField(_("breaks a rule"), default=False, db_index=True)
    closed = models.BooleanField(_("closed"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("development file")
        verbose_name_plural = _("development files")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(closed=False), name="developmentfile_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_stage_display()})"

    def get_absolute_url(self) -> str:

        return reverse("partylife:development_file", args=[self.pk])


class DevelopmentStep(models.Model):
    """A step taken, as entered by the branch. Details: mentors, votes, hours, notice end…"""

    file = models.ForeignKey(DevelopmentFile, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    on = models.DateField(_("date"))
    detail = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.kind} {self.on}"


# ---- 流动党员 ---------------------------------------------------------------------------------


class ServiceWindow(models.Model):
    """流动党员服务窗口 at a 党群服务中心: it looks after members living away from their branch."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("where"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("service window for mobile members")
        verbose_name_plural = _("service windows")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MobileMember(models.Model):
    """流动党员: a member living away from their branch, where they are and who looks after them."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="mobile_records"
    )
    branch = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("home branch"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_place = models.CharField(_("where they are now"), max_length=200)
    current_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region, if in Tongxin"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    work = models.CharField(_("work"), max_length=120, blank=True)
    contact_encrypted = models.TextField(blank=True, default="", editable=False)
    window = models.ForeignKey(
        ServiceWindow,
        verbose_name=_("service window"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    certificate = models.CharField(_("流动党员活动证 number"), max_length=40, blank=True)
    left_on = models.DateField(_("left on"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mobile member (流动党员)")
        verbose_name_plural = _("mobile members")
        ordering = ["-left_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(returned_on__isnull=True), name="mobilemember_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.current_place}"

    def set_contact(self, phone: str) -> None:
        self.contact_encrypted = crypto.encrypt((phone or "").strip(), key=settings.FIELD_ENCRYPTION_KEY)

    def reveal_contact(self) -> str:
        return crypto.decrypt(self.contact_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def contact_masked(self) -> str:
        return masking.mask_phone(self.reveal_contact()) if self.contact_encrypted else ""


# ---- training ---------------------------------------------------------------------------------


class TrainingPurpose(models.TextChoices):
    ACTIVISTS = "activists", _("Activists (入党积极分子)")
    TARGETS = "targets", _("Development targets (发展对象)")
    MEMBERS = "members", _("Members (党员)")
    CADRES = "cadres", _("Secretaries and cadres (书记、党务干部)")


class TrainingClass(models.Model):
    name = models.CharField(_("name"), max_length=120)
    purpose = models.CharField(_("for"), max_length=10, choices=TrainingPurpose.choices)
    organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        related_name="training_classes",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    participants = models.ManyToManyField(
        "people.Person", verbose_name=_("participants"), blank=True, related_name="training_classes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:

        return reverse("partylife:training_class", args=[self.pk])


class TrainingSession(models.Model):
    training = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="sessions")
    on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("class hours"), max_digits=4, decimal_places=1)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.training} {self.on}"


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="training_attendance")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="trainingattendance_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"
