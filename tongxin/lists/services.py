"""Writes to the three lists: needs (published, claimed, met), resources, projects and milestones.

Who may do what:
  the community (partners.manage over the region)  publishes needs, accepts milestones, closes
                                                    projects, and may record a claim for a unit
  a unit's liaison (PartnerUnit.liaisons)           claims needs in the areas the unit is paired
                                                    with, keeps the unit's resources, runs its
                                                    projects and reports their milestones
`actor=SYSTEM` is the system itself (demo data, imports).
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_edit, known_fields
from tongxin.cases.models import Case
from tongxin.core.actors import SYSTEM, Actor, user_or_none
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.core.workflow import IllegalTransition, Rule, record_step
from tongxin.lists.models import (
    Evidence,
    Milestone,
    MilestoneStatus,
    Need,
    NeedCategory,
    NeedSource,
    NeedStatus,
    NeedTransition,
    Project,
    ProjectKind,
    ProjectStatus,
    ProjectTransition,
    Resource,
    ResourceKind,
)
from tongxin.lists.workflow import MILESTONE_RULES, NEW, PROJECT_RULES, NeedAction, ProjectAction
from tongxin.lists.workflow import RULES as NEED_RULES
from tongxin.partners.files import document_check
from tongxin.partners.models import AllianceMember, Pairing, PartnerUnit
from tongxin.partners.selectors import pairings_in_force, reach_for
from tongxin.partners.services import require_manage
from tongxin.people.models import PositionKind
from tongxin.regions.models import Level, Region

NEED_LEVELS = {Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING}
# cases a community could not solve: they go on the problem list (问题清单)
CASE_STATUSES_FOR_NEEDS = ("closed_unsolved", "whistled")
HUNDRED = Decimal(100)


class AlreadyClaimed(Exception):
    """The need was claimed by someone else first (the conditional update lost)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _speaks_or_manages(actor: Actor, unit: PartnerUnit | None, region: Region) -> None:
    """The unit's liaison, or an official keeping co-building for the region (or the system)."""
    if actor == SYSTEM:
        return
    reach = reach_for(actor)
    if reach.manages(region) or reach.speaks_for(unit):
        return
    raise PermissionDenied(_("Only the unit's liaison or the community may do this."))


