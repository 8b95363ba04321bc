"""The village collective economy (村集体经济): per village and year its income by source, assets and
liabilities and 集体产权改革 status; the village companies and cooperatives; the 5+N projects with
their investment and returns by year; and the income tiers (seed 003: ≥100万, 50–100万, ≥5万, below
that 薄弱村) as versioned configuration.

Money is in 万元 with two decimals (Decimal, never float)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ZERO = Decimal("0.00")


class TierScheme(models.Model):
    """A version of the income tiers (集体经济分档), in force from a year on: the scheme for a year is
    the one with the greatest `year_from` not after it. A scheme in use is never changed: a new
    version is written instead."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    year_from = models.PositiveIntegerField(_("in force from the year"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tier scheme")
        verbose_name_plural = _("tier schemes")
        ordering = ["-year_from", "-version"]

    def __str__(self) -> str:
        return _("Tiers, version %(v)s") % {"v": self.version}


class Tier(models.Model):
    """One tier: villages whose collective income of a year is at least `min_income` (万元) and below
    the next tier up. Rank 1 is the highest; the tier with the lowest threshold is the weak one
    (薄弱村)."""

    scheme = models.ForeignKey(TierScheme, on_delete=models.CASCADE, related_name="tiers")
    rank = models.PositiveSmallIntegerField(_("rank"))
    name = models.CharField(_("name"), max_length=40)
    min_income = models.DecimalField(
        _("at least (万元)"), validators=[MinValueValidator(ZERO)], max_digits=12, decimal_places=2
    )
    weak = models.BooleanField(_("weak village (薄弱村)"), default=False)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["scheme", "rank"]
        constraints = [models.UniqueConstraint(fields=["scheme", "rank"], name="tier_unique_rank")]

    def __str__(self) -> str:
        return self.name


class PropertyReform(models.TextChoices):
    """集体产权制度改革: where the village stands."""

    NOT_STARTED = "not_started", pgettext_lazy("property reform", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("property reform", "In progress")
    DONE = "done", pgettext_lazy("property reform", "Completed")


INCOME_FIELDS = (
    "operating_income",
    "contracting_income",
    "investment_income",
    "subsidy_income",
    "other_income",
)


class VillageEconomy(models.Model):
    """A village's collective economy in one year (entered once by the township, or imported)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="economies"
    )
    year = models.PositiveIntegerField(_("year"))
    operating_income = models.DecimalField(
        _("operating income (经营性收入)"), default=ZERO, max_digits=12, decimal_places=2
    )
    contracting_income = models.DecimalField(
        _("contracting and remitted income (发包及上交收入)"), default=ZERO, max_digits=12, decimal_places=2
    )
    investment_income = models.DecimalField(
        _("investment returns (投资收益)"), default=ZERO, max_digits=12, decimal_places=2
    )
    subsidy_income = models.DecimalField(
        _("subsidies (补助收入)"), default=ZERO, max_digits=12, decimal_places=2
    )
    other_income = models.DecimalField(
        _("other income (其他收入)"), default=ZERO, max_digits=12, decimal_places=2
    )
    # the sum of the five sources, kept by the services so that sums and tiers are one query
    total_income = models.DecimalField(
        _("collective income"), default=ZERO, editable=False, max_digits=12, decimal_places=2
    )
    assets = models.DecimalField(_("assets (资产)"), default=ZERO, max_digits=12, decimal_places=2)
    liabilities = models.DecimalField(_("liabilities (负债)"), default=ZERO, max_digits=12, decimal_places=2)
    property_reform = models.CharField(
        _("collective property reform (集体产权改革)"),
        max_length=16,
        choices=PropertyReform.choices,
        default=PropertyReform.NOT_STARTED,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("village collective economy")
        verbose_name_plural = _("village collective economies")
        ordering = ["region__path", "-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="economy_once_a_year")]
        indexes = [models.Index(fields=["year", "region"], name="economy_year")]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def net_assets(self) -> Decimal:
        return self.assets - self.liabilities


class EnterpriseKind(models.TextChoices):
    COMPANY = "company", _("Village collective company (村集体公司)")
    COOPERATIVE = "cooperative", _("Cooperative (合作社)")


class Enterprise(models.Model):
    """A village collective company or cooperative."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="enterprises"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=EnterpriseKind.choices)
    registered_capital = models.DecimalField(
        _("registered capital (万元)"), default=ZERO, max_digits=12, decimal_places=2
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("village enterprise")
        verbose_name_plural = _("village enterprises")
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="enterprise_unique_name")]

    def __str__(self) -> str:
        return self.name


class ProjectKind(models.TextChoices):
    """The kinds of collective-economy projects (村级集体经济“5+N”)."""

    PROPERTY = "property", _("Property leasing (物业租赁)")
    RESOURCES = "resources", _("Resource development (资源开发)")
    INDUSTRY = "industry", _("Industry (产业带动)")
    SERVICES = "services", _("Services (服务创收)")
    ASSETS = "assets", _("Putting idle assets to use (资产盘活)")
    OTHER = "other", _("Other (N)")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("project status", "Planned")
    BUILDING = "building", pgettext_lazy("project status", "Being built")
    OPERATING = "operating", pgettext_lazy("project status", "Operating")
    CLOSED = "closed", pgettext_lazy("project status", "Closed")


class EconomyProject(models.Model):
    """A collective-economy project of a village (5+N), with its investment in 万元."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="economy_projects"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ProjectKind.choices)
    investment = models.DecimalField(_("investment (万元)"), default=ZERO, max_digits=12, decimal_places=2)
    year = models.PositiveIntegerField(_("year started"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("collective-economy project")
        verbose_name_plural = _("collective-economy projects")
        ordering = ["region__path", "-year", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="economy_project_unique_name")]

    def __str__(self) -> str:
        return self.name


class ProjectReturn(models.Model):
    """What a project returned to the collective in a year (万元)."""

    project = models.ForeignKey(EconomyProject, on_delete=models.CASCADE, related_name="returns")
    year = models.PositiveIntegerField(_("year"))
    amount = models.DecimalField(_("returns (万元)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("project return")
        verbose_name_plural = _("project returns")
        ordering = ["project", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="project_return_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"
