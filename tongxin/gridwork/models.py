"""The grid worker's log (走访 / 巡查 / 排查 / 宣传 / 调解 / 创业指导 / 代办), campaigns (专项行动) and
the visit interval, as data.

A log entry is written once, on a phone, and feeds every figure that counts it. GPS and photos are
optional evidence, never a gate; nothing here counts log-ins, online time or quotas (DOMAIN.md §7).
An inspection round (排查) is a log entry of kind `inspection` naming its campaign, with the answers
to the campaign's checklist; a finding becomes one case (`case`), never typed twice.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.gridwork.defaults import RULES_VERSION


class KindCode(models.TextChoices):
    """The log kinds the figures count. Their names and order are data (LogKind rows)."""

    VISIT = "visit", _("Visit (走访)")
    PATROL = "patrol", _("Patrol (巡查)")
    INSPECTION = "inspection", _("Inspection round (排查)")
    POLICY = "policy", _("Policy talk (政策宣传)")
    MEDIATION = "mediation", _("Mediation (矛盾调解)")
    STARTUP = "startup", _("Start-up advice (创业就业指导)")
    ERRAND = "errand", _("Errand (代办服务)")


class Outcome(models.TextChoices):
    """A mediation's outcome (调解结果)."""

    RESOLVED = "resolved", _("Resolved (成功)")
    PARTIAL = "partial", _("Partly resolved (部分)")
    UNRESOLVED = "unresolved", _("Not resolved (未成)")


class LogKind(models.Model):
    """A kind of log entry (configuration as data, with versioned defaults in gridwork.defaults).

    Rows without a region are the national defaults (loaded by a data migration); a street or a
    community changes a kind for its area by keeping its own row with the same code (another name,
    the outcome asked or not, inactive to hide it) or adds a kind of its own. The kinds in force at
    a grid are, for each code, the row of the nearest node (community, then street, then default).
    An entry keeps the row and the code it was recorded with: a later change rewrites no entry, and
    the figures count by code."""

    code = models.SlugField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=30)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("configured by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="log_kinds",
    )
    household_usual = models.BooleanField(_("usually about one household"), default=False)
    has_outcome = models.BooleanField(_("records an outcome"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("in use"), default=True)
    rules_version = models.CharField(_("defaults version"), max_length=32, blank=True, default=RULES_VERSION)

    class Meta:
        verbose_name = _("log kind")
        verbose_name_plural = _("log kinds")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="logkind_unique_code"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(region__isnull=True), name="logkind_unique_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplate(models.Model):
    """A checklist a campaign starts from (安全隐患, 矛盾纠纷, 消防…): configuration as data.

    The row without a region is the versioned default; a street or community keeps its own. A
    campaign copies the items when it starts, so changing a template rewrites no campaign."""

    name = models.CharField(_("name"), max_length=40)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("configured by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checklist_templates",
    )
    items = models.JSONField(_("items"), default=list)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("in use"), default=True)
    rules_version = models.CharField(_("defaults version"), max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A special action or inspection campaign (专项行动 / 排查) started by a street or community:
    a checklist, the grids it covers and a period. Rounds are log entries naming it."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("started by"), on_delete=models.PROTECT, related_name="campaigns"
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    # [{"key": "fire", "label": "消防"}, …]: data, edited with the campaign
    checklist = models.JSONField(_("checklist"), default=list)
    grids = models.ManyToManyField("regions.Region", verbose_name=_("grids"), related_name="+")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("gridwork:campaign", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class LogEntry(models.Model):
    """One piece of the grid worker's day: written once, corrected by its author within a day."""

    kind = models.ForeignKey(LogKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    # the kind's code, copied: figures count by (path, code, time) in one index range
    code = models.CharField(max_length=16, choices=KindCode.choices, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="log_entries",
    )
    author_label = models.CharField(_("recorded by"), max_length=60, blank=True)
    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="log_entries"
    )
    # the grid's path: scope and figures are one range scan on it
    region_path = models.CharField(max_length=255, editable=False)
    household = models.ForeignKey(
        "households.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="log_entries",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    # the checklist's answers of an inspection round: {"fire": "issue", "safety": "ok"}
    answers = models.JSONField(_("checklist answers"), default=dict, blank=True)
    found_something = models.BooleanField(_("found a problem"), default=False)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="log_entry",
    )
    recorded_at = models.DateTimeField(editable=False)
    # its author's corrections, oldest first: [{"at": iso time, "by": label, "fields": {name: [old, new]}}]
    # (each is also an audit row; kept here so the entry shows its own history)
    corrections = models.JSONField(default=list, blank=True, editable=False)
    # the form's or API client's key: the same save pressed twice writes one entry
    client_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["-at", "-id"]
        indexes = [
            # a node's figures of a period: one range of the path, the code and the time, index only
            models.Index(fields=["region_path", "code", "at"], name="logentry_scope_code"),
            # a node's log, newest first, and its counts by kind: one seek per grid, index only
            models.Index(fields=["region_path", "at", "code"], name="logentry_grid_at_code"),
            # a household's last visit
            models.Index(fields=["household", "code", "at"], name="logentry_household"),
            models.Index(fields=["author", "at"], name="logentry_author"),
            models.Index(fields=["campaign", "grid"], name="logentry_campaign"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_key"], condition=~models.Q(client_key=""), name="logentry_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} · {self.at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("gridwork:entry", args=[self.pk])


def log_photo_path(instance: "LogPhoto", filename: str) -> str:
    return f"gridwork/{instance.entry_id}/{filename}"


class LogPhoto(models.Model):
    """Optional evidence with a log entry. Served only through a scoped view."""

    entry = models.ForeignKey(LogEntry, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=log_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("log photo")
        verbose_name_plural = _("log photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.pk}"


class VisitInterval(models.Model):
    """After how many days a household with a care tag is due a visit, when its tags set none.

    Configuration as data: the row without a region is the versioned default; a street or
    community adds its own row, and the nearest node's row is in force. A tag's own interval
    (households.CareTag.visit_interval_days) comes first."""

    region = models.OneToOneField(
        "regions.Region",
        verbose_name=_("configured by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visit_interval",
    )
    days = models.PositiveSmallIntegerField(_("visit at least every (days)"))
    rules_version = models.CharField(_("defaults version"), max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visit interval")
        verbose_name_plural = _("visit intervals")
        constraints = [
            models.CheckConstraint(condition=models.Q(days__gte=1), name="visitinterval_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.days}"
