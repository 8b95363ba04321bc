"""JSON shapes of the cases API. The reporter's phone leaves only masked; the public tracking
shapes carry no personal data at all (no name, phone, address, description or handler)."""

from datetime import date, datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from tongxin.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseKind,
    CaseStatus,
    CaseTransition,
    Rating,
    RejectReason,
)

KindValue = Literal["enquiry", "help", "complaint", "report", "suggestion", "patrol"]
RatingValue = Literal["satisfied", "basically", "unsatisfied"]
WhyValue = Literal["not_our_matter", "duplicate", "invalid"]
StatusFilter = Literal[
    "open",
    "reported",
    "accepted",
    "rejected",
    "merged",
    "pooled",
    "dispatched",
    "in_progress",
    "whistled",
    "resolved",
    "verified",
    "closed",
    "closed_unsolved",
    "archived",
]
assert set(CaseKind.values) == set(KindValue.__args__)  # type: ignore[attr-defined]
assert set(Rating.values) == set(RatingValue.__args__)  # type: ignore[attr-defined]
assert set(RejectReason.values) == set(WhyValue.__args__)  # type: ignore[attr-defined]
assert set(CaseStatus.values) | {"open"} == set(StatusFilter.__args__)  # type: ignore[attr-defined]


class StrictIn(Schema):
    """Request bodies refuse unknown fields: a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- configuration --------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_code: str | None = Field(None, description="null for a first-level category")
    response_hours: float = Field(description="working hours from dispatch to the handler's response")
    handling_hours: float
    closure_hours: float
    auto_whistle: bool = Field(description="whistled to the next level automatically when overdue")

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class WhistleStepOut(Schema):
    step: int
    target: str = Field(description="community, street, county or responder_kind")
    responder_kind: str
    report_hours: float = Field(description="working hours the whistled party has to report (报到)")


class WhistleTypeOut(Schema):
    code: str
    name: str
    description: str
    steps: list[WhistleStepOut]

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


# --- intake ---------------------------------------------------------------------------------------


class _IntakeFields(StrictIn):
    kind: KindValue = Field(
        description="咨询 enquiry, 求助 help, 投诉 complaint, 举报 report, 建议 suggestion"
    )
    category: str = Field(max_length=16, description="a second-level category code, e.g. 0101")
    description: str = Field(max_length=4000)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    community: int | None = Field(None, description="the community, when there is no point on a grid")
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20, description="stored encrypted, shown masked")


class IntakeIn(_IntakeFields):
    source: Literal["patrol", "hotline", "camera", "api"]
    kind: KindValue = "patrol"
    hotline_ticket: str = Field("", max_length=40, description="the 12345 ticket number (hotline)")


class PublicIntakeIn(_IntakeFields):
    pass


class CaseRefOut(Schema):
    id: int
    tracking_code: str
    status: str
    description: str
    reported_at: datetime


class IntakeOut(Schema):
    id: int
    tracking_code: str
    status: str
    version: int
    possible_duplicates: list[CaseRefOut] = Field(
        description="open cases of the same category nearby in the last days, in your area"
    )


class PublicIntakeOut(Schema):
    tracking_code: str
    token: str = Field(description="the secret of the tracking and rating link; shown once")
    track_url: str


# --- reading --------------------------------------------------------------------------------------


class CaseFilters(Schema):
    status: StatusFilter | None = Field(None, description="a status, or open for every open one")
    kind: KindValue | None = Field(None, description="the kind of case (咨询, 求助, 投诉, 举报, 建议, 巡查)")
    category: str | None = Field(
        None, max_length=16, description="a category code (first level: all under it)"
    )
    node: int | None = Field(None, description="a region: cases in it or below")
    overdue: bool = Field(False, description="open and past the handling limit")
    supervised: bool = Field(False, description="under supervision (督办)")
    since: date | None = Field(None, description="reported on or after (local date)")
    until: date | None = Field(None, description="reported on or before (local date)")
    q: str | None = Field(None, max_length=50, description="tracking code, 12345 ticket or words")
    mine: Literal["assigned", "pool", "whistled", "verify"] | None = Field(
        None, description="cases you hold, your branch's order pool, whistled to you, or to verify"
    )


class CaseListOut(Schema):
    id: int
    tracking_code: str
    status: str
    status_label: str
    version: int
    kind: str
    source: str
    category_code: str = Field(alias="category.code")
    category_name: str = Field(alias="category.name")
    community_id: int
    community_name: str = Field(alias="community.name")
    grid_id: int | None
    reported_at: datetime
    dispatched_at: datetime | None
    handling_due: datetime | None
    supervised: bool
    overdue: bool

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_overdue(obj: Case) -> bool:
        return bool(obj.status in OPEN_STATUSES and obj.handling_due and obj.handling_due < timezone.now())


class CaseOut(CaseListOut):
    description: str
    address: str
    lng: float | None
    lat: float | None
    grid_name: str | None
    reporter_name: str
    reporter_phone: str = Field(description="masked, e.g. 138****1234")
    hotline_ticket: str
    assignee_user_id: int | None
    assignee_name: str | None
    assignee_responder_id: int | None
    assignee_responder_name: str | None
    duplicate_of_id: int | None
    accepted_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    archived_at: datetime | None
    response_due: datetime | None
    closure_due: datetime | None
    warn_at: datetime | None
    overdue_at: datetime | None
    result: str
    rating: str
    rating_comment: str
    rated_at: datetime | None
    solved_confirmed: bool | None
    reopened_count: int
    allowed_actions: list[str] = Field(description="what you may do to the case now")

    @staticmethod
    def resolve_grid_name(obj: Case) -> str | None:
        return obj.grid.name if obj.grid_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_reporter_phone(obj: Case) -> str:
        return obj.reporter_phone_masked

    @staticmethod
    def resolve_assignee_name(obj: Case) -> str | None:
        return obj.assignee_user.display_name() if obj.assignee_user_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_assignee_responder_name(obj: Case) -> str | None:
        return obj.assignee_responder.name if obj.assignee_responder_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_allowed_actions(obj: Case) -> list[str]:
        return list(getattr(obj, "allowed_actions", []))


class TransitionOut(Schema):
    id: int
    action: str
    from_status: str
    to_status: str
    to_status_label: str
    actor_id: int | None
    actor_label: str
    reason: str
    data: dict[str, Any]
    at: datetime

    @staticmethod
    def resolve_to_status_label(obj: CaseTransition) -> str:
        return str(obj.get_to_status_display())


# --- acting ---------------------------------------------------------------------------------------


class ActionIn(StrictIn):
    reason: str = Field("", max_length=4000, description="the note; required for some actions")
    expected_version: int | None = Field(
        None, description="the version you saw: if the case changed since, 409 conflict"
    )
    why: WhyValue | None = Field(None, description="reject")
    original: int | None = Field(None, description="reject as duplicate: the original case")
    into: int | None = Field(None, description="merge: the open case to merge into")
    to_user: int | None = Field(None, description="dispatch: an account")
    to_responder: int | None = Field(None, description="dispatch or whistle: a team, unit or department")
    whistle_type: str | None = Field(None, max_length=24, description="whistle: the whistle type code")
    solved: bool | None = Field(None, description="follow_up: does the resident say it is solved")
    rating: RatingValue | None = Field(None, description="follow_up: the rating given on the phone")


# --- the resident's link --------------------------------------------------------------------------


class TrackEventOut(Schema):
    at: datetime
    action: str
    status: str
    status_label: str


class TrackMergedOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    result: str
    closed_at: datetime | None


class TrackOut(Schema):
    """What the holder of the tracking link sees: progress only, nothing about any person."""

    tracking_code: str
    status: str
    status_label: str
    category: str
    reported_at: datetime
    accepted_at: datetime | None
    dispatched_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    handling_due: datetime | None
    result: str
    rating: str
    can_rate: bool
    merged_into: TrackMergedOut | None
    timeline: list[TrackEventOut]


class RateIn(StrictIn):
    token: str = Field(max_length=100)
    rating: RatingValue
    comment: str = Field("", max_length=1000)
    solved: bool | None = Field(None, description="false: not solved, the case is reopened")


# --- rates ----------------------------------------------------------------------------------------


class RatesQuery(Schema):
    node: int | None = Field(None, description="a region (default: the top of your area)")
    since: date | None = Field(None, description="dispatched on or after (default: 1 January)")
    until: date | None = Field(None, description="dispatched on or before (default: today)")


class RatesOut(Schema):
    node_id: int
    node_name: str
    node_level: str
    since: date
    until: date
    dispatched: int
    responded_in_time: int
    concluded: int = Field(description="办结: closed, solved or not, with or without 回访")
    followed_up: int = Field(
        description="deprecated: the same value as `concluded`", json_schema_extra={"deprecated": True}
    )
    solved: int
    rated: int
    satisfied: int
    basically: int
    basically_weight: float = Field(description="the weight of 基本满意 in the rules in force on `until`")
    response_rate: float | None = Field(description="响应率: responded within the limit ÷ dispatched")
    resolution_rate: float | None = Field(description="解决率: confirmed solved at 回访 ÷ concluded")
    satisfaction_rate: float | None = Field(description="满意率: (满意 + weight × 基本满意) ÷ rated")
