"""Pages of estates: the estates of a community, an estate, a firm's evaluation, building heads and
their subsidies (with the payment sheet), 楼组 自治金, and the co-building projects on the map.

Officials reach their estates.view subtree; a property firm's liaison reaches only their firm's
estates and evaluation (login_only pages that show nothing else: anything outside is a 404)."""

from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.audit.exports import export_view
from tongxin.core.access import login_only
from tongxin.core.forms import add_service_errors, initial_from
from tongxin.core.pages import form_page, int_param, paginate, post_action
from tongxin.core.roles import Capability, Role
from tongxin.core.scope import roles, scope_for
from tongxin.core.xlsx import Column
from tongxin.estates import selectors, services
from tongxin.estates.defaults import ESTATE_RULES, SUBSIDY_RULES
from tongxin.estates.evaluation import estate_open_cases, firm_evaluation
from tongxin.estates.forms import (
    CommunityFilter,
    ComputeForm,
    DutyForm,
    EndForm,
    EntryForm,
    EstateForm,
    EstateRulesForm,
    FundForm,
    FundProjectForm,
    GradeForm,
    LinkMeetingForm,
    LocationForm,
    MemberForm,
    ScoreForm,
    SubsidyRulesForm,
    TermForm,
    YearForm,
    this_year,
)
from tongxin.estates.models import (
    CommitteeMember,
    Estate,
    EstateRules,
    OwnersCommittee,
    RunStatus,
    SubsidyRules,
)
from tongxin.estates.services import MANAGE, VIEW
from tongxin.lists.models import ProjectStatus
from tongxin.meetings.models import Meeting
from tongxin.regions.models import Level, Region


def officials(view: Any) -> Any:
    """Logged in, with estates.view somewhere; anyone else (a firm's liaison included) gets a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if scope_for(request.user, VIEW).is_empty:
            raise Http404("no estates in your area")
        return view(request, *args, **kwargs)

    return login_only(wrapper)


def _reach_or_404(request: HttpRequest) -> selectors.EstateReach:
    """The user's reach; a partner liaison whose unit is not a property firm sees an empty list."""
    reach = selectors.reach(request.user)
    if reach.is_empty and Role.PARTNER_LIAISON not in roles(request.user):
        raise Http404("no estates in your reach")
    return reach


# ---- estates --------------------------------------------------------------------------------------


@login_only
@require_GET
def estate_list(request: HttpRequest) -> HttpResponse:
    """The estates of the user's communities (or of the liaison's firm), with their badges."""
    reach = _reach_or_404(request)
    form = CommunityFilter(request.GET or None, communities=selectors.communities_of(request.user))
    community = form.cleaned_data.get("community") if form.is_valid() else None
    page = paginate(request, selectors.estates_list(request.user, community=community))
    estates = list(page.object_list)
    selectors.badges(estates)
    today = timezone.localdate()
    open_cases = estate_open_cases(estates, services.estate_rules_for(today)) if estates else {}
    for e in estates:
        e.open_cases = open_cases.get(e.pk, 0)
    return render(
        request,
        "estates/list.html",
        {
            "form": form,
            "page": page,
            "estates": estates,
            "official": not reach.scope.is_empty,
            "may_manage": not reach.manage.is_empty,
            "firms": selectors.firms_visible(request.user) if reach.firm_ids else [],
        },
    )


@login_only
@require_GET
def estate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    estate = selectors.estate_get(request.user, pk)
    estate_list_ = [estate]
    selectors.badges(estate_list_)
    today = timezone.localdate()
    open_cases = estate_open_cases(estate_list_, services.estate_rules_for(today)).get(estate.pk, 0)
    committee = estate.committee  # type: ignore[attr-defined]
    members = list(committee.members.all()) if committee else []
    may_manage = selectors.may_manage(request.user, estate.region_path)
    return render(
        request,
        "estates/detail.html",
        {
            "estate": estate,
            "buildings": selectors.buildings_of(estate),
            "committee": committee,
            "members": members,
            "meetings": selectors.joint_meetings_of(estate),
            "open_cases": open_cases,
            "official": scope_for(request.user, VIEW).contains(estate.region_path),
            "may_manage": may_manage,
            "member_form": MemberForm(user=request.user, capability=MANAGE)
            if may_manage and committee
            else None,
            "end_form": EndForm() if may_manage and committee else None,
            "link_form": LinkMeetingForm(meetings=_meetings_to_link(estate)) if may_manage else None,
        },
    )


