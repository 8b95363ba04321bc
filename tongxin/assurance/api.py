"""The security checklist (/security/checklist): each row of SECURITY.md with its state here."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from tongxin.assurance.checklist import as_json, checklist
from tongxin.core.api import require_capability
from tongxin.core.roles import Capability
from tongxin.core.schemas import ErrorOut

router = Router()


class RowOut(Schema):
    number: int
    requirement: str
    source: str
    state: str
    state_label: str
    detail: str
    proofs: list[str]


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut}


@router.get(
    "/checklist", response={200: list[RowOut], **ERRORS}, summary="The security checklist and its state"
)
def checklist_rows(request: HttpRequest) -> list[dict[str, Any]]:
    """State: holds, not_configured (proven, not switched on here), failing, document."""
    require_capability(request.user, Capability.SECURITY_VIEW)
    return as_json(checklist())
