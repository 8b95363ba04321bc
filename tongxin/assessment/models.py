"""Annual assessment (年度考核) of village and community teams (村/社区班子) and their cadres, and the
secretaries' contests (擂台比武).

A scheme (考核方案) belongs to the department that owns it (a county's organisation department) and
is versioned data: a published scheme never changes, a new version copies it. A run (考核) applies a
published scheme to the teams and cadres of the owner's area for its year; each subject's item
scores keep their evidence (the indicator's value and the link to the rows behind it)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("scheme status", "Draft")
    PUBLISHED = "published", pgettext_lazy("scheme status", "Published")


class Grading(models.TextChoices):
    CUTOFFS = "cutoffs", _("By score cut-offs")
    SHARES = "shares", _("By shares of the subjects")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    GOOD = "good", _("Good (良好)")
    FAIR = "fair", _("Fair (一般)")
    POOR = "poor", _("Poor (较差)")


class BottomAction(models.TextChoices):
    INTERVIEW = "interview", _("Talk with them (约谈)")
    ADJUST = "adjust", _("Adjust the post (调整)")


class Scheme(models.Model):
    """考核方案: items, weights, grades and the 末位 rule of one year's assessment."""

    owner = models.ForeignKey(
        "regions.Region", verbose_name=_("owning department's area"), on_delete=models.PROTECT
    )
    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", verbose_name=_("previous version"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(_("status"), max_length=12, choices=SchemeStatus.choices, default="draft")
    assess_teams = models.BooleanField(_("assess village and community teams"), default=True)
    assess_cadres = models.BooleanField(_("assess individual cadres"), default=True)
    grading = models.CharField(_("grades by"), max_length=12, choices=Grading.choices, default="cutoffs")
    # cut-offs: a total of at least this many points earns the grade
    excellent_min = models.DecimalField(_("优秀 from (points)"), max_digits=5, decimal_places=2, default=90)
    good_min = models.DecimalField(_("良好 from (points)"), max_digits=5, decimal_places=2, default=80)
    fair_min = models.DecimalField(_("一般 from (points)"), max_digits=5, decimal_places=2, default=60)
    # shares: the best this many per cent earn 优秀, the next ones 良好…; the rest 较差 if below fair_min
    excellent_share = models.PositiveSmallIntegerField(_("share 优秀 (%)"), default=20)
    good_share = models.PositiveSmallIntegerField(_("share 良好 (%)"), default=50)
    bottom_count = models.PositiveSmallIntegerField(_("末位: the lowest N"), default=0)
    bottom_below = models.DecimalField(
        _("末位: below (points)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    bottom_action = models.CharField(
        _("末位 leads to"), max_length=12, choices=BottomAction.choices, default=BottomAction.INTERVIEW
    )
    show_ranking = models.BooleanField(_("show rankings to the owning department"), default=False)
    share_with_streets = models.BooleanField(
        _("streets and townships see their villages' scores"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "name", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED


class Applies(models.TextChoices):
    TEAM = "team", _("Teams")
    CADRE = "cadre", _("Cadres")
    BOTH = "both", _("Teams and cadres")


class ItemSource(models.TextChoices):
    OBJECTIVE = "objective", _("Objective: from a figure")
    SUBJECTIVE = "subjective", _("Subjective: entered by assessors")


class Rule(models.TextChoices):
    LINEAR = "linear", _("Linear between two thresholds")
    BANDS = "bands", _("Bands")


class Item(models.Model):
    """考核项目: a weight, a maximum score and where the score comes from."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("item"), max_length=80)
    applies_to = models.CharField(_("applies to"), max_length=8, choices=Applies.choices, default="both")
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2, default=100)
    source = models.CharField(_("source"), max_length=12, choices=ItemSource.choices)
    indicator = models.CharField(_("figure"), max_length=80, blank=True)
    rule = models.CharField(_("scoring rule"), max_length=8, choices=Rule.choices, blank=True)
    # linear: the value at or below `low` scores 0, at or above `high` the maximum (reversed when
    # `low` > `high`: less is better)
    low = models.DecimalField(
        _("value scoring nothing"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    high = models.DecimalField(
        _("value scoring full"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # bands: [[threshold, share of the maximum in per cent], …]; the highest threshold reached counts
    bands = models.JSONField(_("bands"), default=list, blank=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["scheme_id", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_objective(self) -> bool:
        return self.source == ItemSource.OBJECTIVE

    def applies(self, kind: str) -> bool:
        return self.applies_to in (Applies.BOTH, kind)


class RunStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("assessment run", "In progress")
    FINAL = "final", pgettext_lazy("assessment run", "Finalised")


class Run(models.Model):
    """One year's assessment (年度考核) by a published scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default="open")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(_("figures read at"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["scheme"], name="assessment_one_run_per_scheme")]

    def __str__(self) -> str:
        return f"{self.scheme.year} {self.scheme.name}"

    @property
    def is_final(self) -> bool:
        return self.status == RunStatus.FINAL


class SubjectKind(models.TextChoices):
    TEAM = "team", _("Team (班子)")
    CADRE = "cadre", _("Cadre (干部)")


class Result(models.Model):
    """One subject of a run: a village or community team, or one of its cadres."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(_("subject"), max_length=8, choices=SubjectKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("village or community"), on_delete=models.PROTECT
    )
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT)
    post = models.CharField(_("post"), max_length=200, blank=True)
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    bottom = models.BooleanField(_("末位"), default=False)
    report = models.FileField(_("述职 report"), upload_to="assessment/reports/%Y/", blank=True)
    report_type = models.CharField(max_length=60, blank=True, editable=False)
    report_name = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["run_id", "kind", "region_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "region", "person"], name="assessment_subject_once"
            ),
        ]
        indexes = [models.Index(fields=["run", "region_path"], name="assessment_result_path")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == SubjectKind.CADRE and self.person is not None:
            return f"{self.region.name} · {self.person.name}"
        return self.region.name


class Score(models.Model):
    """One item's score of a subject; an objective one keeps its evidence (value and source)."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("figure"), max_digits=14, decimal_places=4, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    source_url = models.CharField(_("evidence"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        constraints = [models.UniqueConstraint(fields=["result", "item"], name="assessment_score_once")]

    def __str__(self) -> str:
        return f"{self.result_id}:{self.item_id}"


class ConsequenceKind(models.TextChoices):
    PAY = "pay", _("Pay (报酬)")
    PROMOTION = "promotion", _("Promotion (晋升)")
    INTERVIEW = "interview", _("Talk (约谈)")
    ADJUST = "adjust", _("Post adjusted (调整)")


class GradeLink(models.Model):
    """一述二考三挂钩: what a grade means for a cadre, configured on the scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="links")
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    kind = models.CharField(_("consequence"), max_length=12, choices=ConsequenceKind.choices)
    note = models.CharField(_("what it means"), max_length=120)

    class Meta:
        verbose_name = _("grade consequence")
        verbose_name_plural = _("grade consequences")
        ordering = ["scheme_id", "grade", "kind"]

    def __str__(self) -> str:
        return f"{self.grade} → {self.kind}"


class Consequence(models.Model):
    """A recorded fact on a cadre: what their grade (or 末位) led to."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="consequences")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="assessment_consequences"
    )
    kind = models.CharField(_("consequence"), max_length=12, choices=ConsequenceKind.choices)
    note = models.CharField(_("what it means"), max_length=120)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment consequence")
        verbose_name_plural = _("assessment consequences")
        ordering = ["person_id", "-recorded_at"]

    def __str__(self) -> str:
        return self.note


class Contest(models.Model):
    """擂台比武: secretaries show their year's work to judges, who score each of them."""

    owner = models.ForeignKey("regions.Region", verbose_name=_("organised by"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("held on"))
    topics = models.TextField(_("topics"), blank=True)
    drop_extremes = models.BooleanField(_("drop the highest and the lowest score"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Judge(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="judges")
    name = models.CharField(_("judge"), max_length=50)

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ["contest_id", "id"]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A secretary in a contest, with the result once scored."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contest_entries")
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("village or community"), on_delete=models.PROTECT
    )
    region_path = models.CharField(max_length=255, db_index=True, editable=False)
    result = models.DecimalField(_("result"), max_digits=6, decimal_places=2, null=True, blank=True)
    place = models.PositiveSmallIntegerField(_("place"), null=True, blank=True)

    class Meta:
        verbose_name = _("contest participant")
        verbose_name_plural = _("contest participants")
        ordering = ["contest_id", "place", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "person"], name="contest_person_once")]

    def __str__(self) -> str:
        return str(self.person_id)


class JudgeScore(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "judge"], name="contest_score_once")]

    def __str__(self) -> str:
        return str(self.score)


ZERO = Decimal(0)
