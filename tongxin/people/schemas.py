"""JSON shapes of people and positions. Phone and ID-card numbers leave only masked."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from tongxin.people.models import Person, Position, PositionKind

GenderValue = Literal["", "M", "F"]
PartyStatusValue = Literal["", "probationary", "full"]


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date | None
    ethnicity: str
    region_id: int
    region_name: str = Field(alias="region.name")
    address: str
    employer: str
    phone: str = Field(description="masked, e.g. 138****1234; POST /people/{id}/reveal for the number")
    id_card: str = Field(description="masked; POST /people/{id}/reveal for the number")
    party_status: str
    party_joined_on: date | None
    party_full_on: date | None
    branch_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_phone(obj: Person) -> str:
        return obj.phone_masked

    @staticmethod
    def resolve_id_card(obj: Person) -> str:
        return obj.id_card_masked


class PersonFilters(Schema):
    within: int | None = Field(None, description="living in this region or below")
    q: str | None = Field(None, max_length=50, description="part of the name")
    party_status: PartyStatusValue | None = None
    branch: int | None = None


class PersonCreateIn(Schema):
    name: str = Field(max_length=50)
    region: int
    gender: GenderValue = ""
    birth_date: date | None = None
    ethnicity: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    employer: str = Field("", max_length=120)
    phone: str = Field("", max_length=20, description="stored encrypted")
    id_card: str = Field("", max_length=18, description="stored encrypted")
    party_status: PartyStatusValue = ""
    party_joined_on: date | None = None
    party_full_on: date | None = None
    branch: int | None = None


class PersonPatchIn(Schema):
    name: str | None = Field(None, max_length=50)
    region: int | None = None
    gender: GenderValue | None = None
    birth_date: date | None = None
    ethnicity: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=200)
    employer: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, max_length=20, description="empty or null removes it")
    id_card: str | None = Field(None, max_length=18, description="empty or null removes it")
    party_status: PartyStatusValue | None = None
    party_joined_on: date | None = None
    party_full_on: date | None = None
    branch: int | None = None


class RevealIn(Schema):
    field: Literal["phone", "id_card"]
    # why (PIPL art. 6): recorded in the audit row; "other" needs a note
    purpose: Literal["contact", "case", "verify", "visit", "statistics", "other"]
    note: str = Field("", max_length=200)


class RevealOut(Schema):
    field: str
    value: str


class PositionOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    kind: str
    region_id: int
    region_name: str = Field(alias="region.name")
    organisation_id: int | None
    organisation_name: str | None
    starts_on: date
    ends_on: date | None
    is_current: bool

    @staticmethod
    def resolve_organisation_name(obj: Position) -> str | None:
        return obj.organisation.name if obj.organisation is not None else None

    @staticmethod
    def resolve_is_current(obj: Position) -> bool:
        return obj.is_current()


class PositionFilters(Schema):
    person: int | None = None
    within: int | None = Field(None, description="held at this region or below")
    kind: PositionKind | None = None
    current: bool | None = Field(None, description="true: held today; false: ended or not yet begun")


class PositionCreateIn(Schema):
    person: int
    kind: PositionKind
    region: int | None = Field(None, description="defaults to the organisation's region")
    organisation: int | None = None
    starts_on: date
    ends_on: date | None = None


class PositionPatchIn(Schema):
    kind: PositionKind | None = None
    region: int | None = None
    organisation: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class PositionEndIn(Schema):
    ends_on: date
