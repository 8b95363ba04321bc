"""People and their positions. One Person for residents, members, cadres and unit staff."""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.lib import crypto, masking


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PartyStatus(models.TextChoices):
    NONE = "", _("Not a Party member")
    PROBATIONARY = "probationary", _("Probationary member (预备党员)")
    FULL = "full", _("Full member (正式党员)")


class Person(models.Model):
    """A person known to Tongxin. Phone and ID-card numbers are encrypted at rest."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("home region"), on_delete=models.PROTECT, related_name="people"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    phone_encrypted = models.TextField(blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    id_card_encrypted = models.TextField(blank=True, default="", editable=False)
    id_card_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    party_status = models.CharField(
        _("Party membership"), max_length=16, choices=PartyStatus.choices, blank=True, default=""
    )
    party_joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    party_full_on = models.DateField(_("full member since"), null=True, blank=True)
    branch = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("Party branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]
        indexes = [models.Index(fields=["region", "id"], name="person_region_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_card_hash"], condition=~models.Q(id_card_hash=""), name="person_unique_id_card"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:

        return reverse("people:detail", args=[self.pk])

    @property
    def is_party_member(self) -> bool:
        return bool(self.party_status)

    # personal data: set through these, never through the *_encrypted fields
    def set_phone(self, phone: str) -> None:
        phone = phone.strip()
        key = settings.FIELD_ENCRYPTION_KEY
        self.phone_encrypted = crypto.encrypt(phone, key=key)
        self.phone_hash = crypto.lookup_hash(phone, key=key, purpose="phone")
        self.phone_last4 = phone[-4:] if phone else ""

    def set_id_card(self, number: str) -> None:
        number = number.strip().upper()
        key = settings.FIELD_ENCRYPTION_KEY
        self.id_card_encrypted = crypto.encrypt(number, key=key)
        self.id_card_hash = crypto.lookup_hash(number, key=key, purpose="id_card")

    def reveal_phone(self) -> str:
        """Plain phone number. Callers must go through people.services.person_reveal (audited)."""
        return crypto.decrypt(self.phone_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    def reveal_id_card(self) -> str:
        return crypto.decrypt(self.id_card_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def phone_masked(self) -> str:
        if not self.phone_encrypted:
            return ""
        return masking.mask_phone(self.reveal_phone())

    @property
    def id_card_masked(self) -> str:
        if not self.id_card_encrypted:
            return ""
        return masking.mask_id_card(self.reveal_id_card())


class PositionKind(models.TextChoices):
    SECRETARY = "secretary", _("Secretary (书记)")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary (副书记)")
    COMMITTEE_MEMBER = "committee_member", _("Committee member (委员)")
    CONCURRENT_MEMBER = "concurrent_member", _("Concurrent committee member (兼职委员)")
    RESIDENTS_DIRECTOR = "residents_director", _("Residents' committee director (居委会主任)")
    RESIDENTS_DEPUTY_DIRECTOR = "residents_deputy", _("Residents' committee deputy director (居委会副主任)")
    RESIDENTS_MEMBER = "residents_member", _("Residents' committee member (居委会委员)")
    GRID_LEADER = "grid_leader", _("Grid leader (网格长)")
    GRID_WORKER = "grid_worker", _("Grid worker (网格员)")
    BUILDING_HEAD = "building_head", _("Building head (楼栋长)")
    GROUP_LEADER = "group_leader", _("Party group leader (党小组长)")
    POLICY_PROMOTER = "policy_promoter", _("Policy promoter (政策宣传员)")
    INFORMATION_COLLECTOR = "information_collector", _("Information collector (信息收集员)")
    MEDIATOR = "mediator", _("Mediator (维稳调解员)")
    STARTUP_ADVISER = "startup_adviser", _("Start-up adviser (创业指导员)")


ORGANISATION_POSITIONS = {
    PositionKind.SECRETARY,
    PositionKind.DEPUTY_SECRETARY,
    PositionKind.COMMITTEE_MEMBER,
    PositionKind.CONCURRENT_MEMBER,
    PositionKind.GROUP_LEADER,
}


class Position(models.Model):
    """A post held by a person at a region node or a Party organisation, with its term."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="positions"
    )
    kind = models.CharField(_("position"), max_length=32, choices=PositionKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="positions"
    )
    organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("Party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["region_id", "kind", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="position_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"

    def is_current(self, on: "date | None" = None) -> bool:

        day = on or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)
