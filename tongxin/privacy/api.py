"""Subject-rights requests (/privacy/requests): list, file, read and move them, in the caller's
scope (privacy.requests). A request outside the scope is 404."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.core.api import ApiError, reference, require_capability
from tongxin.core.roles import Capability
from tongxin.core.schemas import ErrorOut, Page
from tongxin.core.workflow import IllegalTransition
from tongxin.people.selectors import people_visible
from tongxin.privacy import services
from tongxin.privacy.models import OPEN_STATUSES, RequestChannel, SubjectRequest
from tongxin.privacy.schemas import (
    RequestCreateIn,
    RequestDetailOut,
    RequestFilters,
    RequestOut,
    TransitionIn,
)
from tongxin.privacy.selectors import request_get, requests_by_urgency
from tongxin.regions.models import Level
from tongxin.regions.selectors import regions_visible

router = Router()

HANDLE = Capability.PRIVACY_REQUESTS
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/requests", response=list[RequestOut], summary="List subject-rights requests")
@paginate(Page)
def request_list(request: HttpRequest, filters: Query[RequestFilters]) -> QuerySet[SubjectRequest]:
    """Overdue open requests first, then by due date."""
    require_capability(request.user, HANDLE)
    today = timezone.localdate()
    requests = requests_by_urgency(request.user, today)
    if filters.status:
        requests = requests.filter(status=filters.status)
    if filters.kind:
        requests = requests.filter(kind=filters.kind)
    if filters.overdue is not None:
        late = {"status__in": OPEN_STATUSES, "due_on__lt": today}
        requests = requests.filter(**late) if filters.overdue else requests.exclude(**late)
    return requests


@router.post(
    "/requests", response={201: RequestDetailOut, **ERRORS}, summary="Record a subject-rights request"
)
def request_create(request: HttpRequest, payload: RequestCreateIn) -> Status[SubjectRequest]:
    """Needs privacy.requests at the community; the subject is a person in the register or a phone."""
    require_capability(request.user, HANDLE)
    region = reference(
        regions_visible(request.user, capability=HANDLE).filter(level=Level.COMMUNITY),
        payload.region,
        field="region",
    )
    person = reference(
        people_visible(request.user, capability=HANDLE).select_related("region"),
        payload.person,
        field="person",
    )
    assert region is not None
    filed = services.request_create(
        actor=request.user,
        kind=payload.kind,
        region=region,
        person=person,
        requester_name=payload.requester_name,
        phone=payload.phone,
        detail=payload.detail,
        received_on=payload.received_on,
        channel=RequestChannel.DESK,
    )
    return Status(201, request_get(request.user, filed.pk))


@router.get(
    "/requests/{int:id}",
    response={200: RequestDetailOut, 404: ErrorOut},
    summary="Get a subject-rights request",
)
def request_detail(request: HttpRequest, id: int) -> SubjectRequest:
    require_capability(request.user, HANDLE)
    return request_get(request.user, id)


@router.post(
    "/requests/{int:id}/transitions",
    response={200: RequestDetailOut, 409: ErrorOut, **ERRORS},
    summary="Move a subject-rights request",
    description=(
        "start (received → in progress), complete (with the answer: a deletion request erases the"
        " subject's data), refuse (with the reason). `expected_version`: 409 conflict if the request"
        " changed since it was read; a step its status does not allow is 409 illegal_transition."
    ),
)
def request_transition(request: HttpRequest, id: int, payload: TransitionIn) -> SubjectRequest:
    require_capability(request.user, HANDLE)
    subject_request = request_get(request.user, id)
    try:
        services.request_transition(
            request=subject_request,
            action=payload.action,
            actor=request.user,
            reason=payload.reason,
            version=payload.expected_version,
        )
    except IllegalTransition as exc:
        raise ApiError(409, "illegal_transition", " ".join(exc.messages)) from exc
    except services.RequestConflict as exc:
        raise ApiError(409, "conflict", " ".join(exc.messages)) from exc
    except PermissionDenied:
        raise
    return request_get(request.user, id)
