"""Partner units (共建单位): departments, universities, hospitals, companies, 两新组织, property firms."""

from django.conf import settings
from django.db import models
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="partnerunit_unique_name")]

    def __str__(self) -> str:
        return self.name
