"""/api/v1/gridwork: the log (list, record — a finding with a category becomes one case), campaigns
(list, detail, coverage). Scope: an entry, grid or campaign outside the caller's area is 404."""

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.cases.models import CaseCategory
from tongxin.core.api import reference, require_capability, required
from tongxin.core.schemas import ERRORS, ErrorOut, Page
from tongxin.core.scope import scope_for
from tongxin.gridwork import selectors
from tongxin.gridwork.models import Campaign, LogEntry
from tongxin.gridwork.schemas import (
    CampaignDetailOut,
    CampaignOut,
    CoverageOut,
    EntryFilters,
    EntryIn,
    EntryOut,
)
from tongxin.gridwork.services import RECORD, VIEW, log_finding_report, log_record
from tongxin.households.models import Household

router = Router()


def _entries(request: HttpRequest) -> QuerySet[LogEntry]:
    return selectors.entries_visible(request.user).select_related("kind", "grid", "case")


@router.get("/entries", response=list[EntryOut], summary="List log entries")
@paginate(Page)
def entry_list(request: HttpRequest, filters: Query[EntryFilters]) -> QuerySet[LogEntry]:
    """The log of the caller's area, newest first."""
    require_capability(request.user, VIEW)
    rows = _entries(request).order_by("-at", "-id")
    if filters.since:
        rows = rows.filter(at__gte=timezone.make_aware(datetime.combine(filters.since, time.min)))
    if filters.until:
        end = timezone.make_aware(datetime.combine(filters.until, time.min)) + timedelta(days=1)
        rows = rows.filter(at__lt=end)
    if filters.kind:
        rows = rows.filter(code=filters.kind)
    if filters.grid:
        rows = rows.filter(grid_id=filters.grid)
    return rows


@router.get("/entries/{int:id}", response={200: EntryOut, 404: ErrorOut}, summary="Get a log entry")
def entry_detail(request: HttpRequest, id: int) -> LogEntry:
    require_capability(request.user, VIEW)
    found = _entries(request).filter(pk=id).first()
    if found is None:
        raise Http404("no such entry")
    return found


@router.post("/entries", response={201: EntryOut, **ERRORS}, summary="Record a log entry")
def entry_create(request: HttpRequest, payload: EntryIn) -> Status[LogEntry]:
    """GPS and photos are optional. With `found_something` and `case_category`, the same call makes
    the finding one case. An `Idempotency-Key` header makes a retry return the first entry."""
    require_capability(request.user, RECORD)
    grid = required(selectors.grids_to_record(request.user), payload.grid, field="grid")
    household = reference(Household.objects.filter(grid=grid), payload.household, field="household")
    campaign = reference(Campaign.objects.filter(grids=grid), payload.campaign, field="campaign")
    category = reference(
        CaseCategory.objects.filter(active=True), payload.case_category, field="case_category"
    )
    if category is not None and not payload.found_something:
        raise ValidationError(
            {"case_category": [_("A case category goes with a finding (found_something).")]}
        )
    with transaction.atomic():
        entry = log_record(
            actor=request.user,
            kind=payload.kind,
            grid=grid,
            household=household,
            campaign=campaign,
            at=payload.at,
            note=payload.note,
            outcome=payload.outcome,
            answers=payload.answers,
            found_something=payload.found_something,
            lng=payload.lng,
            lat=payload.lat,
            client_key=(request.headers.get("Idempotency-Key") or "")[:64],
        )
        if category is not None:
            log_finding_report(actor=request.user, entry=entry, category=category)
    return Status(201, _entries(request).get(pk=entry.pk))


def _campaign(request: HttpRequest, id: int) -> Campaign:
    found = selectors.campaigns_visible(request.user).select_related("region").filter(pk=id).first()
    if found is None:
        raise Http404("no such campaign")
    return found


@router.get("/campaigns", response=list[CampaignOut], summary="List campaigns")
@paginate(Page)
def campaign_list(request: HttpRequest) -> QuerySet[Campaign]:
    require_capability(request.user, VIEW)
    return selectors.campaigns_visible(request.user).select_related("region").order_by("-starts_on", "-id")


@router.get("/campaigns/{int:id}", response={200: CampaignDetailOut, 404: ErrorOut}, summary="Get a campaign")
def campaign_detail(request: HttpRequest, id: int) -> Campaign:
    require_capability(request.user, VIEW)
    return _campaign(request, id)


@router.get(
    "/campaigns/{int:id}/coverage",
    response={200: CoverageOut, 404: ErrorOut},
    summary="A campaign's coverage by grid",
    description="Households visited by the campaign's rounds ÷ households in its grids, with what was "
    "found, for the grids of the caller's area.",
)
def campaign_coverage(request: HttpRequest, id: int) -> dict[str, Any]:
    require_capability(request.user, VIEW)
    found = _campaign(request, id)
    scope = scope_for(request.user, VIEW)
    rows, _total = selectors.coverage(found)
    mine = [r for r in rows if scope.contains(r.grid.path)]
    grids = [
        {
            "grid": r.grid,
            "households_in_scope": r.in_scope,
            "households_visited": r.visited,
            "rounds": r.rounds,
            "findings": r.findings,
            "cases": r.cases,
        }
        for r in mine
    ]
    totals = {
        "households_in_scope": sum(r.in_scope for r in mine),
        "households_visited": sum(r.visited for r in mine),
        "rounds": sum(r.rounds for r in mine),
        "findings": sum(r.findings for r in mine),
        "cases": sum(r.cases for r in mine),
    }
    return {"campaign": found.pk, **totals, "grids": grids}
