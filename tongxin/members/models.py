"""双报到 (dual reporting), the service record and the versioned rules for points and stars.

A member's service record is never typed in: ServiceEntry rows are written only by the sync from
verified outcomes (tongxin.members.sources), one row per outcome and person.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServicePostKind(models.TextChoices):
    """The eight kinds of service post (服务岗位) a community offers to reporting members."""

    POLICY = "policy", _("Policy promotion (政策宣传)")
    MEDIATION = "mediation", _("Dispute mediation (矛盾调解)")
    ELDERLY_CARE = "elderly_care", _("Care for the elderly and children (助老扶幼)")
    ENVIRONMENT = "environment", _("Environment and clean-up (环境整治)")
    SAFETY = "safety", _("Safety patrol (平安巡防)")
    CIVILITY = "civility", _("Civility guidance (文明引导)")
    HEALTH = "health", _("Health service (健康服务)")
    SKILLS = "skills", _("Skills, jobs and start-ups (技能帮扶)")


class ServicePost(models.Model):
    """A post a community offers to in-service members who report to it (设岗定责)."""

    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="service_posts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ServicePostKind.choices)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("what the post does"), blank=True)
    places = models.PositiveSmallIntegerField(_("places"), null=True, blank=True)
    active = models.BooleanField(_("open for reporting"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")
        ordering = ["community_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="servicepost_unique_name")]

    def __str__(self) -> str:
        return self.name


class ReportChannel(models.TextChoices):
    ONLINE = "online", _("Online, by the member")
    COMMUNITY = "community", _("Entered by the community")


class MemberReport(models.Model):
    """在职党员报到: a member reports to the community where they live and takes a service post.

    The member joins the grid branch of their home for their service there; their Party
    membership stays with their employer's organisation, which receives the service record cards.
    """

    person = models.ForeignKey(
        "people.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="member_reports"
    )
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community reported to"), on_delete=models.PROTECT, related_name="+"
    )
    grid_branch = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("grid branch joined"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_members",
    )
    service_post = models.ForeignKey(
        ServicePost, verbose_name=_("service post"), on_delete=models.PROTECT, related_name="reports"
    )
    employer_unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_members",
    )
    employer_organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("employer's Party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members_reported_elsewhere",
    )
    channel = models.CharField(_("how"), max_length=10, choices=ReportChannel.choices)
    reported_on = models.DateField(_("reported on"))
    confirmed_on = models.DateField(_("last reported or re-reported on"))
    next_due_on = models.DateField(_("re-report due on"), db_index=True)
    rules_version = models.CharField(_("rules version"), max_length=32)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member report (在职党员报到)")
        verbose_name_plural = _("member reports")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_on__isnull=True), name="memberreport_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.community}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class MemberReportRenewal(models.Model):
    """One re-report (定期复报到): the member confirms their post and the community still stands."""

    report = models.ForeignKey(MemberReport, on_delete=models.CASCADE, related_name="renewals")
    confirmed_on = models.DateField(_("re-reported on"))
    channel = models.CharField(_("how"), max_length=10, choices=ReportChannel.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["confirmed_on", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.confirmed_on}"


class UnitReport(models.Model):
    """单位报到: a partner unit's Party organisation reports to the community where it sits."""

    unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="community_reports",
    )
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    reported_on = models.DateField(_("reported on"))
    next_due_on = models.DateField(_("report again by"))
    commitments = models.TextField(_("what the unit commits to"), blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit report (单位报到)")
        verbose_name_plural = _("unit reports")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community"],
                condition=models.Q(ended_on__isnull=True),
                name="unitreport_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.community}"


class ServiceSource(models.TextChoices):
    """Where a verified outcome comes from (tongxin.members.sources)."""

    ACTIVITY = "activity", _("Activity attended (confirmed by the organiser)")
    CASE = "case", _("Order taken and solved (confirmed by the resident)")
    PROJECT = "project", _("Project milestone accepted")


class ServiceEntry(models.Model):
    """One verified service of one person. Written only by the sync from its source."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("member"), on_delete=models.CASCADE, related_name="service_entries"
    )
    source = models.CharField(_("source"), max_length=10, choices=ServiceSource.choices)
    source_id = models.CharField(max_length=40)
    on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    title = models.CharField(_("service"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("where"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    url = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["-on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id", "person"], name="serviceentry_once"),
        ]
        indexes = [models.Index(fields=["person", "on"], name="serviceentry_person_on")]

    def __str__(self) -> str:
        return f"{self.person} {self.on} {self.title}"


class ServiceSyncState(models.Model):
    """How far the sync has read each source (its watermark)."""

    source = models.CharField(max_length=10, unique=True)
    synced_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.source} until {self.synced_until}"


class MemberRuleSet(models.Model):
    """A version of the rules for reporting, minimum services, points and stars (十星级).

    Configuration, never code: a region may adopt its own version (it applies to its subtree);
    without one, Tongxin's default applies. Each version says where it comes from.
    """

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
    min_services_per_year = models.PositiveSmallIntegerField(_("minimum services a year"), default=2)
    rereport_months = models.PositiveSmallIntegerField(_("re-report every (months)"), default=6)
    rereport_warn_days = models.PositiveSmallIntegerField(_("remind this many days before"), default=14)
    unit_rereport_months = models.PositiveSmallIntegerField(
        _("units report again every (months)"), default=12
    )
    case_hours = models.DecimalField(
        _("hours credited for a solved order"), max_digits=5, decimal_places=2, default=2
    )
    project_hours = models.DecimalField(
        _("hours credited for an accepted milestone"), max_digits=5, decimal_places=2, default=4
    )
    points_activity = models.DecimalField(
        _("points for an activity"), max_digits=5, decimal_places=2, default=2
    )
    points_case = models.DecimalField(
        _("points for a solved order"), max_digits=5, decimal_places=2, default=3
    )
    points_project = models.DecimalField(
        _("points for a milestone"), max_digits=5, decimal_places=2, default=5
    )
    points_per_hour = models.DecimalField(
        _("points per hour of service"), max_digits=5, decimal_places=2, default=0.5
    )
    star_thresholds = models.JSONField(_("points needed for 1 to 10 stars"), default=list)
    rankings_enabled = models.BooleanField(_("show rankings"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member rules version")
        verbose_name_plural = _("member rules versions")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="memberruleset_unique_version")
        ]

    def __str__(self) -> str:
        return self.version
