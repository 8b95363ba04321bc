"""JSON shapes of needs, resources, projects and milestones."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from tongxin.core.periods import PeriodFilters
from tongxin.lists.models import (
    NeedCategory,
    NeedSource,
    NeedStatus,
    ProjectKind,
    ProjectStatus,
    ResourceKind,
)


class NeedOut(Schema):
    id: int
    title: str
    description: str
    category: str
    source: str
    status: str
    region_id: int
    region_name: str = Field(alias="region.name")
    case_id: int | None
    round_month: date | None
    wanted_kind: str
    beneficiaries_estimate: int
    created_at: datetime
    claimed_by_unit_id: int | None
    claimed_at: datetime | None
    claimed_meeting_id: int | None
    claim_note: str
    done_at: datetime | None


class NeedFilters(PeriodFilters):
    status: NeedStatus | None = None
    source: NeedSource | None = None
    category: NeedCategory | None = None
    within: int | None = Field(None, description="in the subtree of this region")
    unit: int | None = Field(None, description="claimed by this unit")
    q: str | None = Field(None, max_length=100)


class NeedCreateIn(Schema):
    title: str = Field(max_length=120)
    description: str
    category: NeedCategory
    source: NeedSource
    region: int
    round_month: date | None = None
    wanted_kind: ResourceKind | None = None
    beneficiaries_estimate: int = Field(0, ge=0)


class NeedPatchIn(Schema):
    title: str | None = Field(None, max_length=120)
    description: str | None = None
    category: NeedCategory | None = None
    wanted_kind: ResourceKind | None = None
    beneficiaries_estimate: int | None = Field(None, ge=0)


class ClaimIn(Schema):
    unit: int
    note: str = Field("", max_length=200)


class ReasonIn(Schema):
    reason: str = Field("", max_length=200)


class FromCaseIn(Schema):
    case: int
    category: NeedCategory = NeedCategory.OTHER


class ResourceOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    kind: str
    category: str
    title: str
    description: str
    quantity: Decimal | None
    quantity_unit: str
    available: bool
    available_from: date | None
    available_until: date | None


class SuggestionOut(Schema):
    resource: ResourceOut
    score: int
    reasons: list[str]


class ResourceCreateIn(Schema):
    unit: int
    kind: ResourceKind
    title: str = Field(max_length=120)
    category: NeedCategory | None = None
    description: str = ""
    quantity: Decimal | None = Field(None, ge=0)
    quantity_unit: str = Field("", max_length=12)
    available: bool = True
    available_from: date | None = None
    available_until: date | None = None


class ResourcePatchIn(Schema):
    kind: ResourceKind | None = None
    title: str | None = Field(None, max_length=120)
    category: NeedCategory | None = None
    description: str | None = None
    quantity: Decimal | None = Field(None, ge=0)
    quantity_unit: str | None = Field(None, max_length=12)
    available: bool | None = None
    available_from: date | None = None
    available_until: date | None = None


class MilestoneOut(Schema):
    id: int
    title: str
    weight: int
    due_on: date | None
    status: str
    progress: int
    note: str
    accepted_at: datetime | None


class ProjectOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    need_id: int | None
    parent_id: int | None
    weight: int
    owner_unit_id: int | None
    region_id: int
    region_name: str = Field(alias="region.name")
    lead_name: str
    secretary_id: int | None
    budget: Decimal
    starts_on: date
    due_on: date | None
    progress: Decimal
    result: str
    beneficiaries_count: int
    claimed_at: datetime
    closed_at: datetime | None


class ProjectDetailOut(ProjectOut):
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(obj: object) -> list[object]:
        return list(obj.milestones.all())  # type: ignore[attr-defined]


class ProjectFilters(PeriodFilters):
    status: ProjectStatus | None = None
    kind: ProjectKind | None = None
    unit: int | None = None


class ResourceFilters(PeriodFilters):
    kind: ResourceKind | None = None
    unit: int | None = None
    available: bool = Field(False, description="only resources marked available")


class MilestoneIn(Schema):
    title: str = Field(max_length=120)
    weight: int = Field(1, ge=1, le=100)
    due_on: date | None = None


class ProjectCreateIn(Schema):
    title: str = Field(max_length=120)
    kind: ProjectKind
    lead_name: str = Field(max_length=50)
    need: int | None = Field(
        None, description="a claimed need: the project belongs to the unit that claimed it"
    )
    region: int | None = Field(None, description="for a project without a need")
    owner_unit: int | None = None
    parent: int | None = None
    weight: int = Field(1, ge=1)
    secretary: int | None = Field(None, description="the person (a sitting 书记) who claimed a 书记项目")
    budget: Decimal = Field(Decimal(0), ge=0)
    starts_on: date | None = None
    due_on: date | None = None
    milestones: list[MilestoneIn] = []


class ReportIn(Schema):
    progress: int = Field(ge=0, le=100)
    note: str = Field("", max_length=500)


class CloseIn(Schema):
    result: str
    beneficiaries_count: int = Field(ge=0)
    beneficiaries_note: str = Field("", max_length=200)
