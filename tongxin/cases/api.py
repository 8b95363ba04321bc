"""/api/v1/cases: the whole loop — intake, dispatch, take, whistle, report, resolve, verify, rate,
follow-up, archive — through one action endpoint that calls services.case_transition.

Scope: a case outside the caller's reach is a 404 everywhere, and absent from lists and counts.
The resident's endpoints (public intake, tracking, rating) need no account and show no personal
data. Every POST honours an `Idempotency-Key` header.
"""

import functools
import textwrap
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from tongxin.accounts.models import User
from tongxin.cases import selectors
from tongxin.cases.archive import TimelineEntry, case_history
from tongxin.cases.config_cache import active_category
from tongxin.cases.idempotency import OPENAPI_HEADER, Result, idempotent
from tongxin.cases.models import (
    Case,
    CaseCategory,
    CaseSource,
    Rating,
    Responder,
    WhistleType,
)
from tongxin.cases.schemas import (
    ActionIn,
    CaseFilters,
    CaseListOut,
    CaseOut,
    CategoryOut,
    IntakeIn,
    IntakeOut,
    PublicIntakeIn,
    PublicIntakeOut,
    RateIn,
    RatesOut,
    RatesQuery,
    TrackOut,
    TransitionOut,
    WhistleTypeOut,
)
from tongxin.cases.services import (
    RESIDENT,
    CaseConflict,
    IllegalTransition,
    allowed_actions_for,
    case_intake,
    case_transition,
    locate,
)
from tongxin.cases.workflow import RULES, Action, Party, may_rate
from tongxin.core.actors import Actor
from tongxin.core.api import ApiError, require_capability
from tongxin.core.dbrouter import may_lag
from tongxin.core.keyset import COUNT_LIMIT
from tongxin.core.ratelimit import over_limit
from tongxin.core.roles import Capability
from tongxin.core.schemas import ErrorOut, Page
from tongxin.core.scope import scope_for
from tongxin.core.workflow import MISSING
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import region_get

router = Router()

ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

GENERIC_FIELDS = {"reason", "expected_version"}  # every action's; the rest are its rule's params


# --- configuration --------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], auth=None, summary="List case categories")
def category_list(request: HttpRequest) -> QuerySet[CaseCategory]:
    """The active two-level category tree with its time limits. Public: the report form needs it."""
    return CaseCategory.objects.filter(active=True).select_related("parent").order_by("code")


@router.get("/whistle-types", response=list[WhistleTypeOut], summary="List whistle types and routes")
def whistle_type_list(request: HttpRequest) -> QuerySet[WhistleType]:
    """吹哨报到: each whistle type and the steps of its route, with the time to report."""
    return WhistleType.objects.filter(active=True).prefetch_related("steps").order_by("code")


# --- intake ---------------------------------------------------------------------------------------


def _category(code: str) -> CaseCategory:
    found = active_category(code)  # kept per process: every report reads it (config_cache)
    if found is None:
        raise ValidationError({"category": [_("Choose a category from the second level.")]})
    return found


def _community(pk: int | None) -> Region | None:
    if pk is None:
        return None
    found = Region.objects.filter(pk=pk, level=Level.COMMUNITY).first()
    if found is None:
        raise ValidationError({"community": [_("There is no such community.")]})
    return found


@router.post(
    "",
    response={201: IntakeOut, **ERRORS},
    summary="Report a case (patrol, hotline, camera, API)",
    openapi_extra=OPENAPI_HEADER,
)
@idempotent
def case_create(request: HttpRequest, payload: IntakeIn) -> Result:
    """Needs cases.report where the case lies (found from the point, or the community given).
    Answers with open cases of the same category nearby, so a duplicate can be merged."""
    user: Any = request.user
    require_capability(user, Capability.CASES_REPORT)
    category = _category(payload.category)
    grid, community = locate(lng=payload.lng, lat=payload.lat, community=_community(payload.community))
    if not scope_for(user, Capability.CASES_REPORT).contains((grid or community).path):
        raise PermissionDenied
    case, _token = case_intake(
        **payload.dict(exclude={"category", "community"}),
        category=category,
        community=community,
        reported_by=user,
    )
    view_scope = scope_for(user, Capability.CASES_VIEW)
    duplicates = [
        c
        for c in selectors.possible_duplicates(
            category=category, lng=case.lng, lat=case.lat, community=community, exclude_pk=case.pk
        )
        if view_scope.contains(c.region_path)
    ]
    return 201, IntakeOut.model_validate(
        {
            "id": case.pk,
            "tracking_code": case.tracking_code,
            "status": case.status,
            "version": case.version,
            "possible_duplicates": duplicates,
        }
    )


