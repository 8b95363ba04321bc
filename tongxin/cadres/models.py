"""The cadre roster (干部名册): what the seeds count about the people holding the "234" posts.

Who holds which post, and since when, is people.Position (书记, 委员, 居委会主任, 网格长, 楼栋长,
党小组长, 四员…). This app adds what the posts do not say: a cadre's education (学历, and 学历提升 in
progress), political status, 致富能手 and 大学生村干部; the 第一书记 and 驻村工作队 members sent to a
village; and the committees' terms (换届) with their elections. The 两委, 三长 and 四员 are read from
positions (see TIERS), never stored twice.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.people.models import PositionKind


class Education(models.TextChoices):
    """学历, lowest first; COLLEGE_LEVELS are 大专以上 (what seed 003 counts)."""

    JUNIOR = "junior", _("Junior secondary or below (初中及以下)")
    SENIOR = "senior", _("Senior secondary or vocational (高中/中专)")
    COLLEGE = "college", _("Junior college (大专)")
    BACHELOR = "bachelor", _("Bachelor (本科)")
    POSTGRADUATE = "postgraduate", _("Postgraduate (研究生)")


COLLEGE_LEVELS = frozenset({Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE})


class PoliticalStatus(models.TextChoices):
    """For people who are not Party members (Party membership is people.Person.party_status)."""

    MASSES = "masses", _("Masses (群众)")
    LEAGUE = "league", _("Communist Youth League member (共青团员)")
    DEMOCRATIC = "democratic", _("Democratic party member (民主党派)")


class CadreProfile(models.Model):
    """The facts the 234 composition counts about one person (sex and birth date stay on Person)."""

    person = models.OneToOneField(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="cadre_profile"
    )
    education = models.CharField(_("education (学历)"), max_length=16, choices=Education.choices)
    major = models.CharField(_("field of study"), max_length=60, blank=True)
    upgrade_level = models.CharField(
        _("studying for (学历提升)"), max_length=16, choices=Education.choices, blank=True
    )
    upgrade_school = models.CharField(_("school"), max_length=100, blank=True)
    upgrade_expected_on = models.DateField(_("expected to graduate on"), null=True, blank=True)
    political_status = models.CharField(
        _("political status if not a Party member"),
        max_length=16,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    wealth_leader = models.BooleanField(_("leads villagers to prosperity (致富能手)"), default=False)
    college_graduate_cadre = models.BooleanField(
        _("college-graduate village cadre (大学生村干部)"), default=False
    )
    veteran = models.BooleanField(_("veteran (退役军人)"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cadre profile")
        verbose_name_plural = _("cadre profiles")
        ordering = ["person_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(upgrade_level="") | ~models.Q(upgrade_school=""),
                name="cadre_upgrade_has_school",
            )
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def college_educated(self) -> bool:
        return self.education in COLLEGE_LEVELS

    @property
    def upgrading(self) -> bool:
        return bool(self.upgrade_level)


class Committee(models.TextChoices):
    """The 两委 of a community or village."""

    PARTY = "party", _("Party committee (党组织委员会)")
    RESIDENTS = "residents", _("Residents' or villagers' committee (居/村民委员会)")


class Tier(models.TextChoices):
    """The three parts of seed 003's "234" system."""

    TWO_COMMITTEES = "committees", _("两委")
    THREE_HEADS = "heads", _("三长")
    FOUR_ASSISTANTS = "assistants", _("四员")


COMMITTEE_POSITIONS: dict[str, frozenset[str]] = {
    Committee.PARTY: frozenset(
        {
            PositionKind.SECRETARY,
            PositionKind.DEPUTY_SECRETARY,
            PositionKind.COMMITTEE_MEMBER,
            PositionKind.CONCURRENT_MEMBER,
        }
    ),
    Committee.RESIDENTS: frozenset(
        {
            PositionKind.RESIDENTS_DIRECTOR,
            PositionKind.RESIDENTS_DEPUTY_DIRECTOR,
            PositionKind.RESIDENTS_MEMBER,
        }
    ),
}

TIERS: dict[str, frozenset[str]] = {
    Tier.TWO_COMMITTEES: COMMITTEE_POSITIONS[Committee.PARTY] | COMMITTEE_POSITIONS[Committee.RESIDENTS],
    # 党小组长, 网格长 (村民小组长), 楼栋长 (理事长)
    Tier.THREE_HEADS: frozenset(
        {PositionKind.GROUP_LEADER, PositionKind.GRID_LEADER, PositionKind.BUILDING_HEAD}
    ),
    Tier.FOUR_ASSISTANTS: frozenset(
        {
            PositionKind.POLICY_PROMOTER,
            PositionKind.INFORMATION_COLLECTOR,
            PositionKind.MEDIATOR,
            PositionKind.STARTUP_ADVISER,
        }
    ),
}

