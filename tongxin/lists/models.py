"""The three lists (三个清单): needs (需求清单), resources (资源清单) and projects (项目清单).

Needs that came from unsolved cases form the problem list (问题清单); needs met by a closed
project form the results list (实效清单). Both are views of the same Need rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.db import outbox_index


class NeedCategory(models.TextChoices):
    ELDERLY = "elderly", _("Care for the elderly and the vulnerable (助老扶弱)")
    HEALTH = "health", _("Health (健康义诊)")
    ENVIRONMENT = "environment", _("Environment and sanitation (环境整治)")
    FACILITIES = "facilities", _("Roads, lights and facilities (设施维修)")
    EDUCATION = "education", _("Children and education (教育关爱)")
    EMPLOYMENT = "employment", _("Jobs and skills (就业技能)")
    LEGAL = "legal", _("Legal advice and mediation (法律调解)")
    SAFETY = "safety", _("Safety (平安建设)")
    CULTURE = "culture", _("Culture and civility (文化文明)")
    ECONOMY = "economy", _("Industry and collective economy (产业发展)")
    PARTY = "party", _("Party building and policy talks (党建宣讲)")
    OTHER = "other", _("Other")


class NeedSource(models.TextChoices):
    RESIDENT = "resident", _("Residents (群众点单)")
    GRID_VISIT = "grid_visit", _("Grid visit (网格走访)")
    MONTHLY_ROUND = "monthly_round", _("Monthly collection round (每月收集)")
    CASE = "case", _("Case not solved at community level (问题清单)")
    MEETING = "meeting", _("Joint meeting (会议研判)")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open for claiming")
    CLAIMED = "claimed", _("Claimed")
    IN_PROJECT = "in_project", _("Being delivered")
    DONE = "done", _("Met")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ResourceKind(models.TextChoices):
    MONEY = "money", _("Money (资金)")
    VENUE = "venue", _("Venue (场地)")
    PEOPLE = "people", _("People (人力)")
    SKILLS = "skills", _("Skills (技能)")
    EQUIPMENT = "equipment", _("Equipment and materials (设备物资)")
    SERVICES = "services", _("Services (服务)")


class Need(models.Model):
    """A need of residents or a community (需求清单): published, claimed (认领) by a partner unit,
    delivered as a project, met."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=16, choices=NeedCategory.choices)
    source = models.CharField(_("source"), max_length=16, choices=NeedSource.choices)
    status = models.CharField(_("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("community or grid"), on_delete=models.PROTECT, related_name="needs"
    )
    # the unsolved case this need came from: the 问题清单 and the 实效清单 are these same rows
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("from case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="need",
    )
    round_month = models.DateField(_("collection round (month)"), null=True, blank=True)
    wanted_kind = models.CharField(
        _("kind of help wanted"), max_length=12, choices=ResourceKind.choices, blank=True
    )
    beneficiaries_estimate = models.PositiveIntegerField(_("people it would help"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("published at"), db_index=True)
    claimed_by_unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("claimed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_needs",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("claimed at the meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_needs",
    )
    claim_note = models.CharField(_("claim note"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("met at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="need_status_created")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:

        return reverse("lists:need", args=[self.pk])


class Step(models.Model):
    """One step of a need or a project: what was done, from which status to which, who did it and
    why; the history, and the outbox its notifications come from (lists/outbox.py)."""

    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)  # null: still in the outbox

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class NeedTransition(Step):
    """One step of a need (published, claimed, given back, withdrawn, delivered, met, reopened): the
    need's history, written by the one function that changes a need's status (lists/services.py,
    `_need_step`) in the same transaction, with who and why."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="transitions")

    class Meta(Step.Meta):
        indexes = [outbox_index("need_transition")]

    def __str__(self) -> str:
        return f"{self.need_id} {self.action} {self.from_status}->{self.to_status}"


class Resource(models.Model):
    """What a partner unit offers (资源清单)."""

    unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("partner unit"),
        on_delete=models.CASCADE,
        related_name="resources",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    # blank: fits any category of need
    category = models.CharField(_("for needs of"), max_length=16, choices=NeedCategory.choices, blank=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    quantity_unit = models.CharField(_("unit of quantity"), max_length=12, blank=True)
    available = models.BooleanField(_("available"), default=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["unit__name", "kind", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:

        return reverse("lists:resource_edit", args=[self.pk])


class ProjectKind(models.TextChoices):
    PRACTICAL = "practical", _("Practical thing for the people (实事)")
    SECRETARY = "secretary", _("Secretary's project (书记项目)")
    COBUILDING = "cobuilding", _("Co-building project (共建项目)")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Under way")
    CLOSED = "closed", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Project(models.Model):
    """A need met by a resource (项目清单). Progress is the weighted sum of its milestones and of
    its parts (child projects), each with a weight."""

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=ProjectKind.choices)
    need = models.OneToOneField(
        Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.PROTECT, related_name="project"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
    )
    weight = models.PositiveSmallIntegerField(_("weight within the parent"), default=1)
    owner_unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("where it is delivered"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    lead_name = models.CharField(_("lead person"), max_length=50)
    secretary = models.ForeignKey(
        "people.Person",
        verbose_name=_("secretary who claimed it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="secretary_projects",
    )
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, default=0)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    progress = models.DecimalField(_("progress (%)"), max_digits=5, decimal_places=2, default=0)
    result = models.TextField(_("result"), blank=True)
    beneficiaries_count = models.PositiveIntegerField(_("people who benefited"), default=0)
    beneficiaries_note = models.CharField(_("who benefited"), max_length=200, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    closed_at = models.DateTimeField(_("delivered at"), null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="secretary") | models.Q(secretary__isnull=False),
                name="project_secretary_named",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=100),
                name="project_progress_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:

        return reverse("lists:project", args=[self.pk])


class MilestoneStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REPORTED = "reported", _("Reported done, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=120)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.OPEN
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    note = models.TextField(_("note"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="milestone_progress_range"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="milestone_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title


def evidence_path(instance: "Evidence", filename: str) -> str:
    extension = {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/webp": ".webp",
    }.get(instance.content_type, "")
    return f"lists/evidence/{instance.project_id}/{uuid.uuid4().hex}{extension}"


class Evidence(models.Model):
    """What shows a project was delivered: a note, optionally a photo or a document. Never a gate."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evidence")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    note = models.TextField(_("note"))
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.note[:40]


class ProjectTransition(Step):
    """One step of a project or of one of its milestones (started, milestone reported or accepted,
    delivered, cancelled): the project's history, written in the same transaction as the step
    (lists/services.py, `_project_step`), with who and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    milestone = models.ForeignKey(
        "lists.Milestone", null=True, blank=True, on_delete=models.CASCADE, related_name="transitions"
    )
    progress = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(Step.Meta):
        indexes = [outbox_index("project_transition")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action} {self.from_status}->{self.to_status}"