def _report_limit(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Count the report for its client address before the intake's transaction (as /report/ does):
    inside it, the address's counter row stayed locked until the case was written, so one
    address's reports (a block of flats behind one NAT) waited for each other (BENCHMARKS.md)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if over_limit(request, "cases:report", settings.TONGXIN_PUBLIC_INTAKE_PER_HOUR):
            message = _("Too many reports from this address in the last hour. Try again later.")
            raise ApiError(429, "rate_limited", message)
        return view(request, *args, **kwargs)

    return wrapper


@router.post(
    "/public",
    response={201: PublicIntakeOut, **PUBLIC_ERRORS, 429: ErrorOut},
    auth=None,
    summary="Report a case as a resident (no account)",
    openapi_extra=OPENAPI_HEADER,
)
@_report_limit
@idempotent
def case_create_public(request: HttpRequest, payload: PublicIntakeIn) -> Result:
    """群众点单: anyone may report. The answer holds the tracking code and the secret token of the
    link where the resident follows the case and rates the result; keep it, it is shown once.
    Each client address may send TONGXIN_PUBLIC_INTAKE_PER_HOUR reports an hour (here and on
    /report/ together, each attempt counted); past that the answer is 429."""
    case, token = case_intake(
        source=CaseSource.RESIDENT,
        kind=payload.kind,
        category=_category(payload.category),
        description=payload.description,
        lng=payload.lng,
        lat=payload.lat,
        community=_community(payload.community),
        address=payload.address,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
    )
    return 201, PublicIntakeOut(
        tracking_code=case.tracking_code,
        token=token,
        track_url=f"/api/v1/cases/track/{case.tracking_code}?token={token}",
    )


# --- lists and figures ----------------------------------------------------------------------------


def _listed(user: Any, filters: CaseFilters) -> QuerySet[Case]:
    mine = {
        "assigned": selectors.cases_assigned_to,
        "pool": selectors.cases_in_pool,
        "whistled": selectors.cases_whistled_to,
        "verify": selectors.cases_to_verify,
    }
    cases = mine[filters.mine](user) if filters.mine else selectors.cases_visible(user)
    category = None
    if filters.category:
        category = CaseCategory.objects.filter(code=filters.category).first()
        if category is None:
            raise ValidationError({"category": [_("There is no such category.")]})
    region = region_get(user, filters.node, capability=Capability.CASES_VIEW) if filters.node else None
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationError({"since": [_("The start date is after the end date.")]})
    cases = selectors.cases_filter(
        cases,
        status=filters.status,
        kind=filters.kind,
        category=category,
        region=region,
        overdue=filters.overdue,
        supervised=filters.supervised,
        since=filters.since,
        until=filters.until,
    )
    return _search(cases, (filters.q or "").strip())


def _search(cases: QuerySet[Case], q: str) -> QuerySet[Case]:
    """A tracking code or 12345 ticket by its index, words through the description's bigram index
    (selectors.cases_search, the same search as the web list)."""
    return selectors.cases_search(cases, q)


class CasePage(Page):
    """Order and seek the matching ids in an index by keyset, then read only the page's rows: sorting
    a street's whole cases to show 50, or skipping an OFFSET of them, is what makes a list slow at a
    million cases (BENCHMARKS.md). The count stops at COUNT_LIMIT for the same reason: a street's
    whole history counted row by row grew with the data."""

    count_limit = COUNT_LIMIT

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        limit = min(pagination.limit, self.max_limit)
        frame = self.window(queryset.values("pk"), pagination, limit)
        ids = [row["pk"] for row in frame.rows]
        rows = Case.objects.select_related("category", "community").in_bulk(ids)
        count, more = self.count(queryset)
        return {
            "items": [rows[pk] for pk in ids],
            "count": count,
            "count_is_lower_bound": more,
            "limit": limit,
            "offset": None if pagination.cursor else pagination.offset or 0,
            "next_cursor": frame.next_cursor,
            "previous_cursor": frame.previous_cursor,
        }


@router.get("", response=list[CaseListOut], summary="List cases in your area")
@paginate(CasePage)
@may_lag
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> QuerySet[Case]:
    """Cases in your cases.view area, newest first, with filters; `mine` lists the cases you hold,
    your branch's order pool, cases whistled to you or waiting for your verification instead."""
    return _listed(request.user, filters).order_by("-reported_at", "-id")


def _default_node(user: Any) -> Region:
    roots = scope_for(user, Capability.CASES_VIEW).roots
    if len(roots) != 1:
        raise ValidationError({"node": [_("Choose the region to compute the rates for.")]})
    return Region.objects.get(path=roots[0])


@router.get("/rates", response={200: RatesOut, **ERRORS}, summary="Three rates of a region")
@may_lag
def rates(request: HttpRequest, query: Query[RatesQuery]) -> dict[str, Any]:
    """响应率, 解决率 and 满意率 (DOMAIN.md §4) of the cases dispatched in the period, computed only
    from the timestamps and ratings the system recorded.

    响应率 = responded_in_time ÷ dispatched. 解决率 = solved (the resident confirmed it solved at
    回访) ÷ concluded (办结: every case closed, solved or not, with or without 回访; a case closed
    as not fixed counts against the rate). 满意率 = (satisfied + basically_weight × basically) ÷
    rated, with the weight of the rules version in force on `until`. `followed_up` is a deprecated
    alias of `concluded` (the same value), kept for existing clients."""
    user: Any = request.user
    require_capability(user, Capability.CASES_VIEW)
    node = (
        region_get(user, query.node, capability=Capability.CASES_VIEW)
        if query.node is not None
        else _default_node(user)
    )
    today = timezone.localdate()
    until = query.until or today
    since = query.since or date(until.year, 1, 1)
    if since > until:
        raise ValidationError({"since": [_("The start date is after the end date.")]})
    figures = selectors.region_rates(node, since=since, until=until)
    return {
        "node_id": node.pk,
        "node_name": node.name,
        "node_level": node.level,
        "since": since,
        "until": until,
        "dispatched": figures.dispatched,
        "responded_in_time": figures.responded_in_time,
        "concluded": figures.concluded,
        "followed_up": figures.concluded,  # deprecated alias of "concluded"
        "solved": figures.solved,
        "rated": figures.rated,
        "satisfied": figures.satisfied,
        "basically": figures.basically,
        "basically_weight": float(figures.basic_weight),
        "response_rate": _float(figures.response_rate),
        "resolution_rate": _float(figures.resolution_rate),
        "satisfaction_rate": _float(figures.satisfaction_rate),
    }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# --- the resident's tracking link -----------------------------------------------------------------


def _tracked(code: str, token: str) -> Case:
    case = selectors.case_by_tracking_link(code, token) if token else None
    if case is None:  # a wrong code and a wrong token read the same
        raise Http404
    return case


def _track(case: Case) -> dict[str, Any]:
    merged = selectors.merged_into_chain(case) if case.duplicate_of_id else None
    events = case_history(case)
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "category": case.category.name,
        "reported_at": case.reported_at,
        "accepted_at": case.accepted_at,
        "dispatched_at": case.dispatched_at,
        "responded_at": case.responded_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "handling_due": case.handling_due,
        "result": case.result,
        "rating": case.rating,
        "can_rate": may_rate(case),
        "merged_into": None
        if merged is None
        else {
            "tracking_code": merged.tracking_code,
            "status": merged.status,
            "status_label": str(merged.get_status_display()),
            "result": merged.result,
            "closed_at": merged.closed_at,
        },
        "timeline": [
            {
                "at": t.at,
                "action": t.action,
                "status": t.to_status,
                "status_label": str(t.get_to_status_display()),
            }
            for t in events
        ],
    }