# ---- writing estates, their 业委会 and joint meetings ---------------------------------------------


def _managed_communities(request: HttpRequest) -> Any:
    return Region.objects.filter(scope_for(request.user, MANAGE).q("path"), level=Level.COMMUNITY).order_by(
        "path"
    )


def _community_for_new(request: HttpRequest) -> Region | None:
    """The community a new estate or fund belongs to: ?community= (one the user manages), else the
    only one they manage; None when they must choose."""
    communities = _managed_communities(request)
    pk = int_param(request, "community")
    if pk is not None:
        return get_object_or_404(communities, pk=pk)
    found = list(communities[:2])
    return found[0] if len(found) == 1 else None


def _choose_community(request: HttpRequest, title: str) -> HttpResponse:
    form = CommunityFilter(communities=_managed_communities(request))
    form.fields["community"].required = True
    form.fields["community"].empty_label = None  # type: ignore[attr-defined]
    return render(request, "estates/choose_community.html", {"form": form, "title": title})


def _managed_estate(request: HttpRequest, pk: int) -> Estate:
    estate = selectors.estate_get(request.user, pk)
    if not selectors.may_manage(request.user, estate.region_path):
        raise Http404("not an estate you keep")
    return estate


def _estate_values(form: EstateForm) -> dict[str, Any]:
    return {k: form.cleaned_data.get(k) for k in form.fields}


@officials
@require_http_methods(["GET", "POST"])
def estate_new(request: HttpRequest) -> HttpResponse:
    community = _community_for_new(request)
    if community is None:
        if _managed_communities(request).exists():
            return _choose_community(request, _("New estate"))
        raise Http404("no community to keep")
    form = EstateForm(request.POST or None, community=community)
    return form_page(
        request,
        form,
        save=lambda f: services.estate_create(actor=request.user, community=community, **_estate_values(f)),
        template="estates/form.html",
        context={
            "title": _("New estate of %(community)s") % {"community": community.name},
            "back": reverse("estates:list"),
            "community": community,
        },
        message=_("The estate is recorded."),
    )


@officials
@require_http_methods(["GET", "POST"])
def estate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    estate = _managed_estate(request, pk)
    initial = initial_from(estate, ("name", "address", "property_firm", "firm_branch", "red_since"))
    initial["buildings"] = list(estate.buildings.all())
    form = EstateForm(request.POST or None, community=estate.community, initial=initial)
    return form_page(
        request,
        form,
        save=lambda f: services.estate_update(actor=request.user, estate=estate, **_estate_values(f)),
        template="estates/form.html",
        context={"title": estate.name, "back": estate.get_absolute_url(), "community": estate.community},
        message=_("The estate is saved."),
    )


@officials
@require_http_methods(["GET", "POST"])
def term_new(request: HttpRequest, pk: int) -> HttpResponse:
    estate = _managed_estate(request, pk)
    form = TermForm(request.POST or None, user=request.user, capability=MANAGE)

    def save(f: TermForm) -> OwnersCommittee:
        data = f.cleaned_data
        return services.committee_create(
            actor=request.user,
            estate=estate,
            term_starts_on=data["term_starts_on"],
            term_ends_on=data["term_ends_on"],
            members=[(data["person"], data["role"])],
        )

    return form_page(
        request,
        form,
        save=save,
        success=lambda _c: estate.get_absolute_url() + "#committee",
        template="estates/form.html",
        context={
            "title": _("New term of the owners' committee of %(estate)s") % {"estate": estate.name},
            "back": estate.get_absolute_url(),
            "community": estate.community,
        },
        message=_("The term is recorded; add its other members on the estate's page."),
        field_map={"members": "person"},
    )


def _managed_committee(request: HttpRequest, pk: int) -> OwnersCommittee:
    committee = get_object_or_404(
        OwnersCommittee.objects.filter(estate__in=selectors.estates_visible(request.user)).select_related(
            "estate__community"
        ),
        pk=pk,
    )
    if not selectors.may_manage(request.user, committee.estate.region_path):
        raise Http404("not a committee you keep")
    return committee


@officials
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _managed_committee(request, pk)
    form = MemberForm(request.POST, user=request.user, capability=MANAGE)
    return post_action(
        request,
        lambda: services.committee_member_add(actor=request.user, committee=committee, **form.cleaned_data),
        back=committee.estate.get_absolute_url() + "#committee",
        ok=_("The member is added."),
        form=form,
        invalid=_("Choose a person and a role."),
    )


