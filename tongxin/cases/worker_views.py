"""Pages for the people who work cases day to day: my cases (grid worker, handler), the patrol
report, the hotline entry, the Party members' order pool and the supervisors' queue."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.cases.forms import HotlineForm, PatrolForm
from tongxin.cases.models import OPEN_STATUSES, Case, CaseSource
from tongxin.cases.public_views import pin_map_config
from tongxin.cases.reporting import case_intake_in_grid, case_photos_add, photos_validate
from tongxin.cases.selectors import (
    cases_assigned_to,
    cases_for_supervision,
    cases_in_pool,
    cases_to_verify,
    cases_visible,
    cases_whistled_to,
    pending_supervision_counts,
    supervisions_to_answer,
)
from tongxin.cases.services import case_intake, locate
from tongxin.core.access import login_only, requires
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import paginate
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import ancestor_ids
from tongxin.regions.models import Level, Region

LIST_LIMIT = 50
HOTLINE_SESSION_KEY = "cases:hotline:last"


def _rows(qs: Any, limit: int = LIST_LIMIT) -> list[Case]:
    return list(
        qs.select_related("category", "category__parent", "community", "grid").order_by(
            "handling_due", "reported_at"
        )[:limit]
    )


@login_only
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Everything waiting for me: cases I hold, whistles to my team, on-site checks, my grid."""
    user = request.user
    in_my_area = cases_visible(user).filter(status__in=OPEN_STATUSES)
    context = {
        "assigned": _rows(cases_assigned_to(user)),
        "whistled": _rows(cases_whistled_to(user)),
        "to_verify": _rows(cases_to_verify(user)),
        "supervisions": list(supervisions_to_answer(user)[:LIST_LIMIT]),
        "area": _rows(in_my_area),
        "area_total": in_my_area.count(),
        "can_view": not scope_for(user, Capability.CASES_VIEW).is_empty,
        "can_report": not scope_for(user, Capability.CASES_REPORT).is_empty,
        "in_pool": cases_in_pool(user).count(),
        "is_member": bool(user.person_id and user.person.party_status and user.person.branch_id),  # type: ignore[union-attr]
        "now": timezone.now(),
        "here": reverse("cases:mine"),
    }
    return render(request, "cases/mine.html", context)


def _report_scope_grids(user: Any) -> Any:
    scope = scope_for(user, Capability.CASES_REPORT)
    return Region.objects.filter(scope.q("path"), level=Level.GRID).order_by("path")


@requires(Capability.CASES_REPORT)
@require_http_methods(["GET", "POST"])
def patrol(request: HttpRequest) -> HttpResponse:
    """A problem found on patrol (巡查上报). The phone's position helps; the grid alone is enough."""
    user = request.user
    grids = _report_scope_grids(user)
    # the grid the worker's role is held at (their own grid), when it is one
    own_grid = grids.filter(path__in=scope_for(user, Capability.CASES_REPORT).roots).first()
    form = PatrolForm(request.POST or None, request.FILES or None, grids=grids, own_grid=own_grid)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            case = _patrol_submit(request, form)
            if case is not None:
                messages.success(
                    request, _("Case %(code)s is recorded for your grid.") % {"code": case.tracking_code}
                )
                return redirect(case.get_absolute_url())
    first = own_grid or grids.first()
    community = first.community() if first is not None else None
    context = {"form": form, "config": pin_map_config(community=community)}
    return render(request, "cases/patrol.html", context, status=status)


def _patrol_submit(request: HttpRequest, form: PatrolForm) -> Case | None:
    data = form.cleaned_data
    scope = scope_for(request.user, Capability.CASES_REPORT)
    try:
        photos = photos_validate(data["photos"])
        common = {
            "source": CaseSource.PATROL,
            "kind": data["kind"],
            "category": data["category"],
            "description": data["description"],
            "address": data.get("address") or "",
            "reported_by": request.user,
        }
        with transaction.atomic():
            if data.get("lng") is not None:
                grid, community = locate(lng=data["lng"], lat=data["lat"], community=None)
                if not scope.contains((grid or community).path):
                    raise ValidationError(
                        {"grid": [_("This point lies outside your area: report it to its own grid.")]}
                    )
                case, _token = case_intake(lng=data["lng"], lat=data["lat"], **common)
            else:
                case, _token = case_intake_in_grid(grid=data["grid"], **common)
            case_photos_add(case=case, photos=photos, actor=request.user)
    except ValidationError as exc:
        add_service_errors(form, exc, {"location": "grid"})
        return None
    return case