@router.get(
    "/track/{code}",
    response={200: TrackOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Follow a case with its tracking link",
)
def track(request: HttpRequest, code: str, token: str = "") -> dict[str, Any]:
    """Public, with the token of the link: progress and result, never a name, phone or address."""
    return _track(_tracked(code, token))


@router.post(
    "/track/{code}/rate",
    response={200: TrackOut, **PUBLIC_ERRORS},
    auth=None,
    summary="Rate the result with the tracking link",
    openapi_extra=OPENAPI_HEADER,
)
@idempotent
def track_rate(request: HttpRequest, code: str, payload: RateIn) -> Result:
    """满意 / 基本满意 / 不满意, with a comment. `solved: false` reopens the case."""
    case = _tracked(code, payload.token)
    params: dict[str, Any] = {"rating": Rating(payload.rating).value, "comment": payload.comment}
    if payload.solved is not None:
        params["solved"] = payload.solved
    case = _apply(case, Action.RATE, RESIDENT, reason="", **params)
    return 200, TrackOut.model_validate(_track(selectors.case_by_tracking_link(code, payload.token) or case))


# --- one case ---------------------------------------------------------------------------------------


DETAIL_RELATED = ("category", "category__parent", "grid", "community", "assignee_user", "assignee_responder")


def _detail(user: Any, case: Case) -> Case:
    case.allowed_actions = allowed_actions_for(user, case)  # type: ignore[attr-defined]
    return case


@router.get("/{int:id}", response={200: CaseOut, 404: ErrorOut}, summary="Get a case")
def case_detail(request: HttpRequest, id: int) -> Case:
    """With `allowed_actions`: what you may do to it now. Phone masked."""
    return _detail(request.user, selectors.case_get_for_actor(request.user, id))


@router.get(
    "/{int:id}/timeline", response={200: list[TransitionOut], 404: ErrorOut}, summary="A case's timeline"
)
def case_timeline(request: HttpRequest, id: int) -> list[TimelineEntry]:
    """Every change, oldest first: from, to, who, why, when (an archived case's from its archive)."""
    case = selectors.case_get_for_actor(request.user, id)
    return case_history(case)


def _reference_case(user: Any, pk: int | None, field: str) -> Case | None:
    if pk is None:
        return None
    found = selectors.cases_visible(user, capability=Capability.CASES_MANAGE).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("There is no such case in your area.")]})
    return found


