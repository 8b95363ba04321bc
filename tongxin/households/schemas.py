"""JSON shapes of households, residents and 联户 links. Care tags are sensitive: `care_tags` is null
unless the caller's care_tags.view reaches the household."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from tongxin.core.schemas import MAX_ID

RelationValue = Literal["head", "spouse", "child", "parent", "other"]
LinkKindValue = Literal["ten_households", "member_households", "cadre_grids", "paired_workers"]
Id = Field(..., ge=1, le=MAX_ID)


def _tags(obj: Any) -> list[str] | None:
    return getattr(obj, "care_tag_codes", None)


class HouseholdOut(Schema):
    id: int
    building_id: int
    grid_id: int
    community_id: int
    street: str
    house_number: str
    unit: str
    room: str
    address: str = Field(description="the full GB/T 39609 address: division, street, number, unit, room")
    short_address: str
    note: str
    active: bool
    care_tags: list[str] | None = Field(
        None, description="codes of the care tags; null where you may not see them (sensitive, PIPL art. 28)"
    )
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_care_tags(obj: Any) -> list[str] | None:
        return _tags(obj)


class ResidentOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    relation: str
    moved_in_on: date | None
    moved_out_on: date | None


class HouseholdDetailOut(HouseholdOut):
    residents: list[ResidentOut]
    link_ids: list[int]

    @staticmethod
    def resolve_residents(obj: Any) -> list[Any]:
        return obj.resident_rows

    @staticmethod
    def resolve_link_ids(obj: Any) -> list[int]:
        return obj.link_ids


class HouseholdFilters(Schema):
    within: int | None = Field(
        None, ge=1, le=MAX_ID, description="in this region (a grid, a building…) or below"
    )
    q: str | None = Field(None, max_length=50, description="part of the address")
    tag: str | None = Field(
        None,
        max_length=32,
        description="carrying this care tag (code); needs care_tags.view, kept to its scope",
    )
    inactive: bool = Field(False, description="include households no longer in use")


class HouseholdCreateIn(Schema):
    building: int = Field(
        ...,
        ge=1,
        le=MAX_ID,
        description="a building, or a village group (村民小组: a grid without buildings)",
    )
    street: str = Field(
        "", max_length=100, description="街巷院落; in a village group the group (组), such as 一组"
    )
    house_number: str = Field("", max_length=30, description="门楼牌号; required in a village group")
    unit: str = Field("", max_length=10, description="单元; none in a village group")
    room: str = Field("", max_length=20, description="室: required in a building, none in a village group")
    note: str = Field("", max_length=200)
    care_tags: list[str] | None = Field(None, max_length=20, description="codes; needs care_tags.view")


class HouseholdPatchIn(Schema):
    building: int | None = Field(None, ge=1, le=MAX_ID)
    street: str | None = Field(None, max_length=100)
    house_number: str | None = Field(None, max_length=30)
    unit: str | None = Field(None, max_length=10)
    room: str | None = Field(None, max_length=20)
    note: str | None = Field(None, max_length=200)
    active: bool | None = None
    care_tags: list[str] | None = Field(None, max_length=20, description="codes; needs care_tags.view")


class LinkOut(Schema):
    id: int
    kind: str
    person_id: int
    person_name: str = Field(alias="person.name")
    partner_id: int | None
    region_id: int
    starts_on: date
    ends_on: date | None
    note: str
    household_ids: list[int]
    grid_ids: list[int]

    @staticmethod
    def resolve_household_ids(obj: Any) -> list[int]:
        return sorted(h.pk for h in obj.households.all())

    @staticmethod
    def resolve_grid_ids(obj: Any) -> list[int]:
        return sorted(g.pk for g in obj.grids.all())


class LinkFilters(Schema):
    kind: LinkKindValue | None = None
    within: int | None = Field(None, ge=1, le=MAX_ID, description="kept in this region or below")
    current: bool = Field(False, description="only links in force today")
    household: int | None = Field(None, ge=1, le=MAX_ID, description="links covering this household")
    person: int | None = Field(None, ge=1, le=MAX_ID, description="links of this person (or partner)")


class LinkCreateIn(Schema):
    kind: LinkKindValue
    person: int = Id
    region: int = Field(..., ge=1, le=MAX_ID, description="the grid, community or street the link is kept at")
    partner: int | None = Field(None, ge=1, le=MAX_ID, description="1+1 only")
    households: list[int] = Field(default_factory=list, max_length=500)
    grids: list[int] = Field(default_factory=list, max_length=500)
    starts_on: date
    ends_on: date | None = None
    note: str = Field("", max_length=200)


class LinkEndIn(Schema):
    ends_on: date
