"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2), JSON and XML.

discovery, services and service definitions are open to anyone. POST requests needs an api_key
issued by the security administrator; GET requests, requests/{id} and tokens/{token} need one too
unless TONGXIN_OPEN311_OPEN_READS is on. A key reaches only the cases of its node: a case elsewhere
is 404, a report of a place elsewhere 403. Errors are GeoReport's [{code, description}].
These endpoints follow their own specification, not the Ninja API's conventions (docs/api.md)."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.cases.models import OPEN_STATUSES
from tongxin.core.access import public
from tongxin.core.ratelimit import over_limit
from tongxin.open311 import representation, selectors
from tongxin.open311.attributes import definition_attributes
from tongxin.open311.formats import errors, respond
from tongxin.open311.keys import client_key_use
from tongxin.open311.models import ClientKey, ServiceRequest
from tongxin.open311.services import ReferenceReused, Submission, service_request_create

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00+08:00"
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]{1,40})\]$")
IDEMPOTENCY_HEADER = "Idempotency-Key"


class Refused(Exception):
    """Answer the request with a GeoReport error."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions)
        self.status = status
        self.descriptions = descriptions


def _key(request: HttpRequest, operation: str, *, required: bool) -> ClientKey | None:
    """The key sent with the request (checked, counted and audited), or None for an open read."""
    params = request.POST if request.method == "POST" else request.GET
    secret = (params.get("api_key") or "").strip()
    if not secret:
        if required:
            raise Refused(403, _("api_key is required: ask the security administrator for a key."))
        if over_limit(request, "open311:read", settings.TONGXIN_OPEN311_OPEN_READS_PER_HOUR):
            raise Refused(429, _("Too many requests from this address in the last hour. Try again later."))
        return None
    if len(secret) > 100:
        raise Refused(403, _("api_key is not valid."))
    check = client_key_use(secret=secret, request=request, operation=operation)
    if check.key is None:
        raise Refused(403, _("api_key is not valid: unknown, revoked or expired."))
    if check.limited:
        raise Refused(429, _("This api_key has made too many requests in the last hour. Try again later."))
    return check.key


def _read_key(request: HttpRequest, operation: str) -> ClientKey | None:
    return _key(request, operation, required=not settings.TONGXIN_OPEN311_OPEN_READS)


def _scope(key: ClientKey | None) -> str | None:
    return key.region.path if key is not None else None


def _answer(fmt: str, call: Callable[[], HttpResponse]) -> HttpResponse:
    try:
        return call()
    except Refused as refused:
        return errors(fmt, refused.status, *refused.descriptions)


# --- discovery and services ------------------------------------------------------------------


@public
@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    endpoint = request.build_absolute_uri(reverse("open311:discovery", args=["json"])).rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": _("Ask the security administrator of your street or county for an api_key."),
        "key_service": request.build_absolute_uri("/open311/keys/"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


@public
@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", [representation.service(c) for c in selectors.services()])


@public
@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = selectors.service_get(code)
    if category is None:
        return errors(fmt, 404, _("There is no service with the code %(code)s.") % {"code": code})

    def answer() -> HttpResponse:
        key = _key(request, "service_definition", required=False) if request.GET.get("api_key") else None
        communities = selectors.communities_within(_scope(key))
        data = {"service_code": category.code, "attributes": definition_attributes(communities)}
        return respond(fmt, "service_definition", data)

    return _answer(fmt, answer)


# --- requests --------------------------------------------------------------------------------


@public
@csrf_exempt  # a client system posts with its api_key, never with a session
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _answer(fmt, lambda: _create(request, fmt))
    return _answer(fmt, lambda: _list(request, fmt))


def _float(value: str | None, name: str, low: float, high: float) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise Refused(400, _("%(name)s must be a number.") % {"name": name}) from None
    if not low <= number <= high:
        raise Refused(
            400,
            _("%(name)s must lie between %(low)s and %(high)s.") % {"name": name, "low": low, "high": high},
        )
    return number


def _submission(request: HttpRequest) -> Submission:
    data = request.POST
    lat = _float(data.get("lat"), "lat", -90, 90)
    lng = _float(data.get("long"), "long", -180, 180)
    if (lat is None) != (lng is None):
        raise Refused(400, _("Give both lat and long, or neither."))
    attributes = {}
    for name in data:
        match = ATTRIBUTE.match(name)
        if match:
            attributes[match.group(1)] = data.get(name, "").strip()
    client_ref = (request.headers.get(IDEMPOTENCY_HEADER) or data.get("client_ref") or "").strip()
    if len(client_ref) > 100 or not client_ref.isprintable():
        raise Refused(400, _("The client reference must be at most 100 printable characters."))
    return Submission(
        service_code=data.get("service_code", "").strip(),
        description=data.get("description", "").strip(),
        lat=lat,
        long=lng,
        address_string=data.get("address_string", "").strip(),
        email=data.get("email", "").strip(),
        phone=data.get("phone", "").strip(),
        first_name=data.get("first_name", "").strip(),
        last_name=data.get("last_name", "").strip(),
        media_url=data.get("media_url", "").strip(),
        attributes=attributes,
        client_ref=client_ref,
    )


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request, "create_request", required=True)
    assert key is not None
    submission = _submission(request)
    if not submission.service_code:
        raise Refused(400, _("service_code is required."))
    category = selectors.service_get(submission.service_code)
    if category is None:
        raise Refused(
            400, _("There is no service with the code %(code)s.") % {"code": submission.service_code}
        )
    try:
        row, created = service_request_create(key=key, category=category, submission=submission)
    except ValidationError as exc:
        raise Refused(400, *_messages(exc)) from None
    except PermissionDenied as exc:
        raise Refused(403, str(exc) or _("The place lies outside the area this key serves.")) from None
    except ReferenceReused:
        raise Refused(400, _("This client reference was already used for a different request.")) from None
    data = [
        {
            "service_request_id": row.case.tracking_code,
            "token": row.token,
            "service_notice": _("The community answers within %(hours)s working hours.")
            % {"hours": representation._hours(category.response_hours)},
            "account_id": None,
        }
    ]
    response = respond(fmt, "service_requests", data, status=201 if created else 200)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()]
    return list(exc.messages)


def _moment(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value.strip().replace(" ", "+"))
    if parsed is None:
        raise Refused(
            400, _("%(name)s must be a W3C date and time, e.g. 2026-12-01T00:00:00+08:00.") % {"name": name}
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _comma(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _read_key(request, "get_requests")
    cases = selectors.cases_within(_scope(key))
    ids = _comma(request.GET.get("service_request_id"))
    if ids:  # overrides every other filter, as the specification says
        cases = cases.filter(tracking_code__in=[i.upper() for i in ids[:MAX_RESULTS]])
    else:
        cases = _filtered(request, cases)
    rows = list(cases.order_by("-reported_at", "-id")[:MAX_RESULTS])
    return respond(fmt, "service_requests", [representation.request(c, reader=key) for c in rows])


def _filtered(request: HttpRequest, cases: Any) -> Any:
    codes = _comma(request.GET.get("service_code"))
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = set(_comma(request.GET.get("status")))
    if statuses - {"open", "closed"}:
        raise Refused(400, _("status must be open, closed or both, comma separated."))
    if statuses == {"open"}:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        cases = cases.exclude(status__in=OPEN_STATUSES)
    start = _moment(request.GET.get("start_date"), "start_date")
    end = _moment(request.GET.get("end_date"), "end_date")
    if start and end and start > end:
        raise Refused(400, _("start_date is after end_date."))
    if start and end and end - start > MAX_SPAN:
        raise Refused(400, _("start_date and end_date may not lie more than 90 days apart."))
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    return cases.filter(reported_at__gte=start, reported_at__lte=end)


@public
@require_GET
def request_detail(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    def answer() -> HttpResponse:
        key = _read_key(request, "get_request")
        case = selectors.cases_within(_scope(key)).filter(tracking_code=code.upper()).first()
        if case is None:
            raise Refused(404, _("There is no service request %(id)s here.") % {"id": code})
        return respond(fmt, "service_requests", [representation.request(case, reader=key)])

    return _answer(fmt, answer)


@public
@require_GET
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    def answer() -> HttpResponse:
        key = _read_key(request, "get_token")
        found = ServiceRequest.objects.filter(token=token).select_related("case").first()
        path = _scope(key)
        if found is None or (path is not None and not found.case.region_path.startswith(path)):
            raise Refused(404, _("There is no request with this token here."))
        return respond(
            fmt, "service_requests", [{"service_request_id": found.case.tracking_code, "token": token}]
        )

    return _answer(fmt, answer)
