"""两新组织 (new economic and social organisations): for a partner unit of that kind, the Party facts
seed 004 counts — a Party organisation and since when, 党建入章 (Party building in the charter),
交叉任职 (the secretary also in management), a 党建指导员 assigned, the 示范岗/先锋岗/党员责任区 with
their members, and the status demonstration / ordinary / 软弱涣散 with a rectification list
(整改清单)."""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class Standing(models.TextChoices):
    DEMONSTRATION = "demonstration", _("Demonstration (示范)")
    ORDINARY = "ordinary", _("Ordinary")
    WEAK = "weak", _("Weak and lax (软弱涣散)")


class NewOrganisation(models.Model):
    """The Party facts of one 两新 partner unit; scoped by the unit's region."""

    unit = models.OneToOneField(
        "partners.PartnerUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="twonew"
    )
    party_organisation = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("its Party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    has_party_organisation = models.BooleanField(_("has a Party organisation"), default=False)
    party_since = models.DateField(_("Party organisation since"), null=True, blank=True)
    charter = models.BooleanField(_("Party building in the charter (党建入章)"), default=False)
    cross_appointment = models.BooleanField(_("the secretary also in management (交叉任职)"), default=False)
    instructor = models.ForeignKey(
        "people.Person",
        verbose_name=_("Party-building instructor (党建指导员)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    standing = models.CharField(
        _("status"), max_length=16, choices=Standing.choices, default=Standing.ORDINARY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("new organisation (两新组织)")
        verbose_name_plural = _("new organisations (两新组织)")
        ordering = ["unit__name"]

    def __str__(self) -> str:
        return str(self.unit)


class PostKind(models.TextChoices):
    MODEL = "model", _("Model post (党员示范岗)")
    VANGUARD = "vanguard", _("Vanguard post (党员先锋岗)")
    AREA = "area", _("Member's area of responsibility (党员责任区)")


class Post(models.Model):
    """A named 示范岗, 先锋岗 or 党员责任区 of an organisation, with its members."""

    organisation = models.ForeignKey(NewOrganisation, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(_("kind"), max_length=12, choices=PostKind.choices)
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField("people.Person", verbose_name=_("members"), blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["organisation", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="twonew_post_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class RectificationItem(models.Model):
    """One item of an organisation's rectification list (整改清单): what, who, by when, done when."""

    organisation = models.ForeignKey(NewOrganisation, on_delete=models.CASCADE, related_name="rectifications")
    text = models.CharField(_("what is to be put right"), max_length=200)
    owner = models.ForeignKey(
        "people.Person",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["organisation", "deadline", "id"]

    def __str__(self) -> str:
        return self.text

    def overdue(self, today: date) -> bool:
        return self.done_on is None and self.deadline < today
