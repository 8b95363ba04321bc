"""Cases (诉求): 群众点单 → 社区派单 → 党员接单, deadlines, 督办, 吹哨报到, rating, 回访, 归档."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.db import outbox_index
from tongxin.lib import crypto, masking


class CaseCategory(models.Model):
    """A two-level category tree with codes; each carries its time limits in working hours."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    response_hours = models.DecimalField(_("response limit (working hours)"), max_digits=6, decimal_places=2)
    handling_hours = models.DecimalField(_("handling limit (working hours)"), max_digits=6, decimal_places=2)
    closure_hours = models.DecimalField(_("closure limit (working hours)"), max_digits=6, decimal_places=2)
    warn_share = models.DecimalField(
        _("warn when this share of the time is used"), max_digits=3, decimal_places=2, default=0.8
    )
    auto_whistle = models.BooleanField(_("whistle automatically when overdue"), default=False)
    active = models.BooleanField(_("active"), default=True)
    rules_version = models.CharField(_("rules version"), max_length=32, default="tongxin-2026.1")

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name  # type: ignore[union-attr]


class CalendarDay(models.Model):
    """A date that breaks the weekly pattern: a public holiday or a make-up working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class Responder(models.Model):
    """Someone a case can be dispatched or whistled to: a team, a partner unit or a department."""

    class Kind(models.TextChoices):
        TEAM = "team", _("Team")
        UNIT = "unit", _("Partner unit")
        DEPARTMENT = "department", _("Department")
        POLICE = "police", _("Police station")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region served"), on_delete=models.PROTECT, related_name="responders"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="responders"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("responder")
        verbose_name_plural = _("responders")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted, awaiting dispatch")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged into another case")
    POOLED = "pooled", _("In the grid's order pool")
    DISPATCHED = "dispatched", _("Dispatched, awaiting response")
    IN_PROGRESS = "in_progress", _("Being handled")
    WHISTLED = "whistled", _("Whistled, awaiting report")
    RESOLVED = "resolved", _("Handled, awaiting verification")
    VERIFIED = "verified", _("Verified, awaiting follow-up")
    CLOSED = "closed", _("Closed and solved")
    CLOSED_UNSOLVED = "closed_unsolved", _("Closed but not fixed")
    ARCHIVED = "archived", _("Archived")


OPEN_STATUSES = frozenset(
    {
        CaseStatus.REPORTED,
        CaseStatus.ACCEPTED,
        CaseStatus.POOLED,
        CaseStatus.DISPATCHED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.WHISTLED,
        CaseStatus.RESOLVED,
        CaseStatus.VERIFIED,
    }
)

# the statuses whose handling deadline runs: the deadline sweep warns and supervises these
CLOCKED_STATUSES = [CaseStatus.POOLED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.WHISTLED]


# 办结 (concluded): closed solved or unsolved, with or without 回访, and still so once archived.
# closed_at is set by follow_up and close_unsolved (and cleared by reopening), but also by reject
# and merge: a merged case names the case it joined, and a rejected one was never dispatched (or
# names its original), so these conditions leave exactly the cases closed as handled.
CONCLUDED = Q(closed_at__isnull=False, duplicate_of__isnull=True) & ~Q(
    status__in=[CaseStatus.REJECTED, CaseStatus.MERGED]
)


class CaseKind(models.TextChoices):
    ENQUIRY = "enquiry", _("Enquiry (咨询)")
    HELP = "help", _("Request for help (求助)")
    COMPLAINT = "complaint", _("Complaint (投诉)")
    REPORT = "report", _("Report (举报)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    PATROL = "patrol", _("Found on patrol (巡查发现)")


class CaseSource(models.TextChoices):
    RESIDENT = "resident", _("Resident (web)")
    PATROL = "patrol", _("Grid worker patrol")
    HOTLINE = "hotline", _("Hotline 12345")
    CAMERA = "camera", _("Camera alert (天眼)")
    API = "api", _("API")


class RejectReason(models.TextChoices):
    """Why a case is not accepted (不予受理): the staff's choice, and what the resident is told."""

    NOT_OUR_MATTER = "not_our_matter", _("Not a matter for the community")
    DUPLICATE = "duplicate", _("A duplicate of another case")
    INVALID = "invalid", _("Not a valid report")

    @property
    def told(self) -> str:
        """What the resident's tracking page says."""
        return str(_REJECT_TOLD[self])


_REJECT_TOLD = {
    RejectReason.NOT_OUR_MATTER: _("It is not a matter for the community."),
    RejectReason.DUPLICATE: _("The same problem had already been reported."),
    RejectReason.INVALID: _("The report could not be acted on."),
}


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASICALLY = "basically", _("Basically satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")


