"""/api/v1/members: 双报到, posts, service records, cards for employers, the annual check, rules.

Scope as on the pages: officials their subtree (members.view / members.manage), a member their
own record, an employer's Party organisation its members' cards.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tongxin.core.api import listed, reference, require_capability, require_in_scope, required
from tongxin.core.periods import PeriodFilters
from tongxin.core.roles import Capability
from tongxin.core.schemas import ERRORS, ErrorOut, Page, Year
from tongxin.core.scope import has_capability, scope_for
from tongxin.members import selectors, services
from tongxin.members.models import (
    MemberReport,
    ReportChannel,
    ServiceEntry,
    ServicePost,
    ServiceSource,
    UnitReport,
)
from tongxin.members.rules import parse_period
from tongxin.organisations.selectors import organisations_visible
from tongxin.partners.models import PartnerUnit
from tongxin.people.models import Person
from tongxin.people.selectors import people_visible
from tongxin.regions.api import in_subtree
from tongxin.regions.selectors import region_get, regions_visible

router = Router()
VIEW, MANAGE = Capability.MEMBERS_VIEW, Capability.MEMBERS_MANAGE


# ---- schemas ----------------------------------------------------------------------------------


class PostOut(Schema):
    id: int
    community_id: int
    community_name: str
    kind: str
    name: str
    description: str
    places: int | None
    active: bool

    @staticmethod
    def resolve_community_name(obj: ServicePost) -> str:
        return obj.community.name


class PostIn(Schema):
    community: int
    kind: str
    name: str
    description: str = ""
    places: int | None = None
    active: bool = True


class ReportOut(Schema):
    id: int
    person_id: int
    person_name: str
    community_id: int
    community_name: str
    grid_branch_id: int | None
    grid_branch_name: str | None
    service_post_id: int
    service_post_name: str
    employer_unit_id: int | None
    employer_organisation_id: int | None
    channel: str
    reported_on: date
    confirmed_on: date
    next_due_on: date
    ended_on: date | None
    rules_version: str

    @staticmethod
    def resolve_person_name(obj: MemberReport) -> str:
        return obj.person.name

    @staticmethod
    def resolve_community_name(obj: MemberReport) -> str:
        return obj.community.name

    @staticmethod
    def resolve_grid_branch_name(obj: MemberReport) -> str | None:
        return obj.grid_branch.name if obj.grid_branch else None

    @staticmethod
    def resolve_service_post_name(obj: MemberReport) -> str:
        return obj.service_post.name


class ReportIn(Schema):
    person: int
    service_post: int
    employer_unit: int | None = None
    reported_on: date | None = None


class OnlineReportIn(Schema):
    service_post: int
    employer_unit: int | None = None


class EndIn(Schema):
    on: date | None = None
    reason: str


class ReportFilters(Schema):
    within: int | None = None
    state: str | None = None  # due, overdue, ended, all (default: active)


class EntryOut(Schema):
    source: str
    source_id: str
    on: date
    hours: Decimal
    title: str
    region_id: int | None


class ServiceEntryOut(EntryOut):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    region_name: str | None = None

    @staticmethod
    def resolve_region_name(obj: Any) -> str | None:
        return obj.region.name if obj.region_id else None


class ServiceFilters(PeriodFilters):
    kind: ServiceSource | None = Field(None, description="where the service comes from")


class TotalsOut(Schema):
    count: int
    hours: Decimal
    points: Decimal | None = Field(None, description="only where the rules in force turn rankings on")
    stars: int | None = Field(None, description="十星级, only where the rules turn rankings on")
    meets_minimum: bool | None = None


class RecordOut(Schema):
    person_id: int
    year: int
    report: ReportOut | None
    totals: TotalsOut
    rules_version: str
    entries: list[EntryOut]


class CardOut(Schema):
    report: ReportOut
    period: str
    first: date
    last: date
    totals: TotalsOut
    rules_version: str
    entries: list[EntryOut]


class CheckOut(Schema):
    year: int
    members: int
    below_minimum: list[CardOut]
    units_not_reported: list[dict[str, Any]]
    ranking: list[dict[str, Any]] | None


class UnitReportOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    community_id: int
    reported_on: date
    next_due_on: date
    commitments: str
    ended_on: date | None

    @staticmethod
    def resolve_unit_name(obj: UnitReport) -> str:
        return obj.unit.name


class UnitReportIn(Schema):
    unit: int
    community: int
    reported_on: date | None = None
    commitments: str = ""


class RulesOut(Schema):
    id: int | None
    version: str
    source: str
    valid_from: date
    region_id: int | None
    min_services_per_year: int
    rereport_months: int
    rereport_warn_days: int
    unit_rereport_months: int
    case_hours: Decimal
    project_hours: Decimal
    points_activity: Decimal
    points_case: Decimal
    points_project: Decimal
    points_per_hour: Decimal
    star_thresholds: list[int]
    rankings_enabled: bool


class RulesIn(Schema):
    version: str
    source: str
    valid_from: date
    region: int
    min_services_per_year: int = 2
    rereport_months: int = 6
    rereport_warn_days: int = 14
    unit_rereport_months: int = 12
    case_hours: Decimal = Decimal(2)
    project_hours: Decimal = Decimal(4)
    points_activity: Decimal = Decimal(2)
    points_case: Decimal = Decimal(3)
    points_project: Decimal = Decimal(5)
    points_per_hour: Decimal = Decimal("0.5")
    star_thresholds: list[int] | None = None
    rankings_enabled: bool = False


def _card_out(card: selectors.Card) -> dict[str, Any]:
    return {
        "report": card.report,
        "period": card.label,
        "first": card.first,
        "last": card.last,
        "totals": {
            "count": card.totals.count,
            "hours": card.totals.hours,
            "points": card.points,
            "stars": card.stars,
            "meets_minimum": card.meets_minimum,
        },
        "rules_version": card.rules.version,
        "entries": card.entries,
    }


def _record(person: Person, year: int) -> dict[str, Any]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    report = selectors.active_report_of(person)
    book = selectors.RulesBook(report.community if report else person.region.community())
    entries = list(selectors.entries_of(person, first=first, last=last))
    totals = selectors.totals_of(entries, book)
    rules = book.at(min(last, timezone.localdate()))
    return {
        "person_id": person.pk,
        "year": year,
        "report": report,
        "totals": {
            "count": totals.count,
            "hours": totals.hours,
            "points": totals.points if rules.rankings_enabled else None,
            "stars": rules.stars_for(totals.points) if rules.rankings_enabled else None,
            "meets_minimum": totals.count >= rules.min_services_per_year,
        },
        "rules_version": rules.version,
        "entries": entries,
    }


def _my_person(request: HttpRequest) -> Person:
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("no person linked to this account")
    return person


# ---- the member's own -------------------------------------------------------------------------


@router.get("/me", response={200: RecordOut, 404: ErrorOut}, summary="My service record")
def my_record(request: HttpRequest, year: Year | None = None) -> dict[str, Any]:
    """Your report and the verified services of a year (this year by default), with points and stars."""
    return _record(_my_person(request), year or timezone.localdate().year)


@router.get("/me/posts", response=list[PostOut], summary="Posts I can report to")
def my_posts(request: HttpRequest) -> QuerySet[ServicePost]:
    """The open service posts of the community where you live."""
    community = selectors.home_community(_my_person(request))
    if community is None:
        return ServicePost.objects.none()
    return selectors.service_posts_of(community).select_related("community")


@router.post("/me/report", response={201: ReportOut, **ERRORS}, summary="Report to my community")
def my_report(request: HttpRequest, payload: OnlineReportIn) -> Status[MemberReport]:
    person = _my_person(request)
    community = selectors.home_community(person)
    post = required(
        ServicePost.objects.filter(community=community), payload.service_post, field="service_post"
    )
    unit = reference(selectors.employer_unit_choices(person), payload.employer_unit, field="employer_unit")
    report = services.member_report_create(
        person=person,
        service_post=post,
        employer_unit=unit,
        channel=ReportChannel.ONLINE,
        actor=request.user,
    )
    return Status(201, selectors._reports().get(pk=report.pk))


@router.post("/me/rereport", response={200: ReportOut, **ERRORS}, summary="Re-report")
def my_rereport(request: HttpRequest) -> MemberReport:
    report = selectors.active_report_of(_my_person(request))
    if report is None:
        raise Http404
    services.member_report_renew(report=report, channel=ReportChannel.ONLINE, actor=request.user)
    return selectors._reports().get(pk=report.pk)


# ---- posts ------------------------------------------------------------------------------------


@router.get("/posts", response=list[PostOut], summary="Service posts in your area")
@paginate(Page)
def post_list(request: HttpRequest, community: int | None = None) -> QuerySet[ServicePost]:
    require_capability(request.user, VIEW)
    posts = selectors.posts_visible(request.user)
    if community is not None:
        posts = posts.filter(community=region_get(request.user, community, capability=VIEW))
    return posts.order_by("community__path", "kind", "name")


@router.post("/posts", response={201: PostOut, **ERRORS}, summary="Open a service post")
def post_create(request: HttpRequest, payload: PostIn) -> Status[ServicePost]:
    data = payload.dict()
    community = required(regions_visible(request.user), data.pop("community"), field="community")
    require_in_scope(request.user, MANAGE, community)
    return Status(201, services.service_post_create(community=community, **data))


# ---- reports ----------------------------------------------------------------------------------


@router.get("/reports", response=list[ReportOut], summary="Members reported in your area")
@paginate(Page)
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> QuerySet[MemberReport]:
    require_capability(request.user, VIEW)
    today = timezone.localdate()
    reports = selectors.reports_visible(request.user)
    if filters.within is not None:
        reports = in_subtree(
            reports, region_get(request.user, filters.within, capability=VIEW), "community__path"
        )
    state = filters.state or ""
    if state == "due":
        reports = selectors.reports_due(reports, today=today)
    elif state == "overdue":
        reports = reports.filter(ended_on__isnull=True, next_due_on__lt=today)
    elif state == "ended":
        reports = reports.filter(ended_on__isnull=False)
    elif state != "all":
        reports = reports.filter(ended_on__isnull=True)
    return reports.order_by("next_due_on", "id")


@router.post("/reports", response={201: ReportOut, **ERRORS}, summary="Enter a member's report")
def report_create(request: HttpRequest, payload: ReportIn) -> Status[MemberReport]:
    """Entered by the community: needs members.manage over the post's community."""

    user = request.user
    person = required(people_visible(user, capability=MANAGE), payload.person, field="person")
    post = required(
        selectors.posts_visible(user, capability=MANAGE), payload.service_post, field="service_post"
    )
    unit = reference(PartnerUnit.objects.filter(active=True), payload.employer_unit, field="employer_unit")
    report = services.member_report_create(
        person=person,
        service_post=post,
        employer_unit=unit,
        channel=ReportChannel.COMMUNITY,
        reported_on=payload.reported_on,
        actor=user,
    )
    return Status(201, selectors._reports().get(pk=report.pk))


