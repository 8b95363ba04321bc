"""The JSON shapes of /api/v1/gridwork."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from tongxin.core.schemas import Id, RegionRef


class EntryOut(Schema):
    id: int
    kind: str = Field(description="visit, patrol, inspection, policy, mediation, startup, errand")
    kind_name: str
    grid: RegionRef
    household: int | None = Field(None, description="the household's id (its address needs households.view)")
    campaign: int | None
    at: datetime
    note: str
    outcome: str = Field(description="a mediation's outcome: resolved, partial, unresolved; else empty")
    answers: dict[str, str]
    found_something: bool
    lng: float | None
    lat: float | None
    case: str | None = Field(None, description="the tracking code of the case the finding became")
    author: str

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.code)

    @staticmethod
    def resolve_kind_name(obj: Any) -> str:
        return str(obj.kind.name)

    @staticmethod
    def resolve_household(obj: Any) -> int | None:
        return obj.household_id

    @staticmethod
    def resolve_campaign(obj: Any) -> int | None:
        return obj.campaign_id

    @staticmethod
    def resolve_case(obj: Any) -> str | None:
        return obj.case.tracking_code if obj.case_id else None

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author_label)


class EntryIn(Schema):
    kind: str = Field(description="visit, patrol, inspection, policy, mediation, startup, errand")
    grid: Id
    household: Id | None = None
    campaign: Id | None = None
    at: datetime | None = Field(None, description="when the work was done (default now; at most a week ago)")
    note: str = Field("", max_length=2000)
    outcome: str = Field("", description="required for a mediation: resolved, partial, unresolved")
    answers: dict[str, str] = Field(default_factory=dict, description="checklist key → ok or issue")
    found_something: bool = False
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    case_category: Id | None = Field(
        None, description="with found_something: the second-level case category; the finding becomes one case"
    )


class EntryFilters(Schema):
    since: date | None = Field(None, description="on or after this local date (the entry's time)")
    until: date | None = Field(None, description="on or before this local date (the entry's time)")
    kind: str = ""
    grid: Id | None = None


class ChecklistItemOut(Schema):
    key: str
    label: str


class CampaignOut(Schema):
    id: int
    title: str
    region: RegionRef
    starts_on: date
    ends_on: date
    closed: bool
    checklist: list[ChecklistItemOut]

    @staticmethod
    def resolve_closed(obj: Any) -> bool:
        return obj.closed_at is not None


class CampaignDetailOut(CampaignOut):
    description: str
    grids: list[RegionRef]

    @staticmethod
    def resolve_grids(obj: Any) -> list[Any]:
        return list(obj.grids.all())


class CoverageRowOut(Schema):
    grid: RegionRef
    households_in_scope: int
    households_visited: int
    rounds: int
    findings: int
    cases: int


class CoverageOut(Schema):
    campaign: int
    households_in_scope: int
    households_visited: int
    rounds: int
    findings: int
    cases: int
    grids: list[CoverageRowOut]
