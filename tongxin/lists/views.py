"""Pages of the three lists: needs (with claiming over htmx), resources, projects, the problem and
results lists and needs from unsolved cases. The Excel ledger (台账), which also holds the meetings
and the duty check, is in tongxin.cobuilding.pages."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import requires
from tongxin.core.pages import form_page, int_param, list_page, paginate, post_action
from tongxin.core.roles import Capability
from tongxin.lists import listing, services
from tongxin.lists.forms import (
    ClaimForm,
    CloseForm,
    EvidenceForm,
    MilestoneForm,
    MilestoneReportForm,
    NeedForm,
    ProjectForm,
    ResourceForm,
    claim_units,
)
from tongxin.lists.models import (
    Evidence,
    Milestone,
    MilestoneStatus,
    Need,
    NeedCategory,
    NeedStatus,
    ProjectKind,
    ProjectStatus,
)
from tongxin.lists.selectors import (
    cases_for_needs,
    need_counts,
    need_get,
    problems_visible,
    project_counts,
    project_get,
    projects_visible,
    resource_get,
    resource_suggestions,
    results_visible,
    secretary_candidates,
)
from tongxin.lists.workflow import project_timeline_label, timeline_label
from tongxin.partners.files import serve
from tongxin.partners.selectors import reach_for, require_manages, unit_get
from tongxin.regions.selectors import region_get

VIEW, MANAGE, CLAIM = Capability.PARTNERS_VIEW, Capability.PARTNERS_MANAGE, Capability.PARTNERS_CLAIM


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def can_claim(user: Any, need: Need) -> bool:
    """Whether to offer the claim button: the need is open and the user speaks for a unit paired
    with its area, or keeps the community's lists (recording a claim made at a meeting)."""
    if need.status != NeedStatus.OPEN:
        return False
    reach = reach_for(user)
    return reach.manages(need.region) or (bool(reach.unit_ids) and reach.paired.contains(need.region.path))


# ---- needs ----------------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def need_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, queryset = listing.need_selection(request)
    reach = reach_for(user)
    return list_page(
        request,
        "lists/needs.html",
        (form, queryset),
        export="lists:need_export",
        context=lambda listed: {
            "form": form,
            "rows": [(need, can_claim(user, need)) for need in listed["page"]],
            "counts": need_counts(queryset),
            "node": form.area,
            "can_publish": not reach.manage.is_empty,
            "claim_units": list(claim_units(user)) if reach.unit_ids or not reach.manage.is_empty else [],
        },
    )


