"""/api/v1/exports: requests for an export with full phone and ID-card numbers. A second person
approves (the requester gets 403), the requester downloads until the file expires."""

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tongxin.core.api import require_capability
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, Page
from tongxin.regions.selectors import region_get
from tongxin.transfer.models import ExportRequest
from tongxin.transfer.requests import (
    export_request_create,
    export_request_decide,
    export_request_download,
    export_request_get,
    export_requests_visible,
)

router = Router()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportRequestIn(Schema):
    root: int = Field(..., ge=1, le=2**31 - 1, description="the region whose people are exported")
    purpose: Literal["contact", "case", "verify", "visit", "statistics", "other"]
    note: str = Field("", max_length=200)


class DecisionIn(Schema):
    reason: str = Field("", max_length=200)


class ExportRequestOut(Schema):
    id: int
    kind: str
    root: int = Field(..., alias="root_id")
    rows: int
    purpose: str
    note: str
    status: str
    requested_by: str = Field(..., alias="requested_by.username")
    created_at: datetime
    decided_at: datetime | None
    reason: str
    expires_at: datetime


def _get(request: HttpRequest, id: int) -> ExportRequest:
    require_capability(request.user, Capability.DATA_EXPORT)
    return export_request_get(request.user, id)


@router.get("", response=list[ExportRequestOut], summary="Export requests: yours and those you may approve")
@paginate(Page)
def export_request_list(request: HttpRequest) -> QuerySet[ExportRequest]:
    require_capability(request.user, Capability.DATA_EXPORT)
    return export_requests_visible(request.user).order_by("-id")


@router.post("", response={201: ExportRequestOut, **ERRORS}, summary="Request an export with full numbers")
def export_request_create_endpoint(request: HttpRequest, payload: ExportRequestIn) -> Status[ExportRequest]:
    require_capability(request.user, Capability.DATA_EXPORT)
    root = region_get(request.user, payload.root, capability=Capability.DATA_EXPORT)
    export = export_request_create(
        user=request.user, root=root, purpose=payload.purpose, note=payload.note, request=request
    )
    return Status(201, export)


@router.get("/{id}", response={200: ExportRequestOut, **ERRORS}, summary="One export request")
def export_request_detail(request: HttpRequest, id: int) -> ExportRequest:
    return _get(request, id)


@router.post(
    "/{id}/approve", response={200: ExportRequestOut, **ERRORS}, summary="Approve (not your own: 403)"
)
def export_request_approve(request: HttpRequest, id: int) -> ExportRequest:
    return export_request_decide(export=_get(request, id), user=request.user, approve=True, request=request)


@router.post("/{id}/refuse", response={200: ExportRequestOut, **ERRORS}, summary="Refuse, with a reason")
def export_request_refuse(request: HttpRequest, id: int, payload: DecisionIn) -> ExportRequest:
    return export_request_decide(
        export=_get(request, id), user=request.user, approve=False, reason=payload.reason, request=request
    )


@router.get("/{id}/download", response={200: None, **ERRORS}, summary="The approved file (requester only)")
def export_request_file(request: HttpRequest, id: int) -> HttpResponse:
    content, filename = export_request_download(export=_get(request, id), user=request.user, request=request)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
