"""The community's case pages: the list with filters and map, the case, and every action on it.

The action forms shown are computed from workflow.RULES and services.may_act, so a page never
offers what the service would refuse; the service still decides, and its refusals are shown.
"""

import typing
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongxin.cases.archive import case_history
from tongxin.cases.forms import (
    ACTION_FORMS,
    ActionForm,
    CaseFilterForm,
)
from tongxin.cases.models import OPEN_STATUSES, Case, CasePhoto, CaseStatus
from tongxin.cases.reporting import case_photos_add, case_reporter_phone_reveal, photos_validate
from tongxin.cases.selectors import (
    case_get_for_actor,
    case_points,
    cases_filter,
    cases_visible,
    in_my_branch_area,
    is_handler,
    possible_duplicates,
    status_counts_bounded,
)
from tongxin.cases.services import CaseConflict, IllegalTransition, allowed_actions_for, case_transition
from tongxin.cases.workflow import timeline_label
from tongxin.core.access import login_only, requires
from tongxin.core.dbrouter import may_lag
from tongxin.core.forms import add_service_errors
from tongxin.core.keyset import COUNT_LIMIT
from tongxin.core.pages import paginate
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.masking import mask_name
from tongxin.regions.models import Level, Region

PER_PAGE = 30
NODE_OPTION_LIMIT = 300
MAP_AREA_LIMIT = 300


# --- the list ---------------------------------------------------------------------------------------


def filter_nodes(user: Any) -> list[Region]:
    """Areas offered in the filter: streets, communities and grids of the user's case scope."""
    scope = scope_for(user, Capability.CASES_VIEW)
    levels = [Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID]
    nodes = list(
        Region.objects.filter(scope.q("path"), level__in=levels).order_by("path")[: NODE_OPTION_LIMIT + 1]
    )
    if len(nodes) > NODE_OPTION_LIMIT:  # a large area: leave out the grids
        nodes = list(
            Region.objects.filter(scope.q("path"), level__in=levels[:3]).order_by("path")[:NODE_OPTION_LIMIT]
        )
    return nodes


def _filtered(request: HttpRequest) -> tuple[CaseFilterForm, Any, Any]:
    """The filter form, the filtered queryset, and the same without the status filter (for counts)."""
    user = request.user
    nodes = filter_nodes(user)
    data = request.GET.copy()
    node = data.get("node", "")
    # a node linked from elsewhere (region pages, the rates table) may lie outside the options
    if node.isdigit() and node not in {str(n.pk) for n in nodes}:
        extra = Region.objects.filter(scope_for(user, Capability.CASES_VIEW).q("path"), pk=node).first()
        if extra is not None:
            nodes.append(extra)
    form = CaseFilterForm(data or None, nodes=nodes)
    filters = form.filters()
    base = cases_visible(user)
    without_status = cases_filter(base, **{**filters, "status": None})
    return form, cases_filter(base, **filters), without_status


def _total(counts: list[tuple[int, bool]]) -> tuple[int, bool]:
    """The sum of bounded counts, a lower bound if any of them is."""
    return sum(n for n, _more in counts), any(more for _n, more in counts)


@requires(Capability.CASES_VIEW)
@require_GET
@may_lag
def case_list(request: HttpRequest) -> HttpResponse:
    form, qs, without_status = _filtered(request)
    qs = qs.select_related("category", "category__parent", "community", "grid").order_by(
        "-reported_at", "-id"
    )
    # a city's cases: the counts stop at COUNT_LIMIT ("more than 10,000") instead of reading a
    # street's whole history on every page (BENCHMARKS.md, city scale: lists)
    page = paginate(request, qs, PER_PAGE, count_limit=COUNT_LIMIT)
    counts = status_counts_bounded(without_status, COUNT_LIMIT)
    context = {
        "form": form,
        "page": page,
        "counts": [(value, label, *counts[value]) for value, label in CaseStatus.choices],
        "open_count": _total([counts[s] for s in OPEN_STATUSES]),
        "total": _total(list(counts.values())),
        "now": timezone.now(),
        "query": request.GET.urlencode(),
        "can_report": not scope_for(request.user, Capability.CASES_REPORT).is_empty,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "case-results":
        return render(request, "cases/list.html#case-results", context)
    return render(request, "cases/list.html", context)


@requires(Capability.CASES_VIEW)
@require_GET
@may_lag
def case_map(request: HttpRequest) -> JsonResponse:
    """The filtered cases with a location, and the outlines of their grids (all in scope)."""
    _form, qs, _without = _filtered(request)
    points = case_points(qs)
    for point in points:
        point["url"] = reverse("cases:detail", args=[point["id"]])
    grid_ids = list({p["grid"] for p in points if p["grid"]})[:MAP_AREA_LIMIT]
    scope = scope_for(request.user, Capability.CASES_VIEW)
    grids = Region.objects.filter(scope.q("path"), pk__in=grid_ids, geometry__isnull=False)
    return JsonResponse(
        {
            "cases": points,
            "areas": [g.as_feature(code=g.code) for g in grids],
        }
    )


# --- one case ---------------------------------------------------------------------------------------


def new_action_form(action: str, user: Any, case: Case, data: Any = None, files: Any = None) -> ActionForm:
    form_class = ACTION_FORMS[action]
    return form_class(data, files, case=case, **form_class.options(user, case))


def available_actions(user: Any, case: Case) -> list[str]:
    """The actions this user may take on this case now: the service's own answer (the rule, its
    guard and may_act), less what no page offers (the worker's warning, the resident's rating)."""
    return [name for name in allowed_actions_for(user, case) if name in ACTION_FORMS]


def _may_reveal(user: Any, case: Case) -> bool:
    return scope_for(user, Capability.CASES_MANAGE).contains(case.region_path) or is_handler(user, case)


def case_context(
    request: HttpRequest,
    case: Case,
    *,
    bound: ActionForm | None = None,
    notice: str = "",
    notice_kind: str = "",
) -> dict[str, Any]:
    user = request.user
    actions = available_actions(user, case)
    forms = [
        bound if bound is not None and bound.action == name else new_action_form(name, user, case)
        for name in actions
    ]
    visible = cases_visible(user)
    duplicates: list[Case] = []
    if case.status in OPEN_STATUSES:
        suggested = possible_duplicates(
            category=case.category, lng=case.lng, lat=case.lat, community=case.community, exclude_pk=case.pk
        )
        visible_ids = set(visible.filter(pk__in=[c.pk for c in suggested]).values_list("pk", flat=True))
        duplicates = [c for c in suggested if c.pk in visible_ids]
    now = timezone.now()
    return {
        "case": case,
        "forms": [f for f in forms if f.action != "merge"],
        "merge_form": next((f for f in forms if f.action == "merge"), None),
        "timeline": [(t, timeline_label(t.action)) for t in case_history(case)],
        "whistles": case.whistles.select_related("whistle_type", "to_responder", "to_region").order_by(
            "whistled_at", "id"
        ),
        "supervisions": case.supervisions.order_by("created_at", "id"),
        "photos": list(case.photos.all()),
        "duplicates": duplicates,
        "merged_here": visible.filter(duplicate_of=case).order_by("reported_at"),
        "duplicate_of": visible.filter(pk=case.duplicate_of_id).first() if case.duplicate_of_id else None,
        "reporter_name": mask_name(case.reporter_name),
        "can_reveal": _may_reveal(user, case) and bool(case.reporter_phone_encrypted),
        "overdue": case.status in OPEN_STATUSES and case.handling_due is not None and case.handling_due < now,
        "now": now,
        "notice": notice,
        "notice_kind": notice_kind,
        "in_scope": scope_for(user, Capability.CASES_VIEW).contains(case.region_path),
    }


@login_only
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_actor(request.user, pk)
    return render(request, "cases/detail.html", case_context(request, case))


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


@login_only
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Apply one action through case_transition; refusals change nothing and are shown as such."""
    user = request.user
    if action not in ACTION_FORMS:
        raise Http404("unknown action")
    try:
        case = case_get_for_actor(user, pk)
    except Http404:
        if action == "take" and in_my_branch_area(user, pk):  # it left the pool a moment ago
            messages.error(request, _("Someone else took this order first."))
            return redirect("cases:pool")
        raise
    form: ActionForm | None = new_action_form(action, user, case, request.POST, request.FILES)
    assert form is not None
    photos: list[Any] = []
    notice, kind, status = "", "error", 400
    if form.is_valid() and "photos" in form.cleaned_data:
        try:
            photos = photos_validate(form.cleaned_data["photos"])
        except ValidationError as exc:
            form.add_error("photos", exc)
    if form.is_valid():
        try:
            with transaction.atomic():
                updated = case_transition(
                    case=case.pk,
                    action=action,
                    actor=user,
                    reason=form.cleaned_data.get("reason", ""),
                    expected_version=form.cleaned_data["expected_version"],
                    **form.transition_params(),
                )
                if photos:
                    case_photos_add(case=updated, photos=photos, stage=CasePhoto.Stage.RESULT, actor=user)
        except CaseConflict:
            notice = _(
                "Someone else changed this case a moment ago. It has been reloaded: check it and try again."
            )
            kind, status, form = "conflict", 409, None
        except IllegalTransition as exc:
            notice, status, form = " ".join(exc.messages), 409, None
        except PermissionDenied as exc:
            notice, status, form = str(exc) or _("You may not do this to this case."), 403, None
        except ValidationError as exc:
            add_service_errors(
                form, exc, {"to_user": "to", "to_responder": "to", "original": "original", "into": "into"}
            )
            notice = _("Nothing was changed: please correct the form.")
        else:
            notice, kind, status, form = (
                _("Done: the case is %(status)s.") % {"status": updated.get_status_display()},
                "success",
                200,
                None,
            )
    else:
        notice = _("Nothing was changed: please correct the form.")
    return _after_action(request, pk, form, notice, kind, status)


def _after_action(
    request: HttpRequest, pk: int, form: ActionForm | None, notice: str, kind: str, status: int
) -> HttpResponse:
    user = request.user
    back = _safe_next(request)
    if back:  # actions posted from a list go back to it, with the outcome as a message
        if form is not None and form.errors:
            notice = " ".join([notice, *(str(e) for errors in form.errors.values() for e in errors)])
        (messages.success if status == 200 else messages.error)(request, notice)
        return redirect(back)
    try:
        case = case_get_for_actor(user, pk)
    except Http404:  # e.g. a handler who returned the task no longer sees the case
        (messages.success if status == 200 else messages.error)(request, notice)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("cases:mine")
            return response
        return redirect("cases:mine")
    if status == 200 and not request.headers.get("HX-Request"):
        messages.success(request, notice)
        return redirect(case.get_absolute_url())
    context = case_context(request, case, bound=form, notice=notice, notice_kind=kind)
    if request.headers.get("HX-Request"):
        # htmx swaps 2xx answers only: the outcome is in the fragment itself
        return render(request, "cases/detail.html#case-main", context)
    return render(request, "cases/detail.html", context, status=status)


@login_only
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter's full phone number for someone who must call back; recorded in the audit trail."""
    case = case_get_for_actor(request.user, pk)
    if not _may_reveal(request.user, case):
        raise PermissionDenied
    value = case_reporter_phone_reveal(case=case, actor=request.user, request=request)
    # a tel: link, so a worker on the phone calls back with one tap (digits and a leading + only)
    tel = "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return render(request, "cases/_phone_revealed.html", {"value": value, "tel": tel})


@login_only
@require_GET
def case_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """A photo of a case, only for those who may open the case; never a public file."""
    case = case_get_for_actor(request.user, pk)
    photo = get_object_or_404(CasePhoto, pk=photo_pk, case=case)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return typing.cast(HttpResponse, response)  # a streamed file; the access decorators type plain responses