@officials
@require_POST
def member_end(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    committee = _managed_committee(request, pk)
    seat = get_object_or_404(CommitteeMember.objects.filter(committee=committee), pk=member)
    form = EndForm(request.POST)
    return post_action(
        request,
        lambda: services.committee_member_end(actor=request.user, member=seat, on=form.cleaned_data["on"]),
        back=committee.estate.get_absolute_url() + "#committee",
        ok=_("The member has left the committee."),
        form=form,
        invalid=_("Give the day."),
    )


@officials
@require_POST
def term_end(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _managed_committee(request, pk)
    form = EndForm(request.POST)
    return post_action(
        request,
        lambda: services.committee_end(actor=request.user, committee=committee, on=form.cleaned_data["on"]),
        back=committee.estate.get_absolute_url() + "#committee",
        ok=_("The term is ended."),
        form=form,
        invalid=_("Give the day."),
    )


def _meetings_to_link(estate: Estate) -> Any:
    """Meetings held in the estate's community not yet linked to an estate, newest first."""
    return Meeting.objects.filter(
        region__path__startswith=estate.region_path, estate_link__isnull=True
    ).order_by("-scheduled_at", "-id")


@officials
@require_POST
def meeting_link(request: HttpRequest, pk: int) -> HttpResponse:
    estate = _managed_estate(request, pk)
    form = LinkMeetingForm(request.POST, meetings=_meetings_to_link(estate))
    return post_action(
        request,
        lambda: services.joint_meeting_link(
            actor=request.user, estate=estate, meeting=form.cleaned_data["meeting"]
        ),
        back=estate.get_absolute_url() + "#meetings",
        ok=_("The meeting is linked as the estate's 三驾马车 joint meeting."),
        form=form,
        invalid=_("Choose a meeting of this community."),
    )


# ---- a firm's evaluation --------------------------------------------------------------------------


@login_only
@require_GET
def firm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A firm's evaluation of a year: the computed part with the cases behind it, the street's own
    score, the total and whether it reaches 金牌. One firm at a time: never a ranking."""
    firm = selectors.firm_get(request.user, pk)
    year = YearForm(request.GET or None).year_or_default()
    if year > timezone.localdate().year:
        raise Http404("a year to come")
    evaluation = firm_evaluation(firm, year)
    cases_visible = scope_for(request.user, Capability.CASES_VIEW)
    visible_estates = {e.pk for e in selectors.estates_visible(request.user).filter(property_firm=firm)}
    may_score = _may_score(request.user, firm)
    street_id = evaluation.estates[0].community.parent_id if evaluation.estates else None
    rules_place = (
        selectors.rules_places(request.user).filter(pk=street_id).first()
        if street_id is not None and not scope_for(request.user, VIEW).is_empty
        else None
    )
    return render(
        request,
        "estates/firm.html",
        {
            "firm": firm,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 4, -1)),
            "e": evaluation,
            "rules_place": rules_place,
            "estates": [e for e in evaluation.estates if e.pk in visible_estates],
            "cases": paginate(request, evaluation.cases().filter(cases_visible.q("region_path")))
            if not cases_visible.is_empty
            else None,
            "score_form": ScoreForm(
                initial={"year": year, "score": evaluation.subjective, "note": evaluation.subjective_note}
            )
            if may_score
            else None,
        },
    )


def _may_score(user: Any, firm: Any) -> bool:
    manage = scope_for(user, MANAGE)
    streets = services.firm_streets(firm)
    return bool(streets) and all(manage.contains(s.path) for s in streets)


@officials
@require_POST
def firm_score(request: HttpRequest, pk: int) -> HttpResponse:
    firm = selectors.firm_get(request.user, pk)
    form = ScoreForm(request.POST)
    target = reverse("estates:firm", args=[firm.pk])
    if not form.is_valid():
        messages.error(request, _("Give a score between 0 and 100."))
        return redirect(target)
    year = form.cleaned_data["year"]
    try:
        services.evaluation_score(
            actor=request.user,
            firm=firm,
            year=year,
            score=form.cleaned_data.get("score"),
            note=form.cleaned_data.get("note") or "",
        )
    except PermissionDenied:
        raise Http404("the street's score is the street's") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{target}?year={year}")
    messages.success(request, _("The street's score is saved."))
    return redirect(f"{target}?year={year}")


# ---- building heads -------------------------------------------------------------------------------


@officials
@require_GET
def head_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.heads_visible(request.user).order_by("region__path", "id"))
    return render(request, "estates/heads.html", {"page": page})


@officials
@require_http_methods(["GET", "POST"])
def head_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(selectors.heads_visible(request.user), pk=pk)
    may_manage = selectors.may_manage(request.user, position.region.path)
    duty_form = DutyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        return post_action(
            request,
            lambda: services.duty_record(actor=request.user, position=position, **duty_form.cleaned_data),
            back=reverse("estates:head", args=[position.pk]),
            ok=_("The work is recorded; it counts once verified."),
            form=duty_form,
            invalid=_("Give the kind of work, the day and what was done."),
        )
    return render(
        request,
        "estates/head.html",
        {
            "position": position,
            "duties": paginate(request, selectors.duties_of(position)),
            "assessments": position.assessments.order_by("-year"),
            "duty_form": duty_form if may_manage else None,
            "grade_form": GradeForm() if may_manage else None,
            "may_verify": may_manage and getattr(request.user, "person_id", None) != position.person_id,
        },
    )


@officials
@require_POST
def duty_verify(request: HttpRequest, pk: int, duty: int) -> HttpResponse:
    position = get_object_or_404(selectors.heads_visible(request.user), pk=pk)
    found = get_object_or_404(position.duties, pk=duty)
    if not selectors.may_manage(request.user, position.region.path):
        raise PermissionDenied
    return post_action(
        request,
        lambda: services.duty_verify(actor=request.user, duty=found),
        back=reverse("estates:head", args=[position.pk]),
        ok=_("Verified."),
    )


@officials
@require_POST
def head_grade(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(selectors.heads_visible(request.user), pk=pk)
    if not selectors.may_manage(request.user, position.region.path):
        raise PermissionDenied
    form = GradeForm(request.POST)
    return post_action(
        request,
        lambda: services.assessment_set(actor=request.user, position=position, **form.cleaned_data),
        back=reverse("estates:head", args=[position.pk]),
        ok=_("The grade is saved."),
        form=form,
        invalid=_("Choose a year and a grade."),
    )


# ---- subsidy runs ---------------------------------------------------------------------------------


@officials
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    manage = scope_for(request.user, MANAGE)
    communities = selectors.communities_of(request.user).filter(manage.q("path"))
    form = ComputeForm(request.POST if request.method == "POST" else None, communities=communities)
    if request.method == "POST":
        if manage.is_empty:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = services.subsidy_compute(
                    actor=request.user,
                    community=form.cleaned_data["community"],
                    year=form.cleaned_data["year"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The subsidies are computed from the verified work."))
                return redirect(run)
    runs = selectors.runs_visible(request.user)
    latest = runs.filter(status=RunStatus.APPROVED).order_by("-year").values_list("year", flat=True).first()
    year = YearForm(request.GET).year_or_default() if request.GET.get("year") else latest or this_year()
    return render(
        request,
        "estates/runs.html",
        {
            "page": paginate(request, runs.order_by("-year", "region_path")),
            "form": form if not manage.is_empty else None,
            "year": year,
        },
        status=400 if request.method == "POST" else 200,
    )


@officials
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(request.user, pk)
    return render(
        request,
        "estates/run.html",
        {
            "run": run,
            "rows": paginate(request, selectors.run_rows(run), per_page=100),
            "may_manage": selectors.may_manage(request.user, run.region_path),
            "draft": run.status == RunStatus.DRAFT,
        },
    )


@officials
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(request.user, pk)
    if not selectors.may_manage(request.user, run.region_path):
        raise PermissionDenied
    return post_action(
        request,
        lambda: services.subsidy_approve(actor=request.user, run=run),
        back=run,
        ok=_("The subsidies are approved for payment."),
    )


def _payment_selection(request: HttpRequest) -> tuple[YearForm, Any]:
    form = YearForm(request.GET or None)
    return form, selectors.payment_rows(request.user, year=form.year_or_default())


PAYMENT_COLUMNS = [
    Column(gettext_lazy("Community"), lambda r: r.run.community.name, width=16),
    Column(gettext_lazy("Building"), lambda r: r.position.region.name, width=20),
    Column(gettext_lazy("Name"), lambda r: r.position.person.name, width=12),
    Column(gettext_lazy("Days in office"), lambda r: r.days_in_office),
    Column(gettext_lazy("Verified items"), lambda r: r.verified_items),
    Column(gettext_lazy("Grade"), lambda r: r.get_grade_display() if r.grade else "—"),
    Column(gettext_lazy("Amount (yuan)"), lambda r: r.amount, total=True),
]

payment_export = officials(
    export_view(
        _payment_selection,
        PAYMENT_COLUMNS,
        name="building-head-subsidies",
        title=gettext_lazy("Building heads' subsidies (payment sheet)"),
        back="estates:runs",
    )
)


# ---- 楼组 自治金 ------------------------------------------------------------------------------------


@officials
@require_GET
def fund_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.funds_visible(request.user).order_by("region_path", "name"))
    may_manage = not scope_for(request.user, MANAGE).is_empty
    return render(request, "estates/funds.html", {"page": page, "may_manage": may_manage})


@officials
@require_http_methods(["GET", "POST"])
def fund_new(request: HttpRequest) -> HttpResponse:
    community = _community_for_new(request)
    if community is None:
        if _managed_communities(request).exists():
            return _choose_community(request, _("New building-group fund"))
        raise Http404("no community to keep")
    form = FundForm(request.POST or None, community=community)
    return form_page(
        request,
        form,
        save=lambda f: services.fund_create(actor=request.user, community=community, **f.cleaned_data),
        template="estates/form.html",
        context={
            "title": _("New building-group fund of %(community)s") % {"community": community.name},
            "back": reverse("estates:funds"),
            "community": community,
        },
        message=_("The fund is recorded; record its first grant on this page."),
    )


@officials
@require_http_methods(["GET", "POST"])
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A fund's entries; its keepers record a grant or a spending here (a spending beyond the balance
    is refused, the reason shown on the form)."""
    fund = selectors.fund_get(request.user, pk)
    may_manage = selectors.may_manage(request.user, fund.region_path)
    form = EntryForm(request.POST if request.method == "POST" else None, projects=fund.projects.all())
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise Http404("not a fund you keep")
        if form.is_valid():
            try:
                services.fund_entry_add(actor=request.user, fund=fund, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect(fund)
        status = 400
    return render(
        request,
        "estates/fund.html",
        {
            "fund": fund,
            "entries": paginate(request, fund.entries.select_related("project").order_by("-on", "-id")),
            "projects": fund.projects.all(),
            "buildings": fund.buildings.order_by("path"),
            "form": form if may_manage else None,
            "project_form": FundProjectForm() if may_manage else None,
        },
        status=status,
    )


@officials
@require_POST
def fund_project_add(request: HttpRequest, pk: int) -> HttpResponse:
    fund = selectors.fund_get(request.user, pk)
    if not selectors.may_manage(request.user, fund.region_path):
        raise Http404("not a fund you keep")
    form = FundProjectForm(request.POST)
    return post_action(
        request,
        lambda: services.fund_project_create(actor=request.user, fund=fund, **form.cleaned_data),
        back=fund,
        ok=_("The project is added."),
        form=form,
        invalid=_("Name the project and give a budget of zero or more."),
    )


# ---- projects on the map --------------------------------------------------------------------------


@officials
@require_GET
def project_map(request: HttpRequest) -> HttpResponse:
    located = list(selectors.located_projects(request.user))
    unplaced = selectors.projects_to_locate(request.user).filter(location__isnull=True)
    return render(
        request,
        "estates/map.html",
        {"located": located, "statuses": ProjectStatus.choices, "unplaced": unplaced[:20]},
    )


@officials
@require_http_methods(["GET", "POST"])
def project_locate(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a co-building project on the map: latitude and longitude (a point picked on the map fills
    them; without JavaScript they are typed)."""
    project = get_object_or_404(selectors.projects_to_locate(request.user).select_related("region"), pk=pk)
    found = getattr(project, "location", None)
    initial = initial_from(found, ("lat", "lng", "label")) if found else {}
    if not initial and project.region.centre_lat is not None:
        initial = {"lat": project.region.centre_lat, "lng": project.region.centre_lng}
    form = LocationForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        save=lambda f: services.project_locate(actor=request.user, project=project, **f.cleaned_data),
        success=lambda _loc: reverse("estates:map"),
        template="estates/locate.html",
        context={"project": project, "back": reverse("estates:map")},
        message=_("The project is on the map."),
    )


@officials
@require_GET
def project_points(request: HttpRequest) -> JsonResponse:
    """The located projects as GeoJSON points, with their status (the map draws one layer each)."""
    status = request.GET.get("status") or ""
    rows = selectors.located_projects(request.user)
    if status in ProjectStatus.values:
        rows = rows.filter(project__status=status)
    features = [
        {
            "type": "Feature",
            "id": loc.project_id,
            "geometry": {"type": "Point", "coordinates": [loc.lng, loc.lat]},
            "properties": {
                "title": loc.project.title,
                "status": loc.project.status,
                "status_label": str(loc.project.get_status_display()),
                "progress": str(loc.project.progress),
                "where": loc.label or loc.project.region.name,
                "url": reverse("lists:project", args=[loc.project_id]),
            },
        }
        for loc in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


# ---- rule sets (红色业委会 and the firm's evaluation; the building heads' subsidy) ----------------

RULE_KINDS = {
    "estate": (EstateRules, EstateRulesForm, services.ESTATE_FIELDS, services.estate_rules_set),
    "subsidy": (SubsidyRules, SubsidyRulesForm, services.SUBSIDY_FIELDS, services.subsidy_rules_set),
}


def _rules_place(request: HttpRequest, pk: int) -> Region:
    return get_object_or_404(selectors.rules_places(request.user), pk=pk)


def _history(model: Any, defaults: dict[str, Any], place: Region, today: Any) -> dict[str, Any]:
    versions = selectors.rules_versions(model, place)
    current = services.rules_in_force(versions, today, place.path)
    if not any(v.region_id is None for v in versions):
        versions.append(model(**defaults))
    if current is None:
        current = versions[-1]
    return {
        "current": current,
        "versions": versions,
        "later": [v for v in versions if v.valid_from > today],
    }


@officials
@require_GET
def rules_list(request: HttpRequest) -> HttpResponse:
    """The county and streets the user reads, each with the rule versions in force today."""
    today = timezone.localdate()
    page = paginate(request, selectors.rules_places(request.user))
    estate_rows = list(EstateRules.objects.select_related("region"))
    subsidy_rows = list(SubsidyRules.objects.select_related("region"))
    manage = scope_for(request.user, services.CONFIGURE)
    for place in page:
        found_estate = services.rules_in_force(estate_rows, today, place.path)
        found_subsidy = services.rules_in_force(subsidy_rows, today, place.path)
        place.estate_rules = found_estate or EstateRules(**ESTATE_RULES)
        place.subsidy_rules = found_subsidy or SubsidyRules(**SUBSIDY_RULES)
        place.may_manage = manage.contains(place.path)
    return render(request, "estates/rules_list.html", {"page": page, "today": today})


@officials
@require_GET
def rules_place(request: HttpRequest, pk: int) -> HttpResponse:
    """A street's (or the county's) rules: the versions in force today, later ones and earlier ones."""
    place = _rules_place(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "estates/rules.html",
        {
            "place": place,
            "today": today,
            "sets": [
                (
                    "estate",
                    _history(EstateRules, ESTATE_RULES, place, today),
                    _("红色业委会 and the property firms' evaluation"),
                ),
                (
                    "subsidy",
                    _history(SubsidyRules, SUBSIDY_RULES, place, today),
                    _("Building heads' subsidy"),
                ),
            ],
            "may_manage": scope_for(request.user, services.CONFIGURE).contains(place.path),
        },
    )


@officials
@require_http_methods(["GET", "POST"])
def rules_new(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A new version of one rule set at a place, from a day; the form starts from the version in force."""
    if kind not in RULE_KINDS:
        raise Http404("no such rules")
    place = _rules_place(request, pk)
    if not scope_for(request.user, services.CONFIGURE).contains(place.path):
        raise PermissionDenied
    _model, form_class, fields, save = RULE_KINDS[kind]
    today = timezone.localdate()
    lookup = services.estate_rules_for if kind == "estate" else services.subsidy_rules_for
    current = lookup(today, place)
    initial = {**initial_from(current, fields), "valid_from": today}
    form = form_class(request.POST or None, initial=initial)
    back = reverse("estates:rules_place", args=[place.pk])
    return form_page(
        request,
        form,
        save=lambda f: save(
            actor=request.user,
            place=place,
            valid_from=f.cleaned_data["valid_from"],
            values={k: f.cleaned_data.get(k) for k in fields},
            source=f.cleaned_data.get("source") or "",
        ),
        success=back,
        template="estates/rules_form.html",
        context={"place": place, "kind": kind, "back": back, "current": current},
        message=_("The new rules are saved."),
    )