@router.get("/reports/{id}", response={200: ReportOut, 404: ErrorOut}, summary="A member's report")
def report_detail(request: HttpRequest, id: int) -> MemberReport:
    return selectors.report_get(request.user, id)


@router.post("/reports/{id}/rereport", response={200: ReportOut, **ERRORS}, summary="Record a re-report")
def report_renew(request: HttpRequest, id: int) -> MemberReport:
    report = selectors.report_get(request.user, id)
    require_in_scope(request.user, MANAGE, report.community)
    services.member_report_renew(report=report, channel=ReportChannel.COMMUNITY, actor=request.user)
    return selectors.report_get(request.user, id)


@router.post("/reports/{id}/end", response={200: ReportOut, **ERRORS}, summary="End a report")
def report_end(request: HttpRequest, id: int, payload: EndIn) -> MemberReport:
    report = selectors.report_get(request.user, id)
    require_in_scope(request.user, MANAGE, report.community)
    services.member_report_end(report=report, on=payload.on, reason=payload.reason)
    return selectors.report_get(request.user, id)


# ---- records, cards, the check ----------------------------------------------------------------


@router.get(
    "/people/{id}/record", response={200: RecordOut, 404: ErrorOut}, summary="A person's service record"
)
def person_record(request: HttpRequest, id: int, year: Year | None = None) -> dict[str, Any]:
    person = Person.objects.select_related("region").filter(pk=id).first()
    if person is None or not selectors.may_read_record(request.user, person):
        raise Http404
    return _record(person, year or timezone.localdate().year)


