"""The 12345 exchange's endpoint: a hotline platform pushes a ticket (工单下派), signed.

    POST /api/v1/exchange/hotline/tickets
    X-Tongxin-Peer: <the platform's code>
    X-Tongxin-Timestamp: <Unix seconds>
    X-Tongxin-Signature: hex(HMAC-SHA256(secret, "<timestamp>." + body))

The signature is checked before the body is read, in constant time; a timestamp more than five
minutes off, or a signature already accepted, is refused. docs/api.md, "Integrations", has the
callback Tongxin sends back.
"""

import time
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import ValidationError as SchemaInvalid
from pydantic import ValidationError as SchemaError

from tongxin.audit.models import Action as AuditAction
from tongxin.audit.models import Outcome
from tongxin.audit.services import audit_record
from tongxin.core.api import ApiError
from tongxin.core.schemas import ErrorOut
from tongxin.exchange.models import HotlinePeer
from tongxin.exchange.services import SignatureRefused, signature_remember, ticket_receive
from tongxin.exchange.signing import hotline_signature_ok, timestamp_fresh

router = Router()


class TicketIn(Schema):
    """A ticket as the platform hands it down. Give a point (`lng`/`lat`) or a community's region
    code; a category code of Tongxin or the platform's category text."""

    ticket_number: str = Field(
        min_length=1, max_length=40, description="The platform's ticket number (工单号)"
    )
    category: str = Field("", max_length=16, description="A second-level case category code of Tongxin")
    category_text: str = Field("", max_length=60, description="The platform's category name, e.g. 噪音扰民")
    kind: str = Field(
        "complaint", max_length=12, description="enquiry, help, complaint, report or suggestion"
    )
    description: str = Field(min_length=1, max_length=4000)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    community: str = Field("", max_length=20, description="The community's region code, without a point")
    address: str = Field("", max_length=200)
    deadline: datetime | None = Field(None, description="The platform's deadline, ISO 8601 with offset")
    caller_phone: str = Field("", max_length=20, description="Optional; kept encrypted, shown masked")


class TicketOut(Schema):
    ticket_number: str
    case: str = Field(description="Tongxin's tracking code of the case")
    created: bool = Field(description="false when the ticket was pushed before: the same case")
    status: str


def _refuse(request: HttpRequest, peer: HotlinePeer | None, code: str, message: str) -> ApiError:
    audit_record(
        action=AuditAction.IMPORT,
        username=(request.headers.get("X-Tongxin-Peer") or "")[:40],
        request=request,
        region=peer.region if peer is not None else None,
        target=f"hotlinepeer:{peer.pk}" if peer is not None else "hotlinepeer",
        outcome=Outcome.DENIED,
        detail={"kind": "12345 ticket", "refused": code},
    )
    return ApiError(401, code, message)


def _verified_peer(request: HttpRequest) -> HotlinePeer:
    code = request.headers.get("X-Tongxin-Peer", "")
    stamp = request.headers.get("X-Tongxin-Timestamp", "")
    signature = request.headers.get("X-Tongxin-Signature", "")
    peer = (
        HotlinePeer.objects.select_related("region").filter(code=code, active=True).first() if code else None
    )
    if peer is None or not signature:
        raise _refuse(request, peer, "unsigned", _("Name the platform and sign the request."))
    if not timestamp_fresh(stamp, time.time()):
        raise _refuse(request, peer, "stale", _("The request's timestamp is too old or in the future."))
    if not hotline_signature_ok(peer.reveal_secret(), stamp, request.body, signature):
        raise _refuse(request, peer, "bad_signature", _("The signature does not match the request."))
    try:
        signature_remember(peer=peer, signature=signature.strip().lower(), now=timezone.now())
    except SignatureRefused as exc:
        raise _refuse(request, peer, exc.code, exc.message) from None
    return peer


@router.post(
    "/hotline/tickets",
    response={200: TicketOut, 201: TicketOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Push a 12345 ticket (signed by the hotline platform)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": TicketIn.model_json_schema()}},
        },
        "parameters": [
            {
                "in": "header",
                "name": name,
                "required": True,
                "schema": {"type": "string"},
                "description": text,
            }
            for name, text in [
                ("X-Tongxin-Peer", "The platform's code, as configured in Tongxin"),
                ("X-Tongxin-Timestamp", "Unix time in seconds; at most 300 s from Tongxin's clock"),
                ("X-Tongxin-Signature", 'hex(HMAC-SHA256(secret, "<timestamp>." + body))'),
            ]
        ],
    },
)
def hotline_ticket_push(request: HttpRequest) -> Any:
    """A 12345 platform hands a ticket down. The first push of a ticket number makes a case in the
    community (located to its grid, in the community's list and the rates); a later push of the
    same number changes nothing but the deadline and adds its text to the ticket, and answers 200
    with the same case. Tongxin then tells the platform's callback of each change, in order."""
    peer = _verified_peer(request)
    try:
        ticket_in = TicketIn.model_validate_json(request.body or b"{}")
    except SchemaError as exc:  # the API's handler answers 422 with each field's error
        raise SchemaInvalid([dict(e) for e in exc.errors()]) from exc
    data: dict[str, Any] = ticket_in.model_dump()
    ticket, created = ticket_receive(peer=peer, data=data)
    case = ticket.case
    return (201 if created else 200), TicketOut(
        ticket_number=ticket.number, case=case.tracking_code, created=created, status=case.status
    )
