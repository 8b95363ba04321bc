"""The three lists (/lists): needs with claiming, resources, projects with milestones, and the
problem and results lists. A second claim of the same need answers 409 "already_claimed"; closing a
project with open milestones answers 409 "open_milestones"."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.core.api import ApiError, listed, reference, references, require_capability
from tongxin.core.periods import period_check
from tongxin.core.roles import Capability
from tongxin.core.schemas import CONFLICT, ERRORS, ErrorOut, Page, Year
from tongxin.lists import services
from tongxin.lists.models import Milestone, Need, Project, Resource
from tongxin.lists.schemas import (
    ClaimIn,
    CloseIn,
    FromCaseIn,
    MilestoneIn,
    MilestoneOut,
    NeedCreateIn,
    NeedFilters,
    NeedOut,
    NeedPatchIn,
    ProjectCreateIn,
    ProjectDetailOut,
    ProjectFilters,
    ProjectOut,
    ReasonIn,
    ReportIn,
    ResourceCreateIn,
    ResourceFilters,
    ResourceOut,
    ResourcePatchIn,
    SuggestionOut,
)
from tongxin.lists.selectors import (
    cases_for_needs,
    need_get,
    needs_listed,
    needs_visible,
    problems_visible,
    project_get,
    projects_listed,
    projects_visible,
    resource_get,
    resource_suggestions,
    resources_listed,
    results_visible,
    secretary_candidates,
)
from tongxin.partners.selectors import unit_choices, units_visible
from tongxin.regions.selectors import region_get, regions_visible

router = Router()

VIEW, MANAGE = Capability.PARTNERS_VIEW, Capability.PARTNERS_MANAGE


# ---- needs ----------------------------------------------------------------------------------------


@router.get("/needs", response={200: list[NeedOut], **ERRORS}, summary="The needs list (需求清单)")
@paginate(Page)
def need_list(request: HttpRequest, filters: Query[NeedFilters]) -> QuerySet[Need]:
    """Officials: the needs of their area. Liaisons: the needs of the areas their unit is paired with.
    As on the needs page; `since`/`until` apply to the day a need was published."""
    require_capability(request.user, VIEW)
    period_check(filters.since, filters.until)
    within = region_get(request.user, filters.within, capability=VIEW) if filters.within is not None else None
    needs = needs_listed(
        request.user,
        status=filters.status or "",
        source=filters.source or "",
        category=filters.category or "",
        region=within,
        q=filters.q or "",
        since=filters.since,
        until=filters.until,
        unit=filters.unit,
    )
    return needs


@router.post("/needs", response={201: NeedOut, **ERRORS}, summary="Publish a need")
def need_create(request: HttpRequest, payload: NeedCreateIn) -> Status[Need]:
    require_capability(request.user, MANAGE)
    data = references(payload.dict(), region=regions_visible(request.user, capability=MANAGE))
    data["wanted_kind"] = data["wanted_kind"] or ""
    return Status(201, services.need_create(actor=request.user, **data))


@router.post(
    "/needs/from-case", response={201: NeedOut, **ERRORS}, summary="Put an unsolved case on the needs list"
)
def need_from_case(request: HttpRequest, payload: FromCaseIn) -> Status[Need]:
    """A case closed unsolved or whistled upward becomes a need (问题清单), keeping the link."""
    require_capability(request.user, MANAGE)
    case = reference(cases_for_needs(request.user), payload.case, field="case")
    return Status(201, services.need_from_case(case=case, actor=request.user, category=payload.category))


@router.get("/needs/{id}", response={200: NeedOut, 404: ErrorOut}, summary="Get a need")
def need_detail(request: HttpRequest, id: int) -> Need:
    require_capability(request.user, VIEW)
    return need_get(request.user, id)


@router.patch("/needs/{id}", response={200: NeedOut, **ERRORS}, summary="Correct an open need")
def need_patch(request: HttpRequest, id: int, payload: NeedPatchIn) -> Need:
    require_capability(request.user, MANAGE)
    need = need_get(request.user, id)
    changes = payload.dict(exclude_unset=True)
    if "wanted_kind" in changes:
        changes["wanted_kind"] = changes["wanted_kind"] or ""
    return services.need_update(need=need, actor=request.user, **changes)


@router.post("/needs/{id}/claim", response={200: NeedOut, **CONFLICT}, summary="Claim a need (认领)")
def need_claim(request: HttpRequest, id: int, payload: ClaimIn) -> Need:
    """The first claim wins; a need claimed already answers 409 with who claimed it and when."""
    require_capability(request.user, VIEW)
    need = need_get(request.user, id)
    unit = reference(unit_choices(request.user), payload.unit, field="unit")
    assert unit is not None
    try:
        return services.need_claim(need=need, unit=unit, actor=request.user, note=payload.note)
    except services.AlreadyClaimed as exc:
        raise ApiError(409, "already_claimed", exc.message)


@router.post("/needs/{id}/release", response={200: NeedOut, **ERRORS}, summary="Give a claimed need back")
def need_release(request: HttpRequest, id: int, payload: ReasonIn) -> Need:
    require_capability(request.user, VIEW)
    return services.need_release(need=need_get(request.user, id), actor=request.user, reason=payload.reason)


@router.post("/needs/{id}/withdraw", response={200: NeedOut, **ERRORS}, summary="Withdraw a need")
def need_withdraw(request: HttpRequest, id: int, payload: ReasonIn) -> Need:
    require_capability(request.user, MANAGE)
    return services.need_withdraw(need=need_get(request.user, id), actor=request.user, reason=payload.reason)


@router.get(
    "/needs/{id}/suggestions",
    response={200: list[SuggestionOut], 404: ErrorOut},
    summary="Resources that fit",
)
def need_suggestions(request: HttpRequest, id: int) -> list[Any]:
    """Resources you may see that fit the need: category, kind wanted, paired with the area, available."""
    require_capability(request.user, VIEW)
    return resource_suggestions(request.user, need_get(request.user, id))


@router.get("/problems", response=list[NeedOut], summary="The problem list (问题清单)")
@paginate(Page)
def problem_list(request: HttpRequest) -> QuerySet[Need]:
    require_capability(request.user, VIEW)
    return problems_visible(request.user).order_by("-created_at", "-id")


@router.get("/results", response=list[NeedOut], summary="The results list (实效清单)")
@paginate(Page)
def result_list(request: HttpRequest, year: Year | None = None) -> QuerySet[Need]:
    require_capability(request.user, VIEW)
    return results_visible(request.user, year=year)


# ---- resources ------------------------------------------------------------------------------------


@router.get(
    "/resources", response={200: list[ResourceOut], **ERRORS}, summary="The resources list (资源清单)"
)
@paginate(Page)
def resource_list(request: HttpRequest, filters: Query[ResourceFilters]) -> QuerySet[Resource]:
    """As on the resources page; `since`/`until` apply to the day a resource was put on the list."""
    return listed(request, resources_listed, filters, capability=VIEW)


@router.post("/resources", response={201: ResourceOut, **ERRORS}, summary="Offer a resource")
def resource_create(request: HttpRequest, payload: ResourceCreateIn) -> Status[Resource]:
    """A liaison for their own unit; an official for a unit registered in their area."""
    require_capability(request.user, VIEW)
    data = references(payload.dict(), unit=units_visible(request.user))
    data["category"] = data["category"] or ""
    return Status(201, services.resource_create(actor=request.user, **data))


@router.patch("/resources/{id}", response={200: ResourceOut, **ERRORS}, summary="Change a resource")
def resource_patch(request: HttpRequest, id: int, payload: ResourcePatchIn) -> Resource:
    require_capability(request.user, VIEW)
    changes = payload.dict(exclude_unset=True)
    if "category" in changes:
        changes["category"] = changes["category"] or ""
    return services.resource_update(resource=resource_get(request.user, id), actor=request.user, **changes)


# ---- projects -------------------------------------------------------------------------------------


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, summary="The projects list (项目清单)")
@paginate(Page)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> QuerySet[Project]:
    """As on the projects page; `since`/`until` apply to the day a project was claimed."""
    return listed(request, projects_listed, filters, capability=VIEW)


@router.post("/projects", response={201: ProjectDetailOut, **ERRORS}, summary="Start a project")
def project_create(request: HttpRequest, payload: ProjectCreateIn) -> Status[Any]:
    """From a claimed need (the claiming unit's liaison or the community), or a standalone one."""

    require_capability(request.user, VIEW)
    user = request.user
    need = reference(needs_visible(user), payload.need, field="need")
    region = reference(regions_visible(user, capability=MANAGE), payload.region, field="region")
    owner = reference(units_visible(user), payload.owner_unit, field="owner_unit")
    parent = reference(projects_visible(user), payload.parent, field="parent")
    secretary = None
    if payload.secretary is not None:
        candidates = secretary_candidates(
            unit=need.claimed_by_unit if need is not None else owner,
            region=need.region if need is not None else region,
        )
        secretary = candidates.filter(pk=payload.secretary).first()
        if secretary is None:
            raise ValidationError({"secretary": [_("This person is not a sitting secretary here.")]})
    project = services.project_create(
        actor=user,
        title=payload.title,
        kind=payload.kind,
        lead_name=payload.lead_name,
        need=need,
        region=region,
        owner_unit=owner,
        parent=parent,
        weight=payload.weight,
        secretary=secretary,
        budget=payload.budget,
        starts_on=payload.starts_on,
        due_on=payload.due_on,
        milestones=[(m.title, m.weight, m.due_on) for m in payload.milestones],
    )
    return Status(201, _as_detail(project))


def _as_detail(project: Project) -> Project:
    project.refresh_from_db()
    return project


@router.get("/projects/{id}", response={200: ProjectDetailOut, 404: ErrorOut}, summary="Get a project")
def project_detail(request: HttpRequest, id: int) -> Project:
    require_capability(request.user, VIEW)
    return _as_detail(project_get(request.user, id))


@router.post("/projects/{id}/milestones", response={201: MilestoneOut, **ERRORS}, summary="Add a milestone")
def milestone_add(request: HttpRequest, id: int, payload: MilestoneIn) -> Status[Milestone]:
    require_capability(request.user, VIEW)
    project = project_get(request.user, id)
    return Status(201, services.milestone_add(project=project, actor=request.user, **payload.dict()))


def _milestone(request: HttpRequest, id: int) -> Milestone:
    milestone = Milestone.objects.filter(pk=id).first()
    if milestone is None or not projects_visible(request.user).filter(pk=milestone.project_id).exists():
        raise Http404
    return milestone


@router.post(
    "/milestones/{id}/report", response={200: MilestoneOut, **ERRORS}, summary="Report a milestone's progress"
)
def milestone_report(request: HttpRequest, id: int, payload: ReportIn) -> Milestone:
    require_capability(request.user, VIEW)
    return services.milestone_report(milestone=_milestone(request, id), actor=request.user, **payload.dict())


@router.post(
    "/milestones/{id}/accept", response={200: MilestoneOut, **ERRORS}, summary="Accept a milestone (验收)"
)
def milestone_accept(request: HttpRequest, id: int) -> Milestone:
    require_capability(request.user, MANAGE)
    return services.milestone_accept(milestone=_milestone(request, id), actor=request.user)


@router.post(
    "/projects/{id}/close", response={200: ProjectDetailOut, **CONFLICT}, summary="Close a delivered project"
)
def project_close(request: HttpRequest, id: int, payload: CloseIn) -> Project:
    """Refused (409 open_milestones / open_parts) while a milestone is unaccepted or a part under way."""
    require_capability(request.user, MANAGE)
    project = project_get(request.user, id)
    try:
        services.project_close(project=project, actor=request.user, **payload.dict())
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        if code in ("open_milestones", "open_parts"):
            raise ApiError(409, code, " ".join(exc.messages))
        raise
    return _as_detail(project)


@router.post("/projects/{id}/cancel", response={200: ProjectDetailOut, **ERRORS}, summary="Cancel a project")
def project_cancel(request: HttpRequest, id: int, payload: ReasonIn) -> Project:
    require_capability(request.user, MANAGE)
    project = project_get(request.user, id)
    services.project_cancel(project=project, actor=request.user, reason=payload.reason)
    return _as_detail(project)
