"""What the statistics app stores: targets (denominators), the report's wording, display links.

Figures themselves are never stored here: they are computed from the facts (registry.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    """An annual target for an indicator at a node (发展党员计划, members expected to report…).

    A node's target is its own, or else the sum of the targets set below it."""

    indicator = models.CharField(_("indicator"), max_length=64)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "indicator", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year"], name="target_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_id} {self.year}"


class ReportWording(models.Model):
    """A version of the sentence templates of the work report (工作综述).

    Kept by the county organisation department; version 1 holds the national default wording.
    The version in force on the last day of the report's period is used."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    valid_from = models.DateField(_("valid from"))
    # key → template text with {indicator.code} placeholders (report.py lists the keys)
    sentences = models.JSONField(_("sentences"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report wording")
        verbose_name_plural = _("report wordings")
        ordering = ["-valid_from", "-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class DisplayLink(models.Model):
    """A read-only link to the big screen (大屏) of one node, for a wall display without an account.

    Issued and revoked by the security administrator; only a hash of the token is stored."""

    label = models.CharField(_("display"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region shown"), on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("display link")
        verbose_name_plural = _("display links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class KeptFigures(models.Model):
    """Every figure of one node over one period, computed by the worker (statistics/kept.py) so that
    an overview of a city reads one row instead of counting its whole subtree on each request.

    `values` maps each indicator's code to its value as the live computation gives it (encoded:
    kept.encode); `series` holds the monthly lines of the trend indicators. A page reading a kept
    row states when it was computed (数据截至); the rows behind a figure stay live."""

    node = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"))
    values = models.JSONField(default=dict)
    series = models.JSONField(default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(default=0)  # how long the computation took (the sweep's cost)

    class Meta:
        verbose_name = _("kept figures")
        verbose_name_plural = _("kept figures")
        constraints = [
            models.UniqueConstraint(fields=["node", "since", "until"], name="kept_figures_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.since}–{self.until}"