class Case(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    rating_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    # the token of the resident's link, encrypted like the phone: “find my report” (查询我的诉求)
    # sends the resident back to the same link; empty for cases reported before it was kept
    tracking_token_encrypted = models.TextField(blank=True, default="", editable=False)
    source = models.CharField(_("source"), max_length=10, choices=CaseSource.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    category = models.ForeignKey(CaseCategory, verbose_name=_("category"), on_delete=models.PROTECT)
    hotline_ticket = models.CharField(_("12345 ticket number"), max_length=40, blank=True, db_index=True)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="cases"
    )
    # path of the grid (or community): scope filters are one range scan on this column
    region_path = models.CharField(max_length=255, db_index=True)
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone_encrypted = models.TextField(blank=True, default="", editable=False)
    reporter_phone_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_reported",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    # who holds it now: a user (person, member who took it, whistled officer) or a responder
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_assigned",
    )
    assignee_responder = models.ForeignKey(
        Responder, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # who checks the result on site (核查) when the community named someone: besides the grid's verifiers
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_to_verify",
    )
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateTimeField(null=True, blank=True)
    handling_due = models.DateTimeField(null=True, blank=True, db_index=True)
    closure_due = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)  # read through case_warn_queue
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    supervised = models.BooleanField(_("under supervision (督办)"), default=False, db_index=True)
    result = models.TextField(_("result"), blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    solved_confirmed = models.BooleanField(_("resident confirms solved"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            # lists and counts of a scope read this index alone: the scope's range, and every
            # column the usual filters and the order need (BENCHMARKS.md, cases at city scale)
            models.Index(
                fields=["region_path", "reported_at", "status", "supervised", "handling_due", "category"],
                name="case_scope_list",
            ),
            models.Index(fields=["status", "handling_due"], name="case_status_due"),
            # the backlog of an area (open cases now): one range per open status, index only
            models.Index(fields=["status", "region_path"], name="case_status_scope"),
            models.Index(fields=["category", "status", "reported_at"], name="case_dup_lookup"),
            # the deadline sweep's two queues (cases.escalation): only the open cases still waiting
            # for their warning or their 督办, so a sweep reads the due ones, not the whole backlog.
            # Covering (INCLUDE, PostgreSQL): the planner judges `warn_at <= now` by the whole
            # table's history (most of it is past) and preferred a plain index read with a filter
            # (643,786 rows for 50 at 500,000 open); index-only, the sweep's batch reads 50 entries
            models.Index(
                fields=["warn_at", "id"],
                include=["handling_due", "version"],
                condition=Q(status__in=CLOCKED_STATUSES, warned_at__isnull=True, overdue_at__isnull=True),
                name="case_warn_queue",
            ),
            models.Index(
                fields=["handling_due", "id"],
                include=["version", "category"],
                condition=Q(status__in=CLOCKED_STATUSES, overdue_at__isnull=True),
                name="case_overdue_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    def get_absolute_url(self) -> str:

        return reverse("cases:detail", args=[self.pk])

    @property
    def community_path(self) -> str:
        """The community's path: the prefix of the case's region path that ends at its id."""
        marker = f"/{self.community_id}/"
        return self.region_path[: self.region_path.index(marker) + len(marker)]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_concluded(self) -> bool:
        """办结, the denominator of 解决率: see CONCLUDED."""
        return (
            self.closed_at is not None
            and self.duplicate_of_id is None
            and self.status not in {CaseStatus.REJECTED, CaseStatus.MERGED}
        )

    def set_reporter_phone(self, phone: str) -> None:
        phone = (phone or "").strip()
        key = settings.FIELD_ENCRYPTION_KEY
        self.reporter_phone_encrypted = crypto.encrypt(phone, key=key)
        self.reporter_phone_hash = crypto.lookup_hash(phone, key=key, purpose="phone")

    def set_tracking_token(self, token: str) -> None:
        self.tracking_token_encrypted = crypto.encrypt(token, key=settings.FIELD_ENCRYPTION_KEY)

    def reveal_tracking_token(self) -> str:
        if not self.tracking_token_encrypted:
            return ""
        return crypto.decrypt(self.tracking_token_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    def reveal_reporter_phone(self) -> str:
        return crypto.decrypt(self.reporter_phone_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def reporter_phone_masked(self) -> str:
        return masking.mask_phone(self.reveal_reporter_phone()) if self.reporter_phone_encrypted else ""


class CaseTransition(models.Model):
    """One row per change of a case: the timeline, and the outbox the notifier works from."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    reason = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)  # null: still in the outbox

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # the figures ask "which cases were reopened (or …) in a period": one range on this index
            models.Index(fields=["action", "at", "case"], name="case_transition_action_at"),
            outbox_index("case_transition"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}->{self.to_status}"


class CaseArchive(models.Model):
    """The archived history (归档历史) of a case closed long ago: its transitions, moved here in one
    row by `cases.archive.cases_archive`. A case's history is either here or in CaseTransition,
    never split (a case reopened after archiving starts new transition rows after these)."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="archived_history"
    )
    # one `history_record` per transition, oldest first: what the timeline, the API and exports show
    history = models.JSONField(_("timeline"), default=list)
    transition_count = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("archived case history")
        verbose_name_plural = _("archived case histories")

    def __str__(self) -> str:
        return f"{self.case_id} ({self.transition_count})"


class CaseArchiveEvent(models.Model):
    """An archived transition a figure counts by period (a reopening): the figure reads these beside
    CaseTransition, so archiving a case changes no figure."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=24)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["action", "at", "case"], name="case_archive_event_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d}"


class CaseArchiveRun(models.Model):
    """One run of archiving (the monthly job or `tongxin archive_cases`): for the operations page."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    before = models.DateField()
    cases = models.PositiveIntegerField(default=0)
    transitions = models.PositiveIntegerField(default=0)
    actor_label = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d} <{self.before} {self.cases}"


class Whistle(models.Model):
    """吹哨: a level that cannot solve a case calls the next; the called party must report (报到)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="whistles")
    whistle_type = models.ForeignKey("cases.WhistleType", on_delete=models.PROTECT)
    step = models.PositiveSmallIntegerField(default=1)
    to_responder = models.ForeignKey(
        Responder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    whistled_at = models.DateTimeField(db_index=True)
    report_due = models.DateTimeField()
    reported_at = models.DateTimeField(null=True, blank=True, db_index=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the case's community path: an area's whistles of a period are one range scan (figures)
    community_path = models.CharField(max_length=255, default="", editable=False)

    class Meta:
        ordering = ["whistled_at", "id"]
        indexes = [
            models.Index(fields=["community_path", "whistled_at", "case"], name="whistle_scope_at"),
            models.Index(fields=["community_path", "reported_at", "case"], name="whistle_scope_reported"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.whistle_type} #{self.step}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.community_path:
            self.community_path = self.case.community_path
        super().save(*args, **kwargs)


class WhistleType(models.Model):
    """A kind of whistle and its route (五哨五到): configuration, not code."""

    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("who reports"), max_length=120, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class WhistleRouteStep(models.Model):
    """Step N of a whistle type's route: whom it goes to and how long they have to report."""

    class Target(models.TextChoices):
        COMMUNITY = "community", _("The case's community")
        STREET = "street", _("The case's street")
        COUNTY = "county", _("The case's county")
        RESPONDER_KIND = "responder_kind", _("A responder of a kind")

    whistle_type = models.ForeignKey(WhistleType, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField()
    target = models.CharField(max_length=16, choices=Target.choices)
    responder_kind = models.CharField(max_length=12, choices=Responder.Kind.choices, blank=True)
    report_hours = models.DecimalField(_("report within (working hours)"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["whistle_type", "step"]
        constraints = [models.UniqueConstraint(fields=["whistle_type", "step"], name="whistle_step_unique")]

    def __str__(self) -> str:
        return f"{self.whistle_type} {self.step}"


class Supervision(models.Model):
    """督办: a supervisor's note on a case that its handler must answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the case's community path: an area's supervisions of a period are one range scan (figures)
    community_path = models.CharField(max_length=255, default="", editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["community_path", "created_at", "case"], name="supervision_scope_at")]

    def __str__(self) -> str:
        return f"{self.case} 督办 {self.created_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.community_path:
            self.community_path = self.case.community_path
        super().save(*args, **kwargs)


def case_photo_path(instance: "CasePhoto", filename: str) -> str:
    import uuid

    extension = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(
        instance.content_type, ""
    )
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}{extension}"


class CasePhoto(models.Model):
    """Optional evidence: a photo sent with a report or with the result. Never a gate.

    Stored under MEDIA_ROOT and served only through a scoped view, never as a public file.
    """

    class Stage(models.TextChoices):
        REPORT = "report", _("With the report")
        RESULT = "result", _("With the result")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.REPORT)
    file = models.FileField(_("photo"), upload_to=case_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_stage_display()} {self.pk}"


class IdempotencyKey(models.Model):
    """A POST's `Idempotency-Key` and the response it got: a retry gets the same answer (24 h)."""

    # "user:<id>" or "anonymous": the same key from two accounts is two keys
    owner = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    # SHA-256 of method, path and body: the same key with another request is refused
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class CaseDailyCount(models.Model):
    """The three rates' counts of the cases a community dispatched on one (local) day.

    Kept by case_intake and case_transition in the same transaction as the change, so a street's
    or a county's rates over a year are a sum of a few thousand rows instead of a scan of every
    case. `rates_daily_counts_rebuild()` recomputes them from the cases.
    """

    community = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    # the community's path: a subtree is one range scan, as for cases
    community_path = models.CharField(max_length=255)
    day = models.DateField()
    dispatched = models.PositiveIntegerField(default=0)
    responded_in_time = models.PositiveIntegerField(default=0)
    concluded = models.PositiveIntegerField(default=0)  # 办结: see CONCLUDED
    solved = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "day"], name="case_daily_count_once")]
        indexes = [models.Index(fields=["community_path", "day"], name="case_daily_scope_day")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day}"


class RateRuleSet(models.Model):
    """A version of the rules of the three rates (三率): the weight at which 基本满意 counts in
    满意率. The version in force on a period's last day applies to the whole period. Versions are
    only added (config_services.rate_rules_add), never changed or deleted: the table is its own
    audit trail, and any figure can be recomputed as it was published."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    valid_from = models.DateField(_("valid from"))
    basically_weight = models.DecimalField(
        _("weight of “basically satisfied” (基本满意)"), max_digits=4, decimal_places=3
    )
    # the audit: what was in force on valid_from before this version, why, who and when
    previous_weight = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    note = models.CharField(_("source or reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("rules of the three rates")
        verbose_name_plural = _("rules of the three rates")
        ordering = ["-valid_from", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(basically_weight__gte=0, basically_weight__lte=1), name="rate_rules_weight_0_1"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.valid_from}): {self.basically_weight}"


class CaseFlowCount(models.Model):
    """Cases received, closed (and of them unsolved) and run out of time, per community, local day
    and channel: what the figures of a street's or a county's year add up.

    Kept by case_intake and case_transition in the same transaction as the change (flow_counts.py),
    like CaseDailyCount; `flow_counts.rebuild()` recomputes it from the cases."""

    community = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    community_path = models.CharField(max_length=255)
    day = models.DateField()
    source = models.CharField(max_length=10)
    received = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_unsolved = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "day", "source"], name="case_flow_count_once")
        ]
        indexes = [models.Index(fields=["community_path", "day"], name="case_flow_scope_day")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day} {self.source}"


class CaseCategoryCount(models.Model):
    """Cases received per community, local day and first-level category (flow_counts.py)."""

    community = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    community_path = models.CharField(max_length=255)
    day = models.DateField()
    # the id of the parent of the case's category, 0 for a top-level one
    category_group = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "day", "category_group"], name="case_category_count_once"
            )
        ]
        indexes = [models.Index(fields=["community_path", "day"], name="case_category_scope_day")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day} {self.category_group}"


class CaseCloseTime(models.Model):
    """How many cases a community closed on a local day, by time to close in tenths of a day: the
    median time to close of any area and period, without reading the cases (flow_counts.py)."""

    community = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    community_path = models.CharField(max_length=255)
    day = models.DateField()
    tenths = models.PositiveIntegerField()
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "day", "tenths"], name="case_close_time_once")
        ]
        indexes = [models.Index(fields=["community_path", "day"], name="case_close_scope_day")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day} {self.tenths}"


# ---- the same counts by month, for the community and every node above it --------------------------
# A year of a county is twelve rows per key instead of every community's every day (flow_counts.py
# reads whole months here and the days at the edges of a period from the day tables above).


class CaseFlowMonth(models.Model):
    """CaseFlowCount summed per region node (a community or any node above it) and month."""

    node = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    source = models.CharField(max_length=10)
    received = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_unsolved = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "month", "source"], name="case_flow_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.month:%Y-%m} {self.source}"


class CaseCategoryMonth(models.Model):
    """CaseCategoryCount summed per region node and month."""

    node = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    category_group = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "month", "category_group"], name="case_category_month_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.month:%Y-%m} {self.category_group}"


class CaseCloseMonth(models.Model):
    """CaseCloseTime summed per region node and month."""

    node = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    tenths = models.PositiveIntegerField()
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "month", "tenths"], name="case_close_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.month:%Y-%m} {self.tenths}"
