"""Partner units (共建单位), alliances (大党委, 党建联盟, 党建联合体), pairings (结对共建) with their
agreements (共建协议), and the co-building rules (configuration with a versioned default)."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    COUNTY_DEPARTMENT = "county_department", _("County department (县直部门)")
    UNIVERSITY = "university", _("University (高校)")
    HOSPITAL = "hospital", _("Hospital (医院)")
    COMPANY = "company", _("Company (企业)")
    NEW_ORGANISATION = "new_organisation", _("New economic or social organisation (两新组织)")
    PROPERTY_FIRM = "property_firm", _("Property firm (物业)")
    STATIONED = "stationed", _("Unit stationed in the area (驻地单位)")
    OTHER = "other", _("Other")


class PartnerUnit(models.Model):
    """A unit that builds together with communities; it sits in (and is scoped by) a region."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("where it sits"),
        on_delete=models.PROTECT,
        related_name="partner_units",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    party_organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("its Party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_units",
    )
    red_property = models.BooleanField(_("Party-led property service (红色物业)"), default=False)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("liaisons"), blank=True, related_name="partner_units"
    )
    active = models.BooleanField(_("active"), default=True)
    # the annual duty (≥1 实事) is judged from this date: a unit that joins late in a year is not due yet
    joined_on = models.DateField(_("joined co-building on"), null=True, blank=True)
    description = models.TextField(_("what the unit does"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="partnerunit_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:

        return reverse("partners:unit", args=[self.pk])

    @property
    def joined(self) -> date | None:
        """The day co-building began: the recorded date, else the day the unit was registered."""
        if self.joined_on:
            return self.joined_on
        return timezone.localdate(self.created_at) if self.created_at else None


class AllianceKind(models.TextChoices):
    BIG_COMMITTEE = "big_committee", _("Community grand Party committee (大党委)")
    ALLIANCE = "alliance", _("Party-building alliance (党建联盟)")
    CONSORTIUM = "consortium", _("Party-building consortium (党建联合体)")


class MeetingInterval(models.IntegerChoices):
    MONTHLY = 1, _("Monthly")
    BIMONTHLY = 2, _("Every two months")
    QUARTERLY = 3, _("Quarterly")
    HALF_YEARLY = 6, _("Every half year")
    YEARLY = 12, _("Yearly")


class Alliance(models.Model):
    """A 大党委, 党建联盟 or 党建联合体: member units around a community, street or county."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=AllianceKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region it serves"),
        on_delete=models.PROTECT,
        related_name="alliances",
    )
    organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("its Party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alliances",
    )
    meeting_interval = models.PositiveSmallIntegerField(
        _("joint meeting every"), choices=MeetingInterval.choices, default=MeetingInterval.QUARTERLY
    )
    founded_on = models.DateField(_("founded on"))
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="alliance_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:

        return reverse("partners:alliance", args=[self.pk])


class MemberRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary (书记)")
    DEPUTY = "deputy", _("Deputy secretary (副书记)")
    MEMBER = "member", _("Committee member (委员)")
    CONCURRENT = "concurrent", _("Concurrent member (兼职委员)")
    UNIT = "unit", _("Member unit (成员单位)")


class AllianceMember(models.Model):
    """A seat in an alliance: a partner unit, or the host's own Party organisation, with a role."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey(
        PartnerUnit,
        verbose_name=_("partner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliance_seats",
    )
    organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("Party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliance_seats",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("who holds the seat"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alliance_seats",
    )
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.UNIT)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("alliance member")
        verbose_name_plural = _("alliance members")
        ordering = ["alliance", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(organisation__isnull=False),
                name="alliancemember_unit_or_organisation",
            ),
            models.UniqueConstraint(
                fields=["alliance", "unit"],
                condition=models.Q(left_on__isnull=True, unit__isnull=False),
                name="alliancemember_unit_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.unit or self.organisation} · {self.get_role_display()}"

    @property
    def label(self) -> str:
        return str(self.unit or self.organisation)


class Pairing(models.Model):
    """结对共建: a partner unit paired with a community or a street."""

    unit = models.ForeignKey(
        PartnerUnit, verbose_name=_("partner unit"), on_delete=models.PROTECT, related_name="pairings"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("community or street"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    host_organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("host Party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairings",
    )
    started_on = models.DateField(_("paired since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["region__path", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "region"], condition=models.Q(ended_on__isnull=True), name="pairing_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} ⇄ {self.region}"

    def get_absolute_url(self) -> str:

        return reverse("partners:pairing", args=[self.pk])


def agreement_path(instance: "Agreement", filename: str) -> str:
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        instance.content_type, ""
    )
    return f"partners/agreements/{instance.pairing_id}/{uuid.uuid4().hex}{extension}"


class Agreement(models.Model):
    """共建协议: the signed agreement of a pairing, with its term and commitments. A renewal is a
    new agreement; the latest one is in force. The file lives under MEDIA_ROOT and is served only
    through a scoped view."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("title"), max_length=120)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("term starts on"))
    ends_on = models.DateField(_("term ends on"))
    commitments = models.TextField(_("commitments"))
    file = models.FileField(_("signed copy"), upload_to=agreement_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["pairing", "-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="agreement_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["ends_on"], name="agreement_ends_on")]

    def __str__(self) -> str:
        return self.title


class CoBuildingRules(models.Model):
    """The numbers co-building is judged by. The newest row applies; the first one is the default."""

    version = models.CharField(_("rules version"), max_length=32, unique=True)
    agreement_warn_days = models.PositiveSmallIntegerField(
        _("warn this many days before an agreement ends"), default=60
    )
    task_warn_days = models.PositiveSmallIntegerField(
        _("remind this many days before a task is due"), default=3
    )
    practical_per_unit = models.PositiveSmallIntegerField(_("实事 each unit completes a year"), default=1)
    secretary_projects = models.PositiveSmallIntegerField(
        _("书记项目 each secretary claims a year"), default=1
    )
    # a unit that joins (or a secretary who takes office) after this day of the year is due next year
    due_if_joined_by_month = models.PositiveSmallIntegerField(_("due if joined by (month)"), default=7)
    due_if_joined_by_day = models.PositiveSmallIntegerField(_("due if joined by (day)"), default=1)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-building rules")
        verbose_name_plural = _("co-building rules")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.version
