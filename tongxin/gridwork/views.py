"""The grid worker's pages, phone first: "my grid", the log entry in at most three screens (kind →
household → details and save), the entry with its one-tap finding, the log list and its export,
the community's grids, campaigns with their coverage, and the visit interval."""

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.audit.exports import xlsx_response
from tongxin.core.access import requires
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import form_page, int_param, list_page, paginate, post_action, posted
from tongxin.core.periods import PeriodForm
from tongxin.core.scope import scope_for
from tongxin.core.xlsx import Column
from tongxin.gridwork import selectors
from tongxin.gridwork.config import kind_in_force
from tongxin.gridwork.forms import CampaignForm, CorrectionForm, EntryForm, FindingForm, IntervalForm
from tongxin.gridwork.listing import log_selection
from tongxin.gridwork.models import Campaign, LogEntry, LogKind, Outcome
from tongxin.gridwork.services import (
    MANAGE,
    RECORD,
    VIEW,
    campaign_close,
    campaign_start,
    log_correct,
    log_finding_report,
    log_record,
    may_correct,
    visit_interval_set,
)
from tongxin.households.models import Household
from tongxin.regions.models import Level, Region


def _grid(request: HttpRequest) -> Region:
    """The grid of the page: ?grid= inside the user's recording scope, else their own grid."""
    grids = selectors.grids_to_record(request.user)
    pk = int_param(request, "grid")
    if pk is not None:
        found = grids.filter(pk=pk).first()
        if found is None:
            raise Http404("no such grid in your area")
        return found
    own = selectors.own_grids(request.user)
    found = own[0] if own else grids.first()
    if found is None:
        raise Http404("no grid in your area")
    return found


@requires(RECORD)
@require_GET
def my_grid(request: HttpRequest) -> HttpResponse:
    """ "My grid": who is due a visit, open cases, today's log, and the kinds to record."""
    own = selectors.own_grids(request.user)
    if not own and int_param(request, "grid") is None:
        return redirect("gridwork:community")
    grid = _grid(request)
    day = selectors.grid_day(grid)
    return render(
        request,
        "gridwork/my_grid.html",
        {
            "day": day,
            "kinds": selectors.kinds(grid),
            "grid": grid,
            "own": own,
            "now": timezone.now(),
            "correctable": {e.pk for e in day.today if may_correct(e, request.user)},
        },
    )


@requires(RECORD)
@require_GET
def record_kind(request: HttpRequest) -> HttpResponse:
    """Screen one: what kind of work."""
    grid = _grid(request)
    return render(request, "gridwork/record_kind.html", {"kinds": selectors.kinds(grid), "grid": grid})


def _kind(code: str, grid: Region) -> LogKind:
    """The kind as in force at the grid; 404 for a kind not in use there."""
    found = kind_in_force(grid, code)
    if found is None:
        raise Http404("no such kind of work here")
    return found


@requires(RECORD)
@require_GET
def record_household(request: HttpRequest, kind: str) -> HttpResponse:
    """Screen two: which household (of "my grid"), or none. A search narrows a long grid."""
    grid = _grid(request)
    log_kind = _kind(kind, grid)
    households = Household.objects.filter(grid=grid, active=True)
    query = (request.GET.get("q") or "").strip()[:40]
    if query:
        households = households.filter(Q(address__contains=query) | Q(room__contains=query))
    due = {d.household.pk for d in selectors.due_visits(grid)}
    rows = list(households.order_by("region_path", "unit", "room", "id")[:200])
    return render(
        request,
        "gridwork/record_household.html",
        {"kind": log_kind, "grid": grid, "households": rows, "due": due, "q": query},
    )


def _campaigns_for(grid: Region) -> Any:
    today = timezone.localdate()
    return Campaign.objects.filter(
        grids=grid, closed_at__isnull=True, starts_on__lte=today, ends_on__gte=today
    ).order_by("-starts_on", "id")


