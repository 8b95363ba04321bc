"""Estates (小区) and their property service: the property firm (红色物业 when Party-led), the owners'
committee (业委会; 红色业委会 by a configured rule), the 三驾马车 joint meeting (an ordinary joint
meeting linked to the estate), the yearly evaluation of a firm (its objective part computed from the
records, never typed), building heads' (楼栋长) verified duties and annual subsidy, 楼组 自治金 (small
self-governance funds) and the location of co-building projects on the map.

Rules (红色业委会, the evaluation's weights and the 金牌 threshold, the subsidy) are configuration:
versioned rows, the one in force on a day being the latest valid from that day or before.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Estate(models.Model):
    """A 小区: a named set of buildings of one community, with its property firm."""

    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="estates"
    )
    # the community's path, copied by the services: scope is one range scan
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    buildings = models.ManyToManyField(
        "regions.Region", verbose_name=_("buildings"), related_name="estates_of_building", blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    property_firm = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("property firm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="estates",
    )
    # 红色物业: the firm's Party branch leads the service here, since a day
    firm_branch = models.ForeignKey(
        "organisations.PartyOrganisation",
        verbose_name=_("the firm's Party branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="estates_served",
    )
    red_since = models.DateField(_("Party-led (红色物业) since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["region_path", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="estate_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("estates:detail", args=[self.pk])

    def is_red_property(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return bool(self.firm_branch_id and self.red_since and self.red_since <= day)


class OwnersCommittee(models.Model):
    """业委会: an estate's owners' committee for one term."""

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.CASCADE, related_name="committees"
    )
    term_starts_on = models.DateField(_("term starts on"))
    term_ends_on = models.DateField(_("term ends on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("owners' committee")
        verbose_name_plural = _("owners' committees")
        ordering = ["estate", "-term_starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_ends_on__gte=models.F("term_starts_on")),
                name="ownerscommittee_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.term_starts_on:%Y}–{self.term_ends_on:%Y}"


class CommitteeRole(models.TextChoices):
    DIRECTOR = "director", _("Director (主任)")
    DEPUTY = "deputy", _("Deputy director (副主任)")
    MEMBER = "member", pgettext_lazy("owners' committee", "Member (委员)")


class CommitteeMember(models.Model):
    """A seat on an owners' committee; whether its holder is a Party member is read from the person."""

    committee = models.ForeignKey(OwnersCommittee, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="committee_seats"
    )
    role = models.CharField(_("role"), max_length=10, choices=CommitteeRole.choices)
    # a member who leaves before the term ends; the seat stays on record
    ended_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("owners' committee member")
        verbose_name_plural = _("owners' committee members")
        ordering = ["committee", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "person"], name="committeemember_once"),
            models.UniqueConstraint(
                fields=["committee"],
                condition=models.Q(role="director", ended_on__isnull=True),
                name="committeemember_one_director",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


class JointMeeting(models.Model):
    """三驾马车: a joint meeting (meetings.Meeting, with its decisions and tasks) of the community's Party
    organisation, the owners' committee and the property firm, held about an estate."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="joint_meetings")
    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="estate_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("三驾马车 joint meeting")
        verbose_name_plural = _("三驾马车 joint meetings")
        ordering = ["estate", "-id"]

    def __str__(self) -> str:
        return f"{self.estate} · {self.meeting}"


class EstateRules(models.Model):
    """The numbers estates are judged by, versioned: 红色业委会, the evaluation's weights, 金牌红心物业."""

    version = models.CharField(_("rules version"), max_length=32, unique=True)
    valid_from = models.DateField(_("valid from"))
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A street's own rules, or the county's for all its streets; empty: the default."),
    )
    red_if_director_member = models.BooleanField(
        _("红色业委会 when its director is a Party member"), default=True
    )
    red_member_share = models.DecimalField(
        _("红色业委会 when at least this share of members are Party members"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
    )
    weight_resolution = models.PositiveSmallIntegerField(_("weight of 解决率"), default=30)
    weight_satisfaction = models.PositiveSmallIntegerField(_("weight of 满意率"), default=30)
    weight_in_time = models.PositiveSmallIntegerField(_("weight of cases not overdue"), default=15)
    weight_tasks = models.PositiveSmallIntegerField(_("weight of joint-meeting tasks done"), default=15)
    weight_duty = models.PositiveSmallIntegerField(_("weight of the annual duty (实事)"), default=10)
    subjective_share = models.DecimalField(
        _("share of the street's own score in the total"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
    )
    gold_threshold = models.DecimalField(
        _("金牌红心物业 at this total score or above"), max_digits=5, decimal_places=2, default=Decimal("90")
    )
    gold_min_cases = models.PositiveIntegerField(
        _("金牌 needs at least this many cases concluded in the year"), default=5
    )
    gold_requires_red = models.BooleanField(_("金牌 only for a Party-led (红色) property firm"), default=True)
    case_radius_m = models.PositiveSmallIntegerField(
        _("a case belongs to an estate within this many metres of one of its buildings"), default=80
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("estate rules")
        verbose_name_plural = _("estate rules")
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return self.version


class FirmEvaluation(models.Model):
    """A property firm's evaluation of a year: the street's own (subjective) score and the snapshot of
    the computed part when it was last recorded. The objective part is always recomputed on reading."""

    firm = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("property firm"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    subjective_score = models.DecimalField(
        _("the street's score (0–100)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    subjective_note = models.TextField(_("the street's remarks"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("property-firm evaluation")
        verbose_name_plural = _("property-firm evaluations")
        ordering = ["-year", "firm"]
        constraints = [models.UniqueConstraint(fields=["firm", "year"], name="firmevaluation_once")]

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"


class DutyKind(models.TextChoices):
    POLICY = "policy", _("Policy talk (政策宣讲)")
    OPINION = "opinion", _("Gathering opinions (舆情搜集)")
    MEDIATION = "mediation", _("Mediation (纠纷调解)")
    SAFETY = "safety", _("Safety check (安全巡查)")
    ERRAND = "errand", _("Errand for a resident (代办服务)")
    OTHER = "other", _("Other")


class BuildingHeadDuty(models.Model):
    """A piece of work a building head (楼栋长) did; it counts toward the subsidy once verified by the
    community (never by the head themself)."""

    position = models.ForeignKey(
        "people.Position", verbose_name=_("building head"), on_delete=models.CASCADE, related_name="duties"
    )
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind of work"), max_length=12, choices=DutyKind.choices)
    done_on = models.DateField(_("done on"))
    note = models.CharField(_("what was done"), max_length=200)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("building head's duty")
        verbose_name_plural = _("building heads' duties")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["position", "done_on"], name="bhduty_position_day")]

    def __str__(self) -> str:
        return f"{self.position_id} {self.kind} {self.done_on}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Not competent (不称职)")


class HeadAssessment(models.Model):
    """A building head's assessment grade for a year, entered by the community."""

    position = models.ForeignKey(
        "people.Position",
        verbose_name=_("building head"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)

    class Meta:
        verbose_name = _("building head's assessment")
        verbose_name_plural = _("building heads' assessments")
        constraints = [models.UniqueConstraint(fields=["position", "year"], name="headassessment_once")]

    def __str__(self) -> str:
        return f"{self.position_id} {self.year} {self.grade}"


class SubsidyRules(models.Model):
    """How a building head's annual subsidy is computed (seed 002: a base plus a share tied to verified
    work): (base × the share of the year in office + per item × verified items, at most `item_cap`)
    × the factor of the assessment grade."""

    version = models.CharField(_("rules version"), max_length=32, unique=True)
    valid_from = models.DateField(_("valid from"))
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A street's own rules, or the county's for all its streets; empty: the default."),
    )
    base_amount = models.DecimalField(_("base amount a year (yuan)"), max_digits=9, decimal_places=2)
    per_item = models.DecimalField(_("amount per verified item (yuan)"), max_digits=9, decimal_places=2)
    item_cap = models.PositiveSmallIntegerField(_("verified items counted at most"))
    factor_excellent = models.DecimalField(
        _("factor for 优秀"), max_digits=4, decimal_places=2, default=Decimal("1.20")
    )
    factor_competent = models.DecimalField(
        _("factor for 称职"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    factor_basic = models.DecimalField(
        _("factor for 基本称职"), max_digits=4, decimal_places=2, default=Decimal("0.80")
    )
    factor_incompetent = models.DecimalField(
        _("factor for 不称职"), max_digits=4, decimal_places=2, default=Decimal("0.00")
    )
    factor_unassessed = models.DecimalField(
        _("factor when not assessed"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy rules")
        verbose_name_plural = _("subsidy rules")
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return self.version

    def factor(self, grade: str) -> Decimal:
        return {
            Grade.EXCELLENT: self.factor_excellent,
            Grade.COMPETENT: self.factor_competent,
            Grade.BASIC: self.factor_basic,
            Grade.INCOMPETENT: self.factor_incompetent,
        }.get(grade, self.factor_unassessed)  # type: ignore[call-overload]


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class SubsidyRun(models.Model):
    """The building heads' subsidies of a community for a year: computed (again while a draft),
    approved once, then exported for payment."""

    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="subsidy_runs"
    )
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    rules = models.ForeignKey(SubsidyRules, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    total = models.DecimalField(_("total (yuan)"), max_digits=12, decimal_places=2, default=0)
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("subsidy run")
        verbose_name_plural = _("subsidy runs")
        ordering = ["-year", "region_path"]
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="subsidyrun_once")]

    def __str__(self) -> str:
        return f"{self.community} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("estates:run", args=[self.pk])


class SubsidyRow(models.Model):
    """One building head's subsidy in a run, with what it was computed from."""

    run = models.ForeignKey(SubsidyRun, on_delete=models.CASCADE, related_name="rows")
    position = models.ForeignKey("people.Position", on_delete=models.PROTECT, related_name="subsidy_rows")
    region_path = models.CharField(max_length=255, editable=False)
    days_in_office = models.PositiveSmallIntegerField(_("days in office"))
    verified_items = models.PositiveSmallIntegerField(_("verified items"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    base_part = models.DecimalField(_("base part (yuan)"), max_digits=9, decimal_places=2)
    work_part = models.DecimalField(_("work part (yuan)"), max_digits=9, decimal_places=2)
    factor = models.DecimalField(_("grade factor"), max_digits=4, decimal_places=2)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("subsidy row")
        verbose_name_plural = _("subsidy rows")
        ordering = ["run", "region_path", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="subsidyrow_once")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.position_id} {self.amount}"


class GroupFund(models.Model):
    """楼组 自治金: a building group's small self-governance fund. Its balance (grants − spending) is
    never negative: a spending larger than the balance is refused."""

    name = models.CharField(_("building group"), max_length=100)
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="group_funds"
    )
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    buildings = models.ManyToManyField(
        "regions.Region", verbose_name=_("buildings"), related_name="+", blank=True
    )
    keeper_name = models.CharField(_("keeper"), max_length=50, blank=True)
    balance = models.DecimalField(_("balance (yuan)"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("building-group fund (自治金)")
        verbose_name_plural = _("building-group funds (自治金)")
        ordering = ["region_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="groupfund_unique_name"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="groupfund_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("estates:fund", args=[self.pk])


class FundProject(models.Model):
    """A small project a building group pays from its fund (楼道美化, 议事角…)."""

    fund = models.ForeignKey(GroupFund, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("project"), max_length=120)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=10, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("building-group project")
        verbose_name_plural = _("building-group projects")
        ordering = ["fund", "id"]

    def __str__(self) -> str:
        return self.title


class EntryKind(models.TextChoices):
    GRANT = "grant", _("Grant (拨付)")
    SPENDING = "spending", _("Spending (支出)")


class FundEntry(models.Model):
    """One movement of a fund: a grant in, or a spending out with its receipt."""

    fund = models.ForeignKey(GroupFund, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    on = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    project = models.ForeignKey(
        FundProject,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    balance_after = models.DecimalField(_("balance after (yuan)"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("fund entry")
        verbose_name_plural = _("fund entries")
        ordering = ["fund", "on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fundentry_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.kind} {self.amount}"


class ProjectLocation(models.Model):
    """Where a co-building project (lists.Project) is, for the projects map (e.g. 加装电梯)."""

    project = models.OneToOneField("lists.Project", on_delete=models.CASCADE, related_name="location")
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    label = models.CharField(_("where"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("project location")
        verbose_name_plural = _("project locations")

    def __str__(self) -> str:
        return f"{self.project_id} ({self.lng:.5f}, {self.lat:.5f})"