@requires(VIEW)
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    need = need_get(user, pk)
    reach = reach_for(user)
    project = projects_visible(user).filter(need=need).first()
    may_start = need.status == NeedStatus.CLAIMED and (
        reach.manages(need.region) or reach.speaks_for(need.claimed_by_unit)
    )
    return render(
        request,
        "lists/need.html",
        {
            "need": need,
            "project": project,
            "can_claim": can_claim(user, need),
            "claim_form": ClaimForm(user=user) if can_claim(user, need) else None,
            "claim_units": list(claim_units(user)) if can_claim(user, need) else [],
            "suggestions": resource_suggestions(user, need)
            if need.status in (NeedStatus.OPEN, NeedStatus.CLAIMED)
            else [],
            "can_edit": reach.manages(need.region) and need.status == NeedStatus.OPEN,
            "can_withdraw": reach.manages(need.region)
            and need.status in (NeedStatus.OPEN, NeedStatus.CLAIMED),
            "can_release": need.status == NeedStatus.CLAIMED
            and (reach.manages(need.region) or reach.speaks_for(need.claimed_by_unit)),
            "may_start": may_start,
            "history": [
                (t, timeline_label(t.action)) for t in need.transitions.select_related("actor__person")
            ],
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {"source": "resident"}
    node_id = int_param(request, "region")
    if node_id is not None:
        initial["region"] = region_get(user, node_id, capability=MANAGE)
    return form_page(
        request,
        NeedForm(request.POST or None, initial=initial, user=user),
        save=lambda form: services.need_create(actor=user, **form.cleaned_data),
        message=lambda need: _("The need “%(title)s” is published.") % {"title": need.title},
        template="lists/form.html",
        context={"title": _("Publish a need")},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    need = need_get(user, pk)
    require_manages(user, need.region)
    return form_page(
        request,
        NeedForm(request.POST or None, initial=NeedForm.initial_for(need), user=user, editing=True),
        save=lambda form: services.need_update(need=need, actor=user, **form.cleaned_data),
        success=need.get_absolute_url(),
        message=_("The need was saved."),
        template="lists/form.html",
        context={"title": _("Edit the need"), "cancel": need.get_absolute_url()},
    )


@requires(VIEW)
@require_POST
def need_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """认领. Over htmx the claim cell is swapped for the result (or the refusal) in place."""
    user = request.user
    need = need_get(user, pk)
    form = ClaimForm(request.POST, user=user)
    error = ""
    if not form.is_valid():
        error = _("Choose the unit that claims the need.")
    else:
        try:
            need = services.need_claim(
                need=need, unit=form.cleaned_data["unit"], actor=user, note=form.cleaned_data["note"]
            )
        except services.AlreadyClaimed as exc:
            error = exc.message
            need = need_get(user, pk)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if _is_htmx(request):
        response = render(
            request,
            "lists/_claim_cell.html",
            {
                "need": need,
                "error": error,
                "claim_ok": not error,
                "can_claim": can_claim(user, need),
                "claim_units": list(claim_units(user)),
            },
        )
        # claimed now or a moment ago by someone else: the list page reads its counters again
        response["HX-Trigger"] = "need-claimed"
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("You claimed “%(title)s”.") % {"title": need.title})
    return redirect(need)


@requires(VIEW)
@require_POST
def need_release(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_get(request.user, pk)
    return post_action(
        request,
        lambda: services.need_release(need=need, actor=request.user, reason=_reason(request)),
        back=need,
        ok=_("The need is open for claiming again."),
    )


@requires(MANAGE)
@require_POST
def need_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_get(request.user, pk)
    require_manages(request.user, need.region)
    withdraw = partial(services.need_withdraw, need=need, actor=request.user, reason=_reason(request))
    return post_action(request, withdraw, back=need, ok=_("The need was withdrawn."))


@requires(MANAGE)
@require_GET
def cases_unsolved(request: HttpRequest) -> HttpResponse:
    """Needs from unsolved cases: cases closed unsolved or whistled upward, one action each."""

    user = request.user
    page = paginate(request, cases_for_needs(user))
    return render(request, "lists/cases.html", {"page": page, "categories": NeedCategory.choices})


@requires(MANAGE)
@require_POST
def need_from_case(request: HttpRequest, case_pk: int) -> HttpResponse:

    user = request.user
    case = get_object_or_404(cases_for_needs(user), pk=case_pk)
    category = request.POST.get("category") or NeedCategory.OTHER
    if category not in NeedCategory.values:
        category = NeedCategory.OTHER
    try:
        need = services.need_from_case(case=case, actor=user, category=category)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("lists:cases")
    messages.success(request, _("Case %(code)s is on the needs list now.") % {"code": case.tracking_code})
    return redirect(need)


@requires(VIEW)
@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    """问题清单: needs from cases the community could not solve, and how far each has got."""
    user = request.user
    queryset = problems_visible(user).order_by("-created_at")
    return render(
        request,
        "lists/problems.html",
        {"page": paginate(request, queryset), "counts": need_counts(queryset)},
    )


@requires(VIEW)
@require_GET
def result_list(request: HttpRequest) -> HttpResponse:
    """实效清单: needs met by delivered projects."""
    user = request.user
    year = int_param(request, "year")
    queryset = results_visible(user, year=year)

    totals = queryset.aggregate(
        beneficiaries=Sum("project__beneficiaries_count"), budget=Sum("project__budget")
    )
    return render(
        request,
        "lists/results.html",
        {"page": paginate(request, queryset), "year": year, "totals": totals, "count": queryset.count()},
    )


# ---- resources ------------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    form, queryset = listing.resource_selection(request)
    reach = reach_for(request.user)
    return list_page(
        request,
        "lists/resources.html",
        (form, queryset),
        export="lists:resource_export",
        context={
            "unit": form.chosen_unit,
            "can_add": bool(reach.unit_ids) or not reach.manage.is_empty,
            "editable": set(reach.unit_ids),
            "reach": reach,
        },
    )


def _editable_resource(user: Any, pk: int) -> Any:
    resource = resource_get(user, pk)
    reach = reach_for(user)
    if not (reach.speaks_for(resource.unit) or reach.manages(resource.unit.region)):
        raise PermissionDenied
    return resource


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    reach = reach_for(user)
    if not reach.unit_ids and reach.manage.is_empty:
        raise PermissionDenied
    return form_page(
        request,
        ResourceForm(request.POST or None, user=user),
        save=lambda form: services.resource_create(actor=user, **form.cleaned_data),
        success=lambda resource: f"{_url('lists:resources')}?unit={resource.unit_id}",
        message=lambda resource: _("“%(title)s” is on the resources list.") % {"title": resource.title},
        template="lists/form.html",
        context={"title": _("Offer a resource")},
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    resource = _editable_resource(user, pk)
    form = ResourceForm(
        request.POST or None, initial=ResourceForm.initial_for(resource), user=user, editing=True
    )
    return form_page(
        request,
        form,
        save=lambda form: services.resource_update(resource=resource, actor=user, **form.cleaned_data),
        success=lambda _saved: f"{_url('lists:resources')}?unit={resource.unit_id}",
        message=_("The resource was saved."),
        template="lists/form.html",
        context={"title": _("Edit %(name)s") % {"name": resource.title}, "cancel": _url("lists:resources")},
    )


def _url(name: str, *args: Any) -> str:

    return reverse(name, args=args)


# ---- projects -------------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    form, queryset = listing.project_selection(request)
    return list_page(
        request,
        "lists/projects.html",
        (form, queryset),
        export="lists:project_export",
        context={
            "counts": project_counts(queryset),
            "can_create": not reach_for(request.user).manage.is_empty,
        },
    )


@requires(VIEW)
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = project_get(user, pk)
    reach = reach_for(user)
    manages = reach.manages(project.region)
    runs = manages or reach.speaks_for(project.owner_unit)
    active = project.status == ProjectStatus.ACTIVE
    milestones = list(project.milestones.all())
    return render(
        request,
        "lists/project.html",
        {
            "project": project,
            "milestones": milestones,
            "parts": list(projects_visible(user).filter(parent=project)),
            "evidence": list(project.evidence.select_related("milestone")),
            "manages": manages and active,
            "runs": runs and active,
            "open_milestones": [m for m in milestones if m.status != MilestoneStatus.ACCEPTED],
            "milestone_form": MilestoneForm() if runs and active else None,
            "evidence_form": EvidenceForm(project=project) if runs and active else None,
            "close_form": CloseForm(
                initial={"beneficiaries_count": project.need.beneficiaries_estimate if project.need else 0}
            )
            if manages and active
            else None,
            "history": [
                (t, project_timeline_label(t.action))
                for t in project.transitions.select_related("milestone", "actor__person")
            ],
        },
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    """From a claimed need (?need=): the claiming unit's project. Without: a standalone (parent) project."""
    user = request.user
    reach = reach_for(user)
    need_id = int_param(request, "need")
    need = need_get(user, need_id) if need_id is not None else None
    if need is not None:
        if not (reach.manages(need.region) or reach.speaks_for(need.claimed_by_unit)):
            raise PermissionDenied
        secretaries = secretary_candidates(unit=need.claimed_by_unit, region=need.region)
        initial = {"title": need.title, "kind": ProjectKind.PRACTICAL}
    else:
        if reach.manage.is_empty:
            raise PermissionDenied
        secretaries = secretary_candidates()
        initial = {"kind": ProjectKind.COBUILDING}
    form = ProjectForm(
        request.POST or None, initial=initial, user=user, secretaries=secretaries, standalone=need is None
    )
    if need is None and request.method == "POST":
        # offer the secretaries of the chosen region and unit once those are known
        region_id, unit_id = request.POST.get("region"), request.POST.get("owner_unit")

        region = region_get(user, region_id) if region_id and region_id.isdigit() else None
        unit = unit_get(user, unit_id) if unit_id and unit_id.isdigit() else None
        form.fields["secretary"].queryset = secretary_candidates(unit=unit, region=region)  # type: ignore[attr-defined]

    def save(form: ProjectForm) -> Any:
        data = form.cleaned_data
        return services.project_create(
            actor=user,
            need=need,
            title=data["title"],
            kind=data["kind"],
            lead_name=data["lead_name"],
            secretary=data.get("secretary"),
            budget=data["budget"],
            starts_on=data["starts_on"],
            due_on=data["due_on"],
            milestones=data["milestone_rows"],
            region=data.get("region"),
            owner_unit=data.get("owner_unit"),
            parent=data.get("parent"),
            weight=data.get("weight") or 1,
        )

    return form_page(
        request,
        form,
        save=save,
        message=lambda project: _("The project “%(title)s” has started.") % {"title": project.title},
        template="lists/form.html",
        context={
            "title": _("Start a project for “%(need)s”") % {"need": need.title}
            if need
            else _("Start a project"),
            "cancel": need.get_absolute_url() if need else _url("lists:projects"),
        },
    )


def _runnable_project(user: Any, pk: int) -> Any:
    project = project_get(user, pk)
    reach = reach_for(user)
    if not (reach.manages(project.region) or reach.speaks_for(project.owner_unit)):
        raise PermissionDenied
    return project


@requires(VIEW)
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _runnable_project(request.user, pk)
    form = MilestoneForm(request.POST)
    return post_action(
        request,
        lambda: services.milestone_add(project=project, actor=request.user, **form.cleaned_data),
        back=project,
        ok=_("The milestone was added."),
        form=form,
        invalid=_("Give the milestone a title and a weight of 1 or more."),
    )


def _milestone(user: Any, pk: int) -> Milestone:
    milestone = get_object_or_404(Milestone.objects.select_related("project"), pk=pk)
    project_get(user, milestone.project_id)  # 404 outside the user's reach
    return milestone


@requires(VIEW)
@require_POST
def milestone_report(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _milestone(request.user, pk)
    _runnable_project(request.user, milestone.project_id)
    form = MilestoneReportForm(request.POST)
    return post_action(
        request,
        lambda: services.milestone_report(milestone=milestone, actor=request.user, **form.cleaned_data),
        back=milestone.project,
        ok=_("Progress was reported."),
        form=form,
        invalid=_("Progress is a whole number from 0 to 100."),
    )


@requires(MANAGE)
@require_POST
def milestone_accept(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _milestone(request.user, pk)
    require_manages(request.user, milestone.project.region)
    accept = partial(services.milestone_accept, milestone=milestone, actor=request.user)
    ok = _("“%(title)s” was accepted.") % {"title": milestone.title}
    return post_action(request, accept, back=milestone.project, ok=ok)


@requires(VIEW)
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _runnable_project(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES, project=project)
    return post_action(
        request,
        lambda: services.evidence_add(
            project=project,
            actor=request.user,
            note=form.cleaned_data["note"],
            upload=form.cleaned_data["file"],
            milestone=form.cleaned_data["milestone"],
        ),
        back=project,
        ok=_("The evidence was added."),
        form=form,
        invalid=_("Say what the evidence shows."),
    )


@requires(VIEW)
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's evidence file, only for those who may see the project."""
    evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=pk)
    project_get(request.user, evidence.project_id)
    return serve(evidence.file, content_type=evidence.content_type, name=evidence.file_name)


@requires(MANAGE)
@require_POST
def project_close(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(request.user, pk)
    require_manages(request.user, project.region)
    form = CloseForm(request.POST)
    return post_action(
        request,
        lambda: services.project_close(project=project, actor=request.user, **form.cleaned_data),
        back=project,
        ok=_("The project was accepted as delivered; it is on the results list."),
        form=form,
        invalid=_("Describe the result and how many people benefited."),
    )


@requires(MANAGE)
@require_POST
def project_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(request.user, pk)
    require_manages(request.user, project.region)
    cancel = partial(services.project_cancel, project=project, actor=request.user, reason=_reason(request))
    return post_action(request, cancel, back=project, ok=_("The project was cancelled."))


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "")
