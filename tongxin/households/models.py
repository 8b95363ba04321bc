"""Households (户) under a building, the people living there, care tags and 联户 links.

A household hangs under a building of the region tree (楼栋 → 户), or, in a village, directly under
its village group (村民小组: a leaf grid without buildings). Its address follows GB/T 39609:
行政区划 (from the region tree) → 街巷院落 → 门楼牌号 → 单元 → 室; in a village group 组 (kept in
`street`) → 门牌号, without unit or room: 禾田镇大寨村一组23号. Care tags (关怀标签: 独居老人,
低保, 残疾…) are sensitive personal information (PIPL art. 28): they are read only through
tongxin.households.selectors, which checks the capability, and every view of a tagged household's
detail is audited.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Household(models.Model):
    """A household (户): one dwelling in a building or a village group, with its GB/T 39609 address
    parts. `building` is the place: a building, or a leaf grid without buildings (a village's 村民小组,
    then `building_id == grid_id`), checked by the services.

    `grid`, `community` and `region_path` (the place's path) are copied from the place when
    the household is saved through the services, so that scope queries are one indexed range scan
    (`region_path`) and a grid's or community's households one index look-up.
    """

    building = models.ForeignKey(
        "regions.Region",
        verbose_name=_("building or village group"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="grid_households",
        editable=False,
    )
    community = models.ForeignKey(
        "regions.Region",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="community_households",
        editable=False,
    )
    region_path = models.CharField(max_length=255, editable=False)
    street = models.CharField(_("street, lane or compound (街巷院落)"), max_length=100, blank=True)
    house_number = models.CharField(_("house number (门楼牌号)"), max_length=30, blank=True)
    unit = models.CharField(pgettext_lazy("building unit", "unit (单元)"), max_length=10, blank=True)
    room = models.CharField(_("room (室)"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, editable=False, default="")
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["region_path", "unit", "room", "id"]
        indexes = [
            models.Index(fields=["region_path", "id"], name="household_scope"),
            models.Index(fields=["grid", "active", "id"], name="household_grid"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "house_number", "unit", "room"],
                condition=models.Q(active=True),
                name="household_unique_dwelling",
            )
        ]

    def __str__(self) -> str:
        return self.short_address

    def get_absolute_url(self) -> str:
        return reverse("households:detail", args=[self.pk])

    @property
    def in_village_group(self) -> bool:
        """Directly under a village group (村民小组), not in a building."""
        return self.building_id == self.grid_id

    @property
    def short_address(self) -> str:
        """门牌 without the 行政区划: 文昌路12号3单元502室."""
        return format_dwelling(self.street, self.house_number, self.unit, self.room)


def format_dwelling(street: str, house_number: str, unit: str, room: str) -> str:
    """街巷院落 + 门楼牌号 + 单元 + 室, each with its suffix unless already typed."""
    parts = [street.strip()]
    for value, suffix in ((house_number, "号"), (unit, "单元"), (room, "室")):
        value = value.strip()
        if value:
            parts.append(value if value.endswith(suffix) or not value[-1].isdigit() else value + suffix)
    return "".join(parts)


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household (户主)")
    SPOUSE = "spouse", _("Spouse (配偶)")
    CHILD = "child", _("Child (子女)")
    PARENT = "parent", _("Parent (父母)")
    OTHER = "other", _("Other (其他)")


class Residence(models.Model):
    """A person living in a household, with their relation to the head and the move dates."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="residences"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="residences"
    )
    relation = models.CharField(
        _("relation to the head"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household_id", "moved_out_on", "relation", "id"]
        indexes = [models.Index(fields=["person", "moved_out_on"], name="residence_person")]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=models.Q(moved_out_on__isnull=True),
                name="residence_unique_current",
            ),
            models.CheckConstraint(
                condition=models.Q(moved_out_on__isnull=True)
                | models.Q(moved_in_on__isnull=True)
                | models.Q(moved_out_on__gte=models.F("moved_in_on")),
                name="residence_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_relation_display()}"

    @property
    def is_current(self) -> bool:
        return self.moved_out_on is None


class CareTag(models.Model):
    """A care tag (关怀标签) a household may carry: 独居老人, 低保, 残疾, 留守儿童, 退役军人…

    Configuration as data. Rows without a region are the versioned national defaults
    (households.defaults, loaded by a data migration); a street or community overrides one by
    adding a row with the same code at its node (another name, visit interval, or inactive to hide
    it) or adds its own. The tags in force at a community are, for each code, the row of the
    nearest node (community, then street, then the default).
    """

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=30)
    description = models.CharField(_("description"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("configured by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="care_tags",
    )
    visit_interval_days = models.PositiveSmallIntegerField(
        _("visit at least every (days)"), null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("in use"), default=True)
    rules_version = models.CharField(_("defaults version"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("care tag")
        verbose_name_plural = _("care tags")
        ordering = ["sort_order", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="caretag_unique_code"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(region__isnull=True), name="caretag_unique_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HouseholdTag(models.Model):
    """A care tag on a household (sensitive personal information, PIPL art. 28)."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="tags"
    )
    tag = models.ForeignKey(
        CareTag, verbose_name=_("care tag"), on_delete=models.PROTECT, related_name="households"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household care tag")
        verbose_name_plural = _("household care tags")
        ordering = ["household_id", "tag__sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["household", "tag"], name="householdtag_unique")]

    def __str__(self) -> str:
        return f"{self.household_id} · {self.tag_id}"


class LinkKind(models.TextChoices):
    TEN_HOUSEHOLDS = "ten_households", _("十联户 (a 联户长 and about ten households)")
    MEMBER_HOUSEHOLDS = "member_households", _("党员联户 (a Party member and the households they look after)")
    CADRE_GRIDS = "cadre_grids", _("干部联网格 (a street or community leader and grids)")
    PAIRED_WORKERS = "paired_workers", _("1+1 grid workers (a full-time worker and a member without a post)")


HOUSEHOLD_LINK_KINDS = {LinkKind.TEN_HOUSEHOLDS, LinkKind.MEMBER_HOUSEHOLDS}
GRID_LINK_KINDS = {LinkKind.CADRE_GRIDS, LinkKind.PAIRED_WORKERS}


class Link(models.Model):
    """A 联户 link: a person responsible for households (十联户, 党员联户) or grids (干部联网格, 1+1).

    `region` is the node the link is kept at (the community for household links and 1+1, the
    street or community for 干部联网格); `region_path` is its path, for scope. For 1+1, `person` is
    the full-time grid worker and `partner` the member without a post.
    """

    kind = models.CharField(_("kind"), max_length=24, choices=LinkKind.choices)
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="links"
    )
    partner = models.ForeignKey(
        "people.Person",
        verbose_name=_("paired with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paired_links",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("kept at"), on_delete=models.PROTECT, related_name="links"
    )
    region_path = models.CharField(max_length=255, editable=False)
    households = models.ManyToManyField(
        Household, verbose_name=_("households"), blank=True, related_name="links"
    )
    grids = models.ManyToManyField(
        "regions.Region", verbose_name=_("grids"), blank=True, related_name="linked_by"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("联户 link")
        verbose_name_plural = _("联户 links")
        ordering = ["region_path", "kind", "starts_on", "id"]
        indexes = [models.Index(fields=["region_path", "kind"], name="link_scope")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="link_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("households:link", args=[self.pk])