def _action_params(user: Any, case: Case, action: str, payload: ActionIn) -> dict[str, Any]:
    """The body fields the action's rule reads, turned into what case_transition takes (ids into
    objects the caller may name). Any other field sent with it is an error, not silently dropped."""
    rule = RULES[action]
    sent = {k for k, v in payload.model_dump(exclude_unset=True).items() if v is not None} - GENERIC_FIELDS
    unused = sent - rule.param_names
    if unused:
        raise ValidationError(
            {
                field: [_("This field is not used by the action “%(action)s”.") % {"action": action}]
                for field in unused
            }
        )
    params: dict[str, Any] = {}
    for param in rule.params:
        value = getattr(payload, param.name, None)
        if value is None:
            value = param.default
        if value is MISSING and not param.required:
            continue  # left out: the action does without it
        if value is not MISSING and value is not None:
            value = _resolve(user, case, param.name, param.type, value)
        params[param.name] = None if value is MISSING else value
    return params


def _resolve(user: Any, case: Case, name: str, kind: type, value: Any) -> Any:
    """An id or code sent in the body as the object it names, within what the caller may name."""
    if kind is Case:
        return _reference_case(user, value, name)
    if kind is User:
        found = selectors.dispatch_users(case).filter(pk=value).first()
        if found is None:
            raise ValidationError({name: [_("This person cannot take cases of this community.")]})
        return found
    if kind is Responder:
        return _responder(case, value)
    if kind is WhistleType:
        return WhistleType.objects.filter(code=value, active=True).first()
    return value


def _responder(case: Case, pk: int) -> Any:
    found = selectors.dispatch_responders(case).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"to_responder": [_("No such team, unit or department serves this case.")]})
    return found


def _apply(case: Case, action: str, actor: Actor, *, reason: str, **params: Any) -> Case:
    try:
        return case_transition(case=case, action=action, actor=actor, reason=reason, **params)
    except IllegalTransition as exc:
        raise ApiError(409, "illegal_transition", " ".join(exc.messages))
    except CaseConflict as exc:
        raise ApiError(409, "conflict", str(exc))


# the actions an account may take (the resident rates through the tracking link, the worker warns)
_ACCOUNT_ACTIONS = [a for a, rule in RULES.items() if set(rule.who) - {Party.RESIDENT, Party.SYSTEM}]


@router.post(
    "/{int:id}/actions/{action}",
    response={200: CaseOut, **ERRORS},
    summary="Act on a case",
    description="\n".join(
        [
            "One endpoint for every transition of the state machine (see `allowed_actions`):",
            *textwrap.wrap(
                f"{', '.join(_ACCOUNT_ACTIONS)}. Send `expected_version` to be told (409 conflict) if"
                " someone else changed the case since you loaded it; a transition the case's status"
                " does not allow is 409 illegal_transition; one you may not take is 403.",
                94,
            ),
        ]
    ),
    openapi_extra=OPENAPI_HEADER,
)
@idempotent
def case_act(request: HttpRequest, id: int, action: str, payload: ActionIn) -> Result:
    """Any action of workflow.RULES, with the params its rule declares (the description above
    lists them for the OpenAPI document)."""
    user: Any = request.user
    case = selectors.case_get_for_actor(user, id)
    if action not in RULES:
        raise ApiError(404, "unknown_action", _("There is no such action."))
    params = _action_params(user, case, action, payload)
    case = _apply(
        case, action, user, reason=payload.reason, expected_version=payload.expected_version, **params
    )
    # the actor sees the outcome of their own act, even one that hands the case to someone else
    case = Case.objects.select_related(*DETAIL_RELATED).get(pk=case.pk)
    return 200, CaseOut.model_validate(_detail(user, case))
