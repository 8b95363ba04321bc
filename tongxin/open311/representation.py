"""What GeoReport shows of a category and of a case: public fields only.

A case is shown without personal data: never the reporter's name, phone or email, never the
officials who hold it, never the free-text description or street address (they may name people).
`address` is the community and grid, lat/long are rounded to three decimals (about 100 m)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.cases.models import Case, CaseCategory, CaseStatus
from tongxin.open311.models import ClientKey, ServiceRequest

COORDINATE_DECIMALS = 3


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset, as GeoReport asks (2026-12-07T15:30:00+08:00)."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def service(category: CaseCategory) -> dict[str, Any]:
    parent = category.parent
    assert parent is not None
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _(
            "%(group)s / %(name)s: answered within %(response)s and handled within %(handling)s "
            "working hours."
        )
        % {
            "group": parent.name,
            "name": category.name,
            "response": _hours(category.response_hours),
            "handling": _hours(category.handling_hours),
        },
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join([parent.name, category.name]),
        "group": parent.name,
    }


def _status_notes(case: Case) -> str:
    """The status in words, as the resident's tracking page names it; never an official's note."""
    notes = str(case.get_status_display())
    if case.status == CaseStatus.REJECTED:
        return _("%(status)s. The reason is on the resident's tracking page.") % {"status": notes}
    return notes


def _updated(case: Case) -> datetime:
    moments = [
        case.reported_at,
        case.accepted_at,
        case.dispatched_at,
        case.responded_at,
        case.resolved_at,
        case.verified_at,
        case.closed_at,
        case.archived_at,
        case.rated_at,
    ]
    return max(m for m in moments if m is not None)


def _rounded(value: float | None) -> float | None:
    return round(value, COORDINATE_DECIMALS) if value is not None else None


def request(case: Case, *, reader: ClientKey | None = None) -> dict[str, Any]:
    """A case as GET requests shows it. `reader` is the key reading: the media_url it sent itself
    comes back to it only."""
    sent = _sent(case)
    place = [case.community.name] + ([case.grid.name] if case.grid_id and case.grid else [])
    agency = case.assignee_responder.name if case.assignee_responder_id and case.assignee_responder else ""
    return {
        "service_request_id": case.tracking_code,
        "status": "open" if case.is_open else "closed",
        "status_notes": _status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": None,
        "agency_responsible": agency or case.community.name,
        "service_notice": None,
        "requested_datetime": iso(case.reported_at),
        "updated_datetime": iso(_updated(case)),
        "expected_datetime": iso(case.handling_due),
        "address": " ".join(place),
        "address_id": None,
        "zipcode": None,
        "lat": _rounded(case.lat),
        "long": _rounded(case.lng),
        "media_url": sent.media_url if sent and reader and sent.client_key_id == reader.pk else None,
    }


def _sent(case: Case) -> ServiceRequest | None:
    try:
        return case.open311
    except ServiceRequest.DoesNotExist:
        return None