@router.get(
    "/services",
    response={200: list[ServiceEntryOut], 400: ErrorOut, 403: ErrorOut},
    summary="Service records of the members of your area",
)
@paginate(Page)
def service_list(request: HttpRequest, filters: Query[ServiceFilters]) -> QuerySet[ServiceEntry]:
    """Verified services (one row each) of members living in your area or reported to a community
    there, as on the service records page; `since`/`until` apply to the day of the service."""
    return listed(request, selectors.service_entries_listed, filters, capability=VIEW)


@router.get("/cards", response={200: list[CardOut], 404: ErrorOut}, summary="Service record cards")
def card_list(
    request: HttpRequest, period: str = "", organisation: int | None = None
) -> list[dict[str, Any]]:
    """Cards for a quarter (2025Q3) or a year (2025): those in your area, your organisation's
    members' (as their employer), or your own."""
    try:
        label, first, last = parse_period(period, today=timezone.localdate())
    except ValueError:
        raise Http404 from None
    reports = selectors.reports_during(selectors.card_reports(request.user), first, last)
    if organisation is not None:
        org = next(
            (o for o in selectors.employer_organisations_of(request.user) if o.pk == organisation), None
        )
        if org is None and has_capability(request.user, VIEW):
            org = organisations_visible(request.user).filter(pk=organisation).first()
        if org is None:
            raise Http404
        reports = reports.filter(employer_organisation__path__startswith=org.path)
    cards = selectors.cards_for(
        list(reports.order_by("person__name", "pk")[:2000]), label=label, first=first, last=last
    )
    return [_card_out(c) for c in cards]


@router.get("/check", response=CheckOut, summary="The annual check")
def annual_check(request: HttpRequest, year: Year | None = None, within: int | None = None) -> dict[str, Any]:
    """Members below the minimum of services and units without a report; a ranking only where enabled."""
    require_capability(request.user, VIEW)
    region = region_get(request.user, within, capability=VIEW) if within is not None else None
    check = selectors.annual_check(request.user, year=year or timezone.localdate().year, region=region)
    return {
        "year": check.year,
        "members": check.members,
        "below_minimum": [_card_out(c) for c in check.below],
        "units_not_reported": [
            {"id": u.pk, "name": u.name, "region_id": u.region_id} for u in check.units_missing
        ],
        "ranking": (
            [{"person_id": c.report.person_id, "points": str(c.totals.points)} for c in check.ranking]
            if check.ranking
            else None
        ),
    }


# ---- unit reports and rules -------------------------------------------------------------------


@router.get("/unit-reports", response=list[UnitReportOut], summary="Unit reports in your area")
@paginate(Page)
def unit_report_list(request: HttpRequest) -> QuerySet[UnitReport]:
    require_capability(request.user, VIEW)
    return selectors.unit_reports_visible(request.user).order_by("-reported_on", "id")


@router.post("/unit-reports", response={201: UnitReportOut, **ERRORS}, summary="Record a unit's report")
def unit_report_create(request: HttpRequest, payload: UnitReportIn) -> Status[UnitReport]:

    community = required(regions_visible(request.user), payload.community, field="community")
    require_in_scope(request.user, MANAGE, community)
    unit = required(PartnerUnit.objects.filter(active=True), payload.unit, field="unit")
    report = services.unit_report_create(
        unit=unit,
        community=community,
        reported_on=payload.reported_on,
        commitments=payload.commitments,
        actor=request.user,
    )
    return Status(201, report)


@router.get("/rules", response=list[RulesOut], summary="Rule versions that apply in your area")
def rules_list(request: HttpRequest) -> list[Any]:
    require_capability(request.user, VIEW)
    return list(selectors.rule_sets_visible(request.user).order_by("-valid_from"))


@router.post("/rules", response={201: RulesOut, **ERRORS}, summary="Adopt a new version of the rules")
def rules_create(request: HttpRequest, payload: RulesIn) -> Status[Any]:

    data = payload.dict()
    region = required(regions_visible(request.user), data.pop("region"), field="region")
    if not any(
        scope_for(request.user, c).contains(region.path) for c in (MANAGE, Capability.PARTYLIFE_MANAGE)
    ):
        raise PermissionDenied
    return Status(201, services.member_rules_create(region=region, actor=request.user, **data))
