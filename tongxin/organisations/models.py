"""The Party-organisation tree: 党委/党工委 → 党总支 → 党支部/网格党支部 → 党小组."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee (党委)")
    WORKING_COMMITTEE = "working_committee", _("Party working committee (党工委)")
    GENERAL_BRANCH = "general_branch", _("General branch (党总支)")
    BRANCH = "branch", _("Branch (党支部)")
    GRID_BRANCH = "grid_branch", _("Grid branch (网格党支部)")
    GROUP = "group", _("Party group (党小组)")


BRANCH_KINDS = {OrgKind.BRANCH, OrgKind.GRID_BRANCH}

ALLOWED_PARENT_KINDS: dict[str, set[str]] = {
    OrgKind.COMMITTEE: {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.WORKING_COMMITTEE: {OrgKind.COMMITTEE},
    OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.GRID_BRANCH: {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.GROUP: {OrgKind.BRANCH, OrgKind.GRID_BRANCH},
}


class PartyOrganisation(models.Model):
    """A Party organisation (党组织), attached to the region it serves."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=24, choices=OrgKind.choices)
    code = models.CharField(_("organisation code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    term_ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Party organisation")
        verbose_name_plural = _("Party organisations")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:

        return reverse("organisations:detail", args=[self.pk])

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS
