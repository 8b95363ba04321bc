"""The resident's pages (no account): report a problem, follow it, rate the result.

Nothing here shows personal data or an official's name. The tracking link carries a secret token
of which only the hash is stored; a wrong token is a 404.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.cases.archive import case_history
from tongxin.cases.forms import FindReportForm, RatingForm, ReportForm
from tongxin.cases.models import Case, CaseCategory, CasePhoto, CaseSource, RejectReason
from tongxin.cases.reporting import case_photos_add, photos_validate
from tongxin.cases.selectors import (
    case_by_code_and_phone,
    case_by_tracking_link,
    merged_into_chain,
    possible_duplicates,
    report_areas,
    report_communities,
)
from tongxin.cases.services import (
    RESIDENT,
    CaseConflict,
    IllegalTransition,
    case_intake,
    case_tracking_link_token,
    case_transition,
)
from tongxin.cases.workflow import Action, may_rate, rule_for
from tongxin.core import ratelimit
from tongxin.core.access import public
from tongxin.core.clients import client_address
from tongxin.core.forms import add_service_errors
from tongxin.lib.qr import qr_svg
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import grid_at

REPORT_LIMIT_PER_HOUR = getattr(settings, "TONGXIN_PUBLIC_INTAKE_PER_HOUR", 10)
RATE_WINDOW_SECONDS = 3600
# “find my report”: tries per address and hour, and wrong tries per tracking code and day (four
# digits are 10,000 guesses: the second limit stops a guesser with many addresses)
FIND_LIMIT_PER_HOUR = getattr(settings, "TONGXIN_FIND_LIMIT_PER_HOUR", 10)
FIND_FAILURES_PER_CODE = 10
FIND_CODE_WINDOW_SECONDS = 24 * 3600


def _client_key(request: HttpRequest, purpose: str = "report") -> str:
    # the same key as core.ratelimit.over_limit(request, "cases:report"): the API shares the limit
    return f"limit:cases:{purpose}:" + (client_address(request) or "unknown")


def _count(key: str, window: int = RATE_WINDOW_SECONDS) -> int:
    return ratelimit.hit(key, window)


def _over_limit(request: HttpRequest, purpose: str = "report", limit: int | None = None) -> bool:
    """Count this submission for the sender's address in the shared store (every process counts
    together); True once it passes the hourly limit."""
    return _count(_client_key(request, purpose)) > (REPORT_LIMIT_PER_HOUR if limit is None else limit)


def _map_bounds() -> list[float] | None:
    """Where the map opens: the box around every grid (else every community) with a boundary."""
    for level in (Level.GRID, Level.COMMUNITY):
        box = Region.objects.filter(level=level, min_lng__isnull=False).aggregate(
            a=Min("min_lng"), b=Min("min_lat"), c=Max("max_lng"), d=Max("max_lat")
        )
        if box["a"] is not None:
            return [box["a"], box["b"], box["c"], box["d"]]
    return None


def pin_map_config(*, community: Region | None = None) -> dict[str, Any]:
    """Settings for static/cases/pin_map.js (also used by the patrol and hotline pages)."""
    return {
        "areas": reverse("cases_public:areas"),
        "locate": reverse("cases_public:locate"),
        "bounds": _map_bounds(),
        "community": community.pk if community is not None else None,
        "i18n": {
            "locating": _("Finding the grid…"),
            "in_grid": _("The pin is in %(grid)s, %(community)s."),
            "no_grid": _("The pin is not inside a grid. Move it onto a grid, or choose the community."),
            "failed": _("The server could not be reached. Try again."),
            "geo_failed": _(
                "Your phone did not give its position. Place the pin by hand or choose the area."
            ),
            "geo_wait": _("Asking your phone for its position…"),
        },
    }


@public
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    communities = list(report_communities())
    form = ReportForm(request.POST or None, request.FILES or None, communities=communities)
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            return render(
                request,
                "cases/public/report.html",
                {"form": form, "config": pin_map_config(), "limited": True},
                status=429,
            )
        if form.is_bot():
            form.add_error(None, _("Please leave the last field empty."))
            status = 400
        elif form.is_valid():
            case, token = _submit(request, form)
            if case is not None:
                return redirect(f"{reverse('cases_public:track', args=[case.tracking_code, token])}?new=1")
            status = 400
        else:
            status = 400
    return render(
        request, "cases/public/report.html", {"form": form, "config": pin_map_config()}, status=status
    )


def _submit(request: HttpRequest, form: ReportForm) -> tuple[Case | None, str]:
    data = form.cleaned_data
    try:
        photos = photos_validate(data["photos"])
    except ValidationError as exc:
        form.add_error("photos", exc)
        return None, ""
    try:
        with transaction.atomic():
            case, token = case_intake(
                source=CaseSource.RESIDENT,
                kind=data["kind"],
                category=data["category"],
                description=data["description"],
                lng=data.get("lng"),
                lat=data.get("lat"),
                community=data.get("community"),
                address=data.get("address") or "",
                reporter_phone=data.get("reporter_phone") or "",
            )
            case_photos_add(case=case, photos=photos)
    except ValidationError as exc:
        add_service_errors(form, exc, {"location": "community"})
        return None, ""
    return case, token


@public
@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    """ "Is this the same problem?": open reports of the same category nearby (no personal data)."""
    category = _category_param(request.GET.get("category"))
    lng, lat = _float(request.GET.get("lng")), _float(request.GET.get("lat"))
    community = _community_param(request.GET.get("community"))
    found: list[Case] = []
    if category is not None and ((lng is not None and lat is not None) or community is not None):
        found = possible_duplicates(
            category=category, lng=lng if lat is not None else None, lat=lat, community=community
        )[:5]
    return render(request, "cases/public/_similar.html", {"similar": found})


def _float(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if -180 <= number <= 180 else None


def _category_param(value: str | None) -> CaseCategory | None:
    if not value or not value.isdigit():
        return None
    return CaseCategory.objects.filter(pk=int(value), active=True, parent__isnull=False).first()


def _community_param(value: str | None) -> Region | None:
    if not value or not value.isdigit():
        return None
    return Region.objects.filter(pk=int(value), level=Level.COMMUNITY).first()


def _outline(region: Region) -> dict[str, Any]:
    return region.as_feature(code=region.code)


@public
@require_GET
def areas(request: HttpRequest) -> JsonResponse:
    """Grid outlines and names for the report map: of one community, or within a small box."""
    community = _community_param(request.GET.get("community"))
    bbox = None
    numbers = [_float(p) for p in (request.GET.get("bbox") or "").split(",")]
    if community is None and len(numbers) == 4:
        found = [n for n in numbers if n is not None]
        if len(found) == 4:
            min_lng, min_lat, max_lng, max_lat = found
            # a whole city at once is not a map anyone can place a pin on
            if 0 < max_lng - min_lng <= 0.2 and 0 < max_lat - min_lat <= 0.2:
                bbox = (min_lng, min_lat, max_lng, max_lat)
    grids = report_areas(community=community, bbox=bbox)
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "community": _outline(community) if community is not None and community.geometry else None,
            "features": [_outline(g) for g in grids],
        }
    )


@public
@require_GET
def locate(request: HttpRequest) -> JsonResponse:
    """Which grid and community a point lies in (names only)."""

    lng, lat = _float(request.GET.get("lng")), _float(request.GET.get("lat"))
    if lng is None or lat is None or not -90 <= lat <= 90:
        return JsonResponse(
            {"code": "invalid_coordinates", "message": _("Give a point on the map.")}, status=400
        )
    grid = grid_at(lng, lat)
    community = grid.community() if grid is not None else None
    return JsonResponse(
        {
            "grid": {"id": grid.pk, "name": grid.name, "code": grid.code} if grid is not None else None,
            "community": {"id": community.pk, "name": community.name} if community is not None else None,
        }
    )


def _public_timeline(case: Case) -> list[dict[str, Any]]:
    steps = []
    for transition in case_history(case):
        rule = rule_for(transition.action)
        # the rule's words for residents: steps and roles, never names or officials' notes; internal
        # steps (the worker's warning) are not the resident's concern
        text = rule.labels.public if rule is not None else None
        if text is None:
            continue
        detail = ""
        if transition.action == "reject":
            why = transition.data.get("why", "")
            detail = RejectReason(why).told if why in RejectReason.values else ""
        steps.append({"at": transition.at, "text": text, "detail": detail, "status": transition.to_status})
    return steps


@public
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, code: str, token: str) -> HttpResponse:
    case = case_by_tracking_link(code, token)
    if case is None:
        raise Http404("no such tracking link")
    form = None
    notice = ""
    status = 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        if not may_rate(case):
            notice = _("This case cannot be rated now.")
            status = 409
            form = None
        elif form.is_valid():
            data = form.cleaned_data
            try:
                case = case_transition(
                    case=case,
                    action=Action.RATE,
                    actor=RESIDENT,
                    expected_version=data["expected_version"],
                    rating=data["rating"],
                    solved=data["solved"] == "yes",
                    comment=data["comment"],
                )
            except CaseConflict:
                notice = _("The case changed while you were reading it. Here is its latest state.")
                status = 409
                form = None
                fresh = case_by_tracking_link(code, token)
                case = fresh if fresh is not None else case
            except (IllegalTransition, PermissionDenied, ValidationError) as exc:
                notice = " ".join(getattr(exc, "messages", [str(exc)]))
                status = 400
            else:
                url = reverse("cases_public:track", args=[case.tracking_code, token])
                return redirect(f"{url}?rated={'reopened' if data['solved'] == 'no' else 'yes'}")
        else:
            status = 400
    assert case is not None
    if form is None and may_rate(case):
        form = RatingForm(initial={"expected_version": case.version})
    merged_into = merged_into_chain(case)
    link = request.build_absolute_uri(reverse("cases_public:track", args=[case.tracking_code, token]))
    context = {
        "case": case,
        "token": token,
        "steps": _public_timeline(case),
        "form": form if may_rate(case) else None,
        "notice": notice,
        "new": request.GET.get("new") == "1",
        "rated": request.GET.get("rated", ""),
        "link": link,
        # segno's own markup, from our link and a title of ours
        "qr": mark_safe(qr_svg(link, title=_("QR code of your tracking link"))),  # nosec B308 B703
        "result_photos": _result_photos(case),
        "merged_into": merged_into,
        "merged_steps": _public_timeline(merged_into) if merged_into is not None else [],
    }
    response = render(request, "cases/public/track.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _result_photos(case: Case) -> list[CasePhoto]:
    """The photos the handler sent with the result (never those of the report: they may show people)."""
    if not case.result:
        return []
    return list(case.photos.filter(stage=CasePhoto.Stage.RESULT).order_by("uploaded_at", "id"))


@public
@require_GET
def track_photo(request: HttpRequest, code: str, token: str, photo_pk: int) -> HttpResponse:
    """A photo of the result, for the holder of the tracking link only."""
    case = case_by_tracking_link(code, token)
    if case is None or not case.result:
        raise Http404("no such tracking link")
    photo = get_object_or_404(CasePhoto, pk=photo_pk, case=case, stage=CasePhoto.Stage.RESULT)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Content-Disposition"] = "inline"
    return response  # type: ignore[return-value]


def _code_key(code: str) -> str:
    return "cases:find-code:" + code


@public
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """查询我的诉求: the tracking code and the last four digits of the phone lead back to the private
    tracking link. Every wrong pair gets the same answer, whether the code exists or not."""
    form = FindReportForm(request.POST or None)
    status, failed, limited = 200, False, False
    if request.method == "POST":
        status = 400
        if _over_limit(request, "find", FIND_LIMIT_PER_HOUR):
            limited, status = True, 429
        elif form.is_valid():
            code, digits = form.cleaned_data["code"], form.cleaned_data["digits"]
            blocked = ratelimit.count(_code_key(code)) >= FIND_FAILURES_PER_CODE
            case = None if blocked else case_by_code_and_phone(code, digits)
            if case is not None:
                token = case_tracking_link_token(case=case)
                return redirect(reverse("cases_public:track", args=[case.tracking_code, token]))
            _count(_code_key(code), FIND_CODE_WINDOW_SECONDS)
            failed, status = True, 200  # a well-formed question with no answer, not an error
    response = render(
        request, "cases/public/find.html", {"form": form, "failed": failed, "limited": limited}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response