@requires(RECORD)
@require_http_methods(["GET", "POST"])
def record_details(request: HttpRequest, kind: str) -> HttpResponse:
    """Screen three: details and save. With “found a problem” ticked, the same save makes the case."""
    grid = _grid(request)
    log_kind = _kind(kind, grid)
    households = Household.objects.filter(grid=grid, active=True).order_by("region_path", "unit", "room")
    initial: dict[str, Any] = {}
    household_pk = int_param(request, "household")
    if household_pk is not None:
        initial["household"] = get_object_or_404(households, pk=household_pk)
    campaigns = _campaigns_for(grid)
    form = EntryForm(
        request.POST or None,
        request.FILES or None,
        kind=log_kind,
        households=households,
        campaigns=campaigns,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            entry = _save(request, form, log_kind, grid)
            if entry is not None:
                return redirect(entry)
    return render(
        request,
        "gridwork/record_details.html",
        {"form": form, "kind": log_kind, "grid": grid, "chosen": initial.get("household")},
        status=status,
    )


def _save(request: HttpRequest, form: EntryForm, kind: LogKind, grid: Region) -> Any:
    data = form.cleaned_data
    try:
        with transaction.atomic():
            entry = log_record(
                actor=request.user,
                kind=kind,
                grid=grid,
                household=data.get("household"),
                campaign=data.get("campaign"),
                note=data.get("note") or "",
                outcome=data.get("outcome") or "",
                answers=data["answers"],
                found_something=bool(data.get("found_something")),
                lng=data.get("lng"),
                lat=data.get("lat"),
                photos=data.get("photos") or [],
                client_key=data["key"],
            )
            if data.get("found_something") and entry.case_id is None:
                case = log_finding_report(actor=request.user, entry=entry, category=data["category"])
                messages.success(
                    request,
                    _("Saved; case %(code)s is recorded for your grid.") % {"code": case.tracking_code},
                )
                return entry
    except ValidationError as exc:
        add_service_errors(form, exc, {"location": "note", "at": "note", "answers": "campaign"})
        return None
    messages.success(request, _("Saved to the log."))
    return entry


def _entry(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(
        selectors.entries_visible(request.user).select_related(
            "kind", "grid", "household", "case", "campaign"
        ),
        pk=pk,
    )


@requires(VIEW)
@require_GET
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    found = _entry(request, pk)
    can_report = scope_for(request.user, RECORD).contains(found.region_path)
    return render(
        request,
        "gridwork/entry.html",
        {
            "entry": found,
            "finding_form": FindingForm() if can_report and found.case_id is None else None,
            "may_correct": may_correct(found, request.user),
            "photos": list(found.photos.all()),
            "corrections": _corrections(found),
        },
    )


@requires(RECORD)
@require_http_methods(["GET", "POST"])
def entry_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Its author corrects an entry within a day (a phone form): the time, what happened, the
    outcome, a finding. The change shows in the entry's history and in the audit trail."""
    found = _entry(request, pk)
    if not may_correct(found, request.user):
        raise PermissionDenied
    initial = {
        "at": timezone.localtime(found.at),
        "note": found.note,
        "outcome": found.outcome,
        "found_something": found.found_something,
    }
    form = CorrectionForm(posted(request), entry=found, initial=initial)

    def save(form: CorrectionForm) -> Any:
        changes = dict(form.cleaned_data)
        if changes["at"] == found.at.replace(second=0, microsecond=0):  # the form shows minutes
            del changes["at"]
        return log_correct(actor=request.user, entry=found, changes=changes)

    return form_page(
        request,
        form,
        save=save,
        success=found.get_absolute_url(),
        message=_("The correction is saved."),
        template="gridwork/correct.html",
        context={"entry": found},
        field_map={"answers": "note", "location": "note", "household": "note", "campaign": "note"},
    )


def _shown(entry: LogEntry, name: str, value: Any) -> str:
    """A corrected value as the page shows it (the audit keeps it as stored)."""
    if name == "outcome":
        return str(Outcome(value).label) if value in Outcome.values else ""
    if name == "found_something":
        return _("yes") if value in (True, "True", "true") else _("no")
    if name == "at" and value:
        try:
            return timezone.localtime(datetime.fromisoformat(str(value))).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return str(value)
    return str(value or "")


def _corrections(entry: LogEntry) -> list[dict[str, Any]]:
    """The entry's corrections, oldest first, each field with its label and old and new value."""
    rows = []
    for c in entry.corrections:
        fields = [
            (
                str(getattr(LogEntry._meta.get_field(name), "verbose_name", name)),
                _shown(entry, name, old),
                _shown(entry, name, new),
            )
            for name, (old, new) in c.get("fields", {}).items()
        ]
        at = datetime.fromisoformat(c["at"]) if c.get("at") else None
        rows.append({"at": at, "by": c.get("by", ""), "fields": fields})
    return rows


@requires(RECORD)
@require_POST
def entry_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The one tap that makes a finding a case (pressed twice: still one case)."""
    found = _entry(request, pk)
    form = FindingForm(request.POST)
    return post_action(
        request,
        lambda: log_finding_report(actor=request.user, entry=found, category=form.cleaned_data["category"]),
        back=found,
        ok=lambda case: _("Case %(code)s is recorded for your grid.") % {"code": case.tracking_code},
        form=form,
        invalid=_("Choose the category of the problem."),
    )


@requires(VIEW)
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    return list_page(request, "gridwork/log.html", log_selection(request), export="gridwork:log_export")


def _community(request: HttpRequest) -> Region:
    scope = scope_for(request.user, VIEW)
    communities = Region.objects.filter(level=Level.COMMUNITY).filter(
        scope.q("path") | Q(pk__in=[pk for root in scope.roots for pk in _ancestors(root)])
    )
    pk = int_param(request, "community")
    found = (
        communities.filter(pk=pk).first() if pk is not None else communities.order_by("code", "path").first()
    )
    if found is None:
        raise Http404("no community in your area")
    return found


def _ancestors(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p.isdigit()]


@requires(VIEW)
@require_GET
def community(request: HttpRequest) -> HttpResponse:
    """All grids of a community: households, visits due, this month's log and open cases."""
    found = _community(request)
    scope = scope_for(request.user, VIEW)
    rows = [r for r in selectors.community_grids(found) if scope.contains(r.grid.path)]
    communities = list(
        Region.objects.filter(scope.q("path"), level=Level.COMMUNITY).order_by("code", "path")[:100]
    )
    days = selectors.interval_days(found)
    may_set = selectors.may_manage(request.user, found)
    return render(
        request,
        "gridwork/community.html",
        {
            "community": found,
            "rows": rows,
            "communities": communities,
            "interval": days,
            "interval_form": IntervalForm(initial={"days": days}) if may_set else None,
        },
    )


@requires(MANAGE)
@require_POST
def interval(request: HttpRequest) -> HttpResponse:
    found = _community(request)
    form = IntervalForm(request.POST)
    return post_action(
        request,
        lambda: visit_interval_set(actor=request.user, region=found, days=form.cleaned_data["days"]),
        back=reverse("gridwork:community") + f"?community={found.pk}",
        ok=_("The visit interval is saved."),
        form=form,
        invalid=_("Enter a number of days from 1 to 366."),
    )


@requires(VIEW)
@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    rows = selectors.campaigns_visible(request.user).select_related("region").order_by("-starts_on", "-id")
    return render(
        request,
        "gridwork/campaigns.html",
        {"page": paginate(request, rows), "can_start": not scope_for(request.user, MANAGE).is_empty},
    )


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(selectors.campaigns_visible(request.user).select_related("region"), pk=pk)


@requires(VIEW)
@require_GET
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk)
    scope = scope_for(request.user, VIEW)
    rows, total = selectors.coverage(found)
    mine = [r for r in rows if scope.contains(r.grid.path)]
    if len(mine) != len(rows):  # a grid worker sees their own grids' rows and their sum
        total = selectors.CoverageRow(found.region)
        for r in mine:
            total.in_scope += r.in_scope
            total.visited += r.visited
            total.rounds += r.rounds
            total.findings += r.findings
            total.cases += r.cases
    return render(
        request,
        "gridwork/campaign.html",
        {
            "campaign": found,
            "rows": mine,
            "total": total,
            "may_manage": selectors.may_manage(request.user, found.region),
        },
    )


@requires(MANAGE)
@require_POST
def campaign_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk)
    return post_action(
        request,
        lambda: campaign_close(actor=request.user, campaign=found),
        back=found,
        ok=_("The campaign is closed."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user, MANAGE)
    regions = Region.objects.filter(scope.q("path"), level__in=[Level.STREET, Level.COMMUNITY]).order_by(
        "path"
    )
    grids = Region.objects.filter(scope.q("path"), level=Level.GRID).order_by("code", "path")
    checklists = selectors.checklists_for(request.user)
    chosen = int_param(request, "checklist")
    start = next((c for c in checklists if c.pk == chosen), checklists[0] if checklists else None)
    initial = {"checklist": "\n".join(start.items) if start is not None else ""}
    form = CampaignForm(request.POST or None, regions=regions, grids=grids, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = campaign_start(
                actor=request.user,
                region=data["region"],
                title=data["title"],
                description=data["description"],
                checklist=data["checklist"].splitlines(),
                grids=list(data["grids"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The campaign is started."))
            return redirect(found)
    return render(
        request,
        "gridwork/campaign_form.html",
        {"form": form, "checklists": checklists, "chosen": start},
    )


COVERAGE_COLUMNS = [
    Column(_("Grid"), lambda h: h.grid.name, width=20),
    Column(_("Household"), lambda h: h.short_address, width=28),
    Column(_("Rounds"), lambda h: h.rounds, total=True),
    Column(_("Visited"), lambda h: _("yes") if h.rounds else "", width=10),
]


@requires(VIEW)
@require_GET
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's coverage, household by household, in the user's area."""
    found = _campaign(request, pk)
    rows = selectors.coverage_rows(found).filter(scope_for(request.user, VIEW).q("region_path"))
    return xlsx_response(
        request,
        PeriodForm(None),
        rows,
        COVERAGE_COLUMNS,
        name=f"campaign-{found.pk}-coverage",
        title=found.title,
        back=reverse("gridwork:campaign", args=[found.pk]),
    )