ROSTER_POSITIONS = TIERS[Tier.TWO_COMMITTEES] | TIERS[Tier.THREE_HEADS] | TIERS[Tier.FOUR_ASSISTANTS]


def tier_of(kind: str) -> str | None:
    for tier, kinds in TIERS.items():
        if kind in kinds:
            return tier
    return None


def committee_of(kind: str) -> str | None:
    for committee, kinds in COMMITTEE_POSITIONS.items():
        if kind in kinds:
            return committee
    return None


class StationedKind(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("First secretary (驻村第一书记)")
    TEAM_LEADER = "team_leader", _("Work team leader (驻村工作队长)")
    TEAM_MEMBER = "team_member", _("Work team member (驻村工作队员)")


class Stationed(models.Model):
    """A 第一书记 or 驻村工作队 member sent to a village by a unit, for a term."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="stationings"
    )
    kind = models.CharField(_("role"), max_length=16, choices=StationedKind.choices)
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="stationed"
    )
    region_path = models.CharField(max_length=255, editable=False, default="")
    sending_unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("sending unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stationed",
    )
    sending_unit_name = models.CharField(
        _("sending unit (if not a partner unit)"), max_length=120, blank=True
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stationed cadre")
        verbose_name_plural = _("stationed cadres")
        ordering = ["region_path", "kind", "-starts_on", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="stationed_scope")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="stationed_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(sending_unit__isnull=False) | ~models.Q(sending_unit_name=""),
                name="stationed_has_sending_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"

    @property
    def unit_name(self) -> str:
        return self.sending_unit.name if self.sending_unit_id else self.sending_unit_name  # type: ignore[union-attr]


class TermRule(models.Model):
    """How long a committee's term lasts and how early to warn, from `valid_from` on (versioned).

    No region: the national default. A row at a county or township overrides it below that node;
    the row in force at a node is the one of its nearest ancestor with the latest `valid_from`.
    """

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="term_rules",
    )
    years = models.PositiveSmallIntegerField(_("term length in years"))
    warn_days = models.PositiveSmallIntegerField(_("warn this many days before the end"))
    valid_from = models.DateField(_("valid from"))
    rules_version = models.CharField(_("rules version"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("term rule")
        verbose_name_plural = _("term rules")
        ordering = ["region_id", "-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(years__gte=1, years__lte=10), name="term_rule_years"),
        ]

    def __str__(self) -> str:
        return f"{self.years} · {self.valid_from}"


class Term(models.Model):
    """One term (届) of a community's or village's committee: planned end from the rule in force."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("community or village"),
        on_delete=models.PROTECT,
        related_name="terms",
    )
    region_path = models.CharField(max_length=255, editable=False, default="")
    committee = models.CharField(_("committee"), max_length=16, choices=Committee.choices)
    number = models.PositiveSmallIntegerField(pgettext_lazy("term", "number (届次)"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    years = models.PositiveSmallIntegerField(_("term length in years"))
    ends_on = models.DateField(_("due to end on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["region_path", "committee", "-starts_on", "-id"]
        indexes = [models.Index(fields=["region_path", "ends_on"], name="term_scope")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "committee"],
                condition=models.Q(ended_on__isnull=True),
                name="term_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_committee_display()} · {self.starts_on:%Y}"

    def get_absolute_url(self) -> str:
        return reverse("cadres:term", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class Election(models.Model):
    """An election (换届选举) of a committee: when, how many voted, the candidates and results."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("community or village"),
        on_delete=models.PROTECT,
        related_name="elections",
    )
    region_path = models.CharField(max_length=255, editable=False, default="")
    committee = models.CharField(_("committee"), max_length=16, choices=Committee.choices)
    held_on = models.DateField(_("held on"))
    term = models.ForeignKey(
        Term,
        verbose_name=_("term it replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elections",
    )
    new_term = models.OneToOneField(
        Term,
        verbose_name=_("term it opened"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opened_by",
        editable=False,
    )
    eligible_voters = models.PositiveIntegerField(_("eligible voters"), null=True, blank=True)
    ballots_cast = models.PositiveIntegerField(_("ballots cast"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["region_path", "-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ballots_cast__isnull=True)
                | models.Q(eligible_voters__isnull=True)
                | models.Q(ballots_cast__lte=models.F("eligible_voters")),
                name="election_ballots_within_voters",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_committee_display()} · {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("cadres:election", args=[self.pk])


class Candidate(models.Model):
    """A candidate of an election, the post they stood for, their votes and whether elected."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="candidates"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="candidacies"
    )
    kind = models.CharField(_("post"), max_length=32, choices=PositionKind.choices)
    votes = models.PositiveIntegerField(_("votes"), default=0)
    elected = models.BooleanField(_("elected"), default=False)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["election_id", "-elected", "-votes", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="candidate_once_per_election")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"