def _hotline_communities(user: Any) -> list[Region]:
    scope = scope_for(user, Capability.CASES_REPORT)

    # communities inside the scope, and the community of a grid-level scope
    inside = list(Region.objects.filter(scope.q("path"), level=Level.COMMUNITY).select_related("parent"))
    above = Region.objects.filter(
        pk__in=[pk for root in scope.roots for pk in ancestor_ids(root)], level=Level.COMMUNITY
    ).select_related("parent")
    found = {r.pk: r for r in [*inside, *above]}
    return sorted(found.values(), key=lambda r: r.path)


@requires(Capability.CASES_REPORT)
@require_http_methods(["GET", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    """A call to 12345 entered with its ticket number; located by community or point."""
    user = request.user
    communities = _hotline_communities(user)
    form = HotlineForm(request.POST or None, communities=communities)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            scope = scope_for(user, Capability.CASES_REPORT)
            try:
                with transaction.atomic():
                    point = (
                        (data.get("lng"), data.get("lat")) if data.get("lng") is not None else (None, None)
                    )
                    grid, community = locate(lng=point[0], lat=point[1], community=data.get("community"))
                    if not scope.contains((grid or community).path) and community not in communities:
                        raise ValidationError({"community": [_("This place lies outside your area.")]})
                    case, token = case_intake(
                        source=CaseSource.HOTLINE,
                        kind=data["kind"],
                        category=data["category"],
                        description=data["description"],
                        hotline_ticket=data["hotline_ticket"],
                        lng=point[0],
                        lat=point[1],
                        community=data.get("community"),
                        address=data.get("address") or "",
                        reporter_name=data.get("reporter_name") or "",
                        reporter_phone=data.get("reporter_phone") or "",
                        reported_by=user,
                    )
            except ValidationError as exc:
                add_service_errors(form, exc, {"location": "community"})
            else:
                # the resident's link is shown once, to be read out or sent; only its hash is kept
                request.session[HOTLINE_SESSION_KEY] = {"pk": case.pk, "token": token}
                return redirect("cases:hotline_done", pk=case.pk)
    context = {"form": form, "config": pin_map_config()}
    return render(request, "cases/hotline.html", context, status=status)


@requires(Capability.CASES_REPORT)
@require_GET
def hotline_done(request: HttpRequest, pk: int) -> HttpResponse:
    last = request.session.get(HOTLINE_SESSION_KEY) or {}
    case = cases_visible(request.user, capability=Capability.CASES_REPORT).filter(pk=pk).first()
    if case is None or last.get("pk") != pk:
        raise Http404("nothing entered here")
    link = request.build_absolute_uri(reverse("cases_public:track", args=[case.tracking_code, last["token"]]))
    return render(request, "cases/hotline_done.html", {"case": case, "link": link})


@login_only
@require_GET
def pool(request: HttpRequest) -> HttpResponse:
    """The order pool of the grids under my Party branch (接单)."""
    user = request.user
    person = user.person if user.person_id else None  # type: ignore[union-attr]
    branch = person.branch if person is not None and person.party_status and person.branch_id else None
    cases = _rows(cases_in_pool(user), limit=200)
    return render(
        request,
        "cases/pool.html",
        {
            "cases": cases,
            "is_member": branch is not None,
            "branch": branch,
            "now": timezone.now(),
        },
    )


@requires(Capability.CASES_SUPERVISE)
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    """Overdue and supervised cases of my subtree; a note here must be answered by the handler."""
    now = timezone.now()
    qs = (
        cases_for_supervision(request.user, now=now)
        .select_related(
            "category", "category__parent", "community", "grid", "assignee_user__person", "assignee_responder"
        )
        .order_by("handling_due", "reported_at")
    )
    page = paginate(request, qs, 30)
    pending = pending_supervision_counts([c.pk for c in page])
    return render(
        request,
        "cases/supervision.html",
        {
            "page": page,
            "rows": [(c, pending.get(c.pk, 0)) for c in page],
            "now": now,
            "here": request.get_full_path(),
        },
    )