def _as_decimal(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---- needs ----------------------------------------------------------------------------------------
# A row is locked alone (select_for_update() with no joined rows: PostgreSQL would return a joined row
# as it was before the wait) and its relations are read after the lock.


# a need as it was before any claim (the claim and its note stay in the history)
UNCLAIMED: dict[str, Any] = {
    "claimed_by_unit": None,
    "claimed_by": None,
    "claimed_at": None,
    "claimed_meeting": None,
    "claim_note": "",
}


def _need_step(
    locked: Need,
    action: NeedAction,
    *,
    actor: Actor,
    now: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    **changes: Any,
) -> Need:
    """The one way a need's status changes: the caller has locked the row and checked who acts; the
    rule says where the need may go from here; the row is updated on the status it was read with (a
    checked count); one NeedTransition records the step with who and why, and is the outbox row its
    notifications come from (lists/outbox.py)."""
    rule = NEED_RULES[action]
    from_status = locked.status
    if not rule.leaves(from_status):
        raise IllegalTransition(
            _("The need is “%(status)s”: this step is not possible now.")
            % {"status": locked.get_status_display()}
        )
    rule.check(locked, reason=reason, params={})
    target = rule.target
    assert target is not None
    if from_status != NEW:
        moved = Need.objects.filter(pk=locked.pk, status=from_status).update(
            status=target, updated_at=now, **changes
        )
        if moved != 1:
            raise ValidationError(_("Someone changed this need a moment ago. Reload and try again."))
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.status = target
    record_step(
        NeedTransition,
        need=locked,
        action=action,
        from_status=from_status,
        to_status=target,
        actor=actor,
        reason=reason,
        data=data,
        at=now,
    )
    return locked


def _project_step(
    project: Project,
    action: ProjectAction,
    *,
    actor: Actor,
    now: datetime,
    from_status: str,
    to_status: str,
    reason: str = "",
    milestone: Milestone | None = None,
    progress: int | None = None,
) -> None:
    """Record one step of a project or of its milestone (the caller holds the lock and has changed
    the row): the rule must allow leaving `from_status`; one ProjectTransition says who and why."""
    rule: Rule[Any] = (MILESTONE_RULES if milestone is not None else PROJECT_RULES)[action]
    if not rule.leaves(from_status):
        raise IllegalTransition(_("This step is not possible now."))
    rule.check(milestone if milestone is not None else project, reason=reason, params={})
    record_step(
        ProjectTransition,
        project=project,
        milestone=milestone,
        action=action,
        from_status=from_status,
        to_status=to_status,
        progress=progress,
        actor=actor,
        reason=reason,
        at=now,
    )


def _milestone_step(
    milestone: Milestone,
    action: ProjectAction,
    *,
    actor: Actor,
    now: datetime,
    from_status: str,
    reason: str = "",
) -> Milestone:
    """A milestone's step (the caller holds its lock and has changed it): recorded with the progress
    it now shows, and the project's progress brought up to date."""
    _project_step(
        milestone.project,
        action,
        actor=actor,
        now=now,
        from_status=from_status,
        to_status=milestone.status,
        reason=reason,
        milestone=milestone,
        progress=milestone.progress,
    )
    project_progress_refresh(milestone.project)
    return milestone


def need_validate(
    *, title: str, description: str, category: str, source: str, region: Region | None, wanted_kind: str = ""
) -> None:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("A title is required."))
    if len((description or "").strip()) < 5:
        errors.setdefault("description", []).append(
            _("Describe the need in a few words (at least 5 characters).")
        )
    if category not in NeedCategory.values:
        errors.setdefault("category", []).append(_("Unknown category."))
    if source not in NeedSource.values:
        errors.setdefault("source", []).append(_("Unknown source."))
    if wanted_kind and wanted_kind not in ResourceKind.values:
        errors.setdefault("wanted_kind", []).append(_("Unknown kind of help."))
    if region is None or region.level not in NEED_LEVELS:
        errors.setdefault("region", []).append(_("Choose the community, grid or street with the need."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def need_create(
    *,
    title: str,
    description: str,
    category: str,
    source: str,
    region: Region,
    actor: Actor,
    round_month: date | None = None,
    wanted_kind: str = "",
    beneficiaries_estimate: int = 0,
    case: Any = None,
    now: datetime | None = None,
) -> Need:
    """Publish a need on the needs list; from then on paired units see it and may claim it."""
    require_manage(actor, region)
    need_validate(
        title=title,
        description=description,
        category=category,
        source=source,
        region=region,
        wanted_kind=wanted_kind,
    )
    now = now or timezone.now()
    if source == NeedSource.MONTHLY_ROUND and round_month is None:
        round_month = timezone.localdate(now).replace(day=1)
    try:
        with transaction.atomic():
            need = Need.objects.create(
                title=title.strip(),
                description=description.strip(),
                category=category,
                source=source,
                region=region,
                case=case,
                round_month=round_month.replace(day=1) if round_month else None,
                wanted_kind=wanted_kind,
                beneficiaries_estimate=max(0, int(beneficiaries_estimate or 0)),
                created_by=user_or_none(actor),
                created_at=now,
            )
            need.status = NEW  # not yet published: the step records it
            return _need_step(need, NeedAction.PUBLISH, actor=actor, now=now)
    except IntegrityError:  # the same case turned into a need twice at the same moment
        raise ValidationError({"case": [_("This case is on the needs list already.")]})


NEED_FIELDS = {
    "title",
    "description",
    "category",
    "region",
    "wanted_kind",
    "beneficiaries_estimate",
    "round_month",
}


def need_update(*, need: Need, actor: Actor, **changes: Any) -> Need:
    """Correct a need while it is still open."""
    known_fields(changes, NEED_FIELDS)
    editing = audited_edit(
        Need, need.pk, actor=actor, fields=sorted(NEED_FIELDS), region=lambda n: n.region, related=("region",)
    )
    with editing as edit:
        locked = edit.row
        require_manage(actor, locked.region)
        if "region" in changes:
            require_manage(actor, changes["region"])
        if locked.status != NeedStatus.OPEN:
            raise ValidationError(
                _("Only an open need can be changed; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        edit.set(changes)
        need_validate(
            title=locked.title,
            description=locked.description,
            category=locked.category,
            source=locked.source,
            region=locked.region,
            wanted_kind=locked.wanted_kind,
        )
    return edit.row


@transaction.atomic
def need_withdraw(*, need: Need, actor: Actor, reason: str) -> Need:
    locked = Need.objects.select_for_update().get(pk=need.pk)
    require_manage(actor, locked.region)
    if locked.status not in (NeedStatus.OPEN, NeedStatus.CLAIMED):
        raise ValidationError(_("A need that is being delivered or met cannot be withdrawn."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the need is withdrawn.")]})
    return _need_step(
        locked,
        NeedAction.WITHDRAW,
        actor=actor,
        now=timezone.now(),
        reason=reason,
        withdrawn_reason=reason.strip()[:200],
    )


def need_from_case(
    *,
    case: Any,
    actor: Actor,
    category: str = NeedCategory.OTHER,
    title: str = "",
    now: datetime | None = None,
) -> Need:
    """Put a case the community could not solve on the needs list (问题清单), keeping the link.

    When the need is met, the same row is on the results list (实效清单).
    """

    locked = Case.objects.select_related("category", "community", "grid").get(pk=case.pk)
    if actor != SYSTEM and not scope_for(actor, Capability.CASES_VIEW).contains(locked.region_path):
        raise PermissionDenied(_("You may not see this case."))
    if locked.status not in CASE_STATUSES_FOR_NEEDS:
        raise ValidationError(
            _(
                "Only a case closed unsolved or whistled upward goes on the needs list; "
                "this one is “%(status)s”."
            )
            % {"status": locked.get_status_display()}
        )
    if Need.objects.filter(case=locked).exists():
        raise ValidationError({"case": [_("This case is on the needs list already.")]})
    region = locked.grid or locked.community
    text = locked.description.strip()
    return need_create(
        title=(title or f"{locked.category.name}：{text[:40]}").strip()[:120],
        description=_("%(text)s (case %(code)s)") % {"text": text, "code": locked.tracking_code},
        category=category,
        source=NeedSource.CASE,
        region=region,
        actor=actor,
        beneficiaries_estimate=1,
        case=locked,
        now=now,
    )


def need_claim(
    *,
    need: Need,
    unit: PartnerUnit,
    actor: Actor,
    meeting: Any = None,
    note: str = "",
    now: datetime | None = None,
) -> Need:
    """认领: the unit takes the need on. The first claim wins; a second one is refused (AlreadyClaimed).

    A liaison claims for their own unit, in the areas it is paired with; the community may record
    a claim made at a joint meeting for any active unit.
    """
    now = now or timezone.now()
    region = need.region
    if actor != SYSTEM:
        reach = reach_for(actor)
        if not reach.manages(region) and not (reach.speaks_for(unit) and _paired_with(unit, region, now)):
            raise PermissionDenied(_("Your unit is not paired with the area of this need."))
    if not unit.active:
        raise ValidationError({"unit": [_("This unit no longer takes part in co-building.")]})
    with transaction.atomic():
        # of two claims at once, the second waits for the lock and finds the need claimed
        current = Need.objects.select_for_update().get(pk=need.pk)
        if current.status != NeedStatus.OPEN:
            if current.claimed_by_unit_id is not None:
                raise AlreadyClaimed(
                    _("This need was already claimed by %(unit)s on %(day)s.")
                    % {
                        "unit": current.claimed_by_unit.name,  # type: ignore[union-attr]
                        "day": timezone.localdate(current.claimed_at).isoformat()
                        if current.claimed_at
                        else "",
                    }
                )
            raise ValidationError(
                _("This need cannot be claimed: it is “%(status)s”.")
                % {"status": current.get_status_display()}
            )
        _need_step(
            current,
            NeedAction.CLAIM,
            actor=actor,
            now=now,
            reason=note,
            data={"unit": unit.pk},
            claimed_by_unit=unit,
            claimed_by=user_or_none(actor),
            claimed_at=now,
            claimed_meeting=meeting,
            claim_note=(note or "").strip()[:200],
        )
    return current


def _paired_with(unit: PartnerUnit, region: Region, now: datetime) -> bool:

    paths = list(
        Pairing.objects.filter(pairings_in_force(timezone.localdate(now)), unit=unit).values_list(
            "region__path", flat=True
        )
    ) + list(
        AllianceMember.objects.filter(unit=unit, left_on__isnull=True, alliance__active=True).values_list(
            "alliance__region__path", flat=True
        )
    )
    return any(region.path.startswith(p) for p in paths)


@transaction.atomic
def need_release(*, need: Need, actor: Actor, reason: str = "") -> Need:
    """Give a claimed need back (before a project starts): it is open for claiming again."""
    locked = Need.objects.select_for_update().get(pk=need.pk)
    _speaks_or_manages(actor, locked.claimed_by_unit, locked.region)
    if locked.status != NeedStatus.CLAIMED:
        raise ValidationError(_("Only a claimed need without a project can be given back."))
    return _need_step(
        locked,
        NeedAction.RELEASE,
        actor=actor,
        now=timezone.now(),
        reason=reason,
        **UNCLAIMED,
    )


# ---- resources ------------------------------------------------------------------------------------


def resource_validate(
    *,
    kind: str,
    title: str,
    category: str,
    quantity: Any,
    available_from: date | None,
    available_until: date | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in ResourceKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of resource."))
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("A title is required."))
    if category and category not in NeedCategory.values:
        errors.setdefault("category", []).append(_("Unknown category."))
    if quantity is not None and Decimal(quantity) < 0:
        errors.setdefault("quantity", []).append(_("The quantity cannot be negative."))
    if available_from and available_until and available_until < available_from:
        errors.setdefault("available_until", []).append(_("Availability cannot end before it starts."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def resource_create(
    *,
    unit: PartnerUnit,
    actor: Actor,
    kind: str,
    title: str,
    category: str = "",
    description: str = "",
    quantity: Any = None,
    quantity_unit: str = "",
    available: bool = True,
    available_from: date | None = None,
    available_until: date | None = None,
) -> Resource:
    _speaks_or_manages(actor, unit, unit.region)
    resource_validate(
        kind=kind,
        title=title,
        category=category,
        quantity=quantity,
        available_from=available_from,
        available_until=available_until,
    )
    return Resource.objects.create(
        unit=unit,
        kind=kind,
        category=category,
        title=title.strip(),
        description=description.strip(),
        quantity=quantity,
        quantity_unit=quantity_unit.strip(),
        available=available,
        available_from=available_from,
        available_until=available_until,
        created_by=user_or_none(actor),
    )


RESOURCE_FIELDS = {
    "kind",
    "title",
    "category",
    "description",
    "quantity",
    "quantity_unit",
    "available",
    "available_from",
    "available_until",
}


def resource_update(*, resource: Resource, actor: Actor, **changes: Any) -> Resource:
    known_fields(changes, RESOURCE_FIELDS)
    editing = audited_edit(
        Resource,
        resource.pk,
        actor=actor,
        fields=sorted(RESOURCE_FIELDS),
        region=lambda r: r.unit.region,
        related=("unit__region",),
    )
    with editing as edit:
        locked = edit.row
        _speaks_or_manages(actor, locked.unit, locked.unit.region)
        edit.set(changes)
        resource_validate(
            kind=locked.kind,
            title=locked.title,
            category=locked.category,
            quantity=locked.quantity,
            available_from=locked.available_from,
            available_until=locked.available_until,
        )
    return edit.row


# ---- projects -------------------------------------------------------------------------------------


def _secretary_now(person: Any, day: date) -> bool:

    return person.positions.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day), kind=PositionKind.SECRETARY, starts_on__lte=day
    ).exists()


def project_create(
    *,
    actor: Actor,
    title: str,
    kind: str,
    lead_name: str,
    need: Need | None = None,
    region: Region | None = None,
    owner_unit: PartnerUnit | None = None,
    parent: Project | None = None,
    weight: int = 1,
    secretary: Any = None,
    budget: Any = 0,
    starts_on: date | None = None,
    due_on: date | None = None,
    milestones: Iterable[tuple[str, int, date | None]] = (),
    now: datetime | None = None,
) -> Project:
    """A claimed need becomes a project of the unit that claimed it; or a standalone (parent) project.

    书记项目 name the Party secretary who claimed them (a current 书记).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        if need is not None:
            need = Need.objects.select_for_update().get(pk=need.pk)
            if need.status != NeedStatus.CLAIMED:
                errors.setdefault("need", []).append(
                    _("Only a claimed need becomes a project; this one is “%(status)s”.")
                    % {"status": need.get_status_display()}
                )
            if owner_unit is not None and owner_unit.pk != need.claimed_by_unit_id:
                errors.setdefault("owner_unit", []).append(
                    _("The project belongs to the unit that claimed the need.")
                )
            owner_unit = need.claimed_by_unit
            region = need.region
        if region is None:
            errors.setdefault("region", []).append(_("Choose where the project is delivered."))
        if actor != SYSTEM and region is not None:
            reach = reach_for(actor)
            if not (reach.manages(region) or (need is not None and reach.speaks_for(owner_unit))):
                raise PermissionDenied(
                    _("Only the claiming unit's liaison or the community may start this project.")
                )
        if kind not in ProjectKind.values:
            errors.setdefault("kind", []).append(_("Unknown kind of project."))
        if not (title or "").strip():
            errors.setdefault("title", []).append(_("A title is required."))
        if not (lead_name or "").strip():
            errors.setdefault("lead_name", []).append(_("Name the person who leads the project."))
        if kind == ProjectKind.SECRETARY:
            if secretary is None:
                errors.setdefault("secretary", []).append(_("A 书记项目 names the secretary who claimed it."))
            elif not _secretary_now(secretary, today):
                errors.setdefault("secretary", []).append(
                    _("%(name)s does not hold a secretary's post now.") % {"name": secretary.name}
                )
        elif secretary is not None:
            secretary = None
        if parent is not None:
            if parent.status != ProjectStatus.ACTIVE:
                errors.setdefault("parent", []).append(_("The parent project is no longer under way."))
            if parent.need_id is not None:
                errors.setdefault("parent", []).append(_("A project that meets a need has no parts."))
        try:
            budget_value = _as_decimal(budget or 0)
            if budget_value < 0:
                raise ValueError
        except (ValueError, ArithmeticError):
            errors.setdefault("budget", []).append(_("Enter the budget in yuan (0 or more)."))
            budget_value = Decimal(0)
        if weight < 1:
            errors.setdefault("weight", []).append(_("A weight is at least 1."))
        starts = starts_on or today
        if due_on is not None and due_on < starts:
            errors.setdefault("due_on", []).append(_("The project cannot be due before it starts."))
        if errors:
            raise ValidationError(errors)
        assert region is not None
        project = Project.objects.create(
            title=title.strip(),
            kind=kind,
            need=need,
            parent=parent,
            weight=weight,
            owner_unit=owner_unit,
            region=region,
            lead_name=lead_name.strip(),
            secretary=secretary,
            budget=budget_value,
            starts_on=starts,
            due_on=due_on,
            claimed_at=(need.claimed_at if need is not None and need.claimed_at else now),
            created_by=user_or_none(actor),
        )
        _project_step(
            project, ProjectAction.START, actor=actor, now=now, from_status=NEW, to_status=project.status
        )
        if need is not None:
            locked_need = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
            if locked_need.status != NeedStatus.CLAIMED:
                raise ValidationError({"need": [_("The need is no longer claimed: reload and try again.")]})
            _need_step(locked_need, NeedAction.START, actor=actor, now=now)
        for m_title, m_weight, m_due in milestones:
            _milestone_insert(project, m_title, m_weight, m_due)
        project_progress_refresh(project)
    return project


def _milestone_insert(project: Project, title: str, weight: int, due_on: date | None) -> Milestone:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("A milestone needs a title."))
    if weight is None or weight < 1:
        errors.setdefault("weight", []).append(_("A weight is at least 1."))
    if errors:
        raise ValidationError(errors)
    return Milestone.objects.create(project=project, title=title.strip(), weight=weight, due_on=due_on)


@transaction.atomic
def milestone_add(
    *, project: Project, actor: Actor, title: str, weight: int = 1, due_on: date | None = None
) -> Milestone:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    _speaks_or_manages(actor, locked.owner_unit, locked.region)
    if locked.status != ProjectStatus.ACTIVE:
        raise ValidationError(_("The project is no longer under way."))
    milestone = _milestone_insert(locked, title, weight, due_on)
    project_progress_refresh(locked)
    return milestone


@transaction.atomic
def milestone_report(
    *, milestone: Milestone, actor: Actor, progress: int, note: str = "", now: datetime | None = None
) -> Milestone:
    """The unit reports how far a milestone is; at 100 % it awaits the community's acceptance."""
    now = now or timezone.now()
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    project = locked.project
    _speaks_or_manages(actor, project.owner_unit, project.region)
    if project.status != ProjectStatus.ACTIVE:
        raise ValidationError(_("The project is no longer under way."))
    if locked.status == MilestoneStatus.ACCEPTED:
        raise ValidationError(_("This milestone has been accepted already."))
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationError({"progress": [_("Progress is a whole number from 0 to 100.")]})
    from_status = locked.status
    locked.progress = progress
    locked.status = MilestoneStatus.REPORTED if progress == 100 else MilestoneStatus.OPEN
    if note.strip():
        locked.note = note.strip()
    locked.reported_at = now
    locked.reported_by = user_or_none(actor)
    locked.save()
    return _milestone_step(
        locked, ProjectAction.REPORT, actor=actor, now=now, from_status=from_status, reason=note
    )


@transaction.atomic
def milestone_accept(*, milestone: Milestone, actor: Actor, now: datetime | None = None) -> Milestone:
    """The community accepts a milestone as done (验收)."""
    now = now or timezone.now()
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    project = locked.project
    require_manage(actor, project.region)
    if project.status != ProjectStatus.ACTIVE:
        raise ValidationError(_("The project is no longer under way."))
    if locked.status == MilestoneStatus.ACCEPTED:
        return locked
    from_status = locked.status
    locked.status = MilestoneStatus.ACCEPTED
    locked.progress = 100
    locked.accepted_at = now
    locked.accepted_by = user_or_none(actor)
    locked.save()
    return _milestone_step(locked, ProjectAction.ACCEPT, actor=actor, now=now, from_status=from_status)


def project_progress_compute(project: Project) -> Decimal:
    """The weighted sum of the project's parts: its milestones and its child projects."""
    parts: list[tuple[int, Decimal]] = [
        (m.weight, HUNDRED if m.status == MilestoneStatus.ACCEPTED else Decimal(m.progress))
        for m in project.milestones.all()
    ]
    parts += [
        (p.weight, p.progress)
        for p in Project.objects.filter(parent=project).exclude(status=ProjectStatus.CANCELLED)
    ]
    total = sum(w for w, _v in parts)
    if not total:
        return HUNDRED if project.status == ProjectStatus.CLOSED else Decimal(0)
    return _as_decimal(sum(Decimal(w) * v for w, v in parts) / total)


def project_progress_refresh(project: Project) -> Decimal:
    """Recompute a project's progress and roll it up through its parents."""
    current: Project | None = Project.objects.get(pk=project.pk)
    value = Decimal(0)
    first = True
    while current is not None:
        progress = project_progress_compute(current)
        if first:
            value, first = progress, False
        if progress != current.progress:
            Project.objects.filter(pk=current.pk).update(progress=progress)
        current = Project.objects.filter(pk=current.parent_id).first() if current.parent_id else None
    project.progress = value
    return value


@transaction.atomic
def evidence_add(
    *,
    project: Project,
    actor: Actor,
    note: str,
    upload: Any = None,
    milestone: Milestone | None = None,
    now: datetime | None = None,
) -> Evidence:
    """A note (and optionally a photo or document) that shows what was done. Never required."""
    locked = Project.objects.select_related("region", "owner_unit").get(pk=project.pk)
    _speaks_or_manages(actor, locked.owner_unit, locked.region)
    errors: dict[str, list[str]] = {}
    if not (note or "").strip():
        errors.setdefault("note", []).append(_("Say what the evidence shows."))
    if milestone is not None and milestone.project_id != locked.pk:
        errors.setdefault("milestone", []).append(_("The milestone belongs to another project."))
    content_type = document_check(upload, errors)
    if errors:
        raise ValidationError(errors)
    evidence = Evidence(
        project=locked,
        milestone=milestone,
        note=note.strip(),
        uploaded_by=user_or_none(actor),
        created_at=now or timezone.now(),
    )
    if upload:
        evidence.content_type = content_type
        evidence.file_name = str(getattr(upload, "name", ""))[:200]
        evidence.size = upload.size
        evidence.file.save(evidence.file_name or "evidence", upload, save=False)
    evidence.save()
    return evidence


def project_close(
    *,
    project: Project,
    actor: Actor,
    result: str,
    beneficiaries_count: int,
    beneficiaries_note: str = "",
    now: datetime | None = None,
) -> Project:
    """The community accepts the project as delivered. Refused while a milestone or a part is open.

    Closing meets the need: it leaves the needs list for the results list (实效清单).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        require_manage(actor, locked.region)
        if locked.status != ProjectStatus.ACTIVE:
            raise ValidationError(
                _("The project is not under way; it is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        open_milestones = list(
            locked.milestones.exclude(status=MilestoneStatus.ACCEPTED).values_list("title", flat=True)
        )
        if open_milestones:
            raise ValidationError(
                _("The project cannot be closed while milestones are open: %(names)s.")
                % {"names": "、".join(open_milestones)},
                code="open_milestones",
            )
        open_parts = list(
            Project.objects.filter(parent=locked, status=ProjectStatus.ACTIVE).values_list("title", flat=True)
        )
        if open_parts:
            raise ValidationError(
                _("The project cannot be closed while parts are under way: %(names)s.")
                % {"names": "、".join(open_parts)},
                code="open_parts",
            )
        errors: dict[str, list[str]] = {}
        if not (result or "").strip():
            errors.setdefault("result", []).append(_("Describe the result."))
        if not isinstance(beneficiaries_count, int) or beneficiaries_count < 0:
            errors.setdefault("beneficiaries_count", []).append(_("Enter how many people benefited."))
        if errors:
            raise ValidationError(errors)
        _project_step(
            locked,
            ProjectAction.CLOSE,
            actor=actor,
            now=now,
            from_status=locked.status,
            to_status=ProjectStatus.CLOSED,
            reason=result,
        )
        locked.status = ProjectStatus.CLOSED
        locked.result = result.strip()
        locked.beneficiaries_count = beneficiaries_count
        locked.beneficiaries_note = beneficiaries_note.strip()[:200]
        locked.closed_at = now
        locked.closed_by = user_or_none(actor)
        locked.save()
        if locked.need_id:
            need = Need.objects.select_for_update(of=("self",)).get(pk=locked.need_id)
            if need.status == NeedStatus.IN_PROJECT:
                _need_step(need, NeedAction.MEET, actor=actor, now=now, done_at=now)
        project_progress_refresh(locked)
    return locked


@transaction.atomic
def project_cancel(*, project: Project, actor: Actor, reason: str) -> Project:
    """Stop a project; its need is open for claiming again."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    require_manage(actor, locked.region)
    if locked.status != ProjectStatus.ACTIVE:
        raise ValidationError(_("Only a project under way can be cancelled."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the project stops.")]})
    if Project.objects.filter(parent=locked, status=ProjectStatus.ACTIVE).exists():
        raise ValidationError(_("Cancel or close its parts first."))
    _project_step(
        locked,
        ProjectAction.CANCEL,
        actor=actor,
        now=timezone.now(),
        from_status=locked.status,
        to_status=ProjectStatus.CANCELLED,
        reason=reason,
    )
    locked.status = ProjectStatus.CANCELLED
    locked.result = reason.strip()
    locked.save()
    if locked.need_id:
        need = Need.objects.select_for_update(of=("self",)).get(pk=locked.need_id)
        if need.status == NeedStatus.IN_PROJECT:
            _need_step(
                need,
                NeedAction.REOPEN,
                actor=actor,
                now=timezone.now(),
                reason=reason,
                **UNCLAIMED,
            )
        Project.objects.filter(pk=locked.pk).update(need=None)
        locked.need = None
    if locked.parent_id:
        project_progress_refresh(locked.parent)  # type: ignore[arg-type]
    return locked
