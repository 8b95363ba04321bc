"""JSON shapes of partner units, alliances, pairings and agreements.

An alliance with its meeting rhythm and the duty check are shapes of tongxin.cobuilding.schemas."""

from datetime import date

from ninja import Field, Schema

from tongxin.partners.models import AllianceKind, MeetingInterval, MemberRole, UnitKind


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    region_id: int
    region_name: str = Field(alias="region.name")
    party_organisation_id: int | None
    address: str
    red_property: bool
    active: bool
    joined_on: date | None
    description: str


class UnitFilters(Schema):
    kind: UnitKind | None = None
    q: str | None = Field(None, max_length=100)
    active: bool | None = True


class UnitCreateIn(Schema):
    name: str = Field(max_length=120)
    kind: UnitKind
    region: int
    party_organisation: int | None = None
    address: str = Field("", max_length=200)
    red_property: bool = False
    joined_on: date | None = None
    description: str = ""


class UnitPatchIn(Schema):
    name: str | None = Field(None, max_length=120)
    kind: UnitKind | None = None
    party_organisation: int | None = None
    address: str | None = Field(None, max_length=200)
    red_property: bool | None = None
    joined_on: date | None = None
    description: str | None = None
    active: bool | None = None


class MemberOut(Schema):
    id: int
    unit_id: int | None
    organisation_id: int | None
    name: str = Field(alias="label")
    person_id: int | None
    role: str
    joined_on: date
    left_on: date | None


class AllianceOut(Schema):
    id: int
    name: str
    kind: str
    region_id: int
    region_name: str = Field(alias="region.name")
    organisation_id: int | None
    meeting_interval: int = Field(description="months between joint meetings")
    founded_on: date
    active: bool


class AllianceCreateIn(Schema):
    name: str = Field(max_length=120)
    kind: AllianceKind
    region: int
    organisation: int | None = None
    meeting_interval: MeetingInterval = MeetingInterval.QUARTERLY
    founded_on: date
    description: str = ""


class MemberCreateIn(Schema):
    unit: int | None = None
    organisation: int | None = None
    role: MemberRole = MemberRole.UNIT
    joined_on: date | None = None


class AgreementOut(Schema):
    id: int
    pairing_id: int
    title: str
    signed_on: date
    starts_on: date
    ends_on: date
    commitments: str
    has_file: bool

    @staticmethod
    def resolve_has_file(obj: object) -> bool:
        return bool(getattr(obj, "file", None))


class PairingOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    region_id: int
    region_name: str = Field(alias="region.name")
    host_organisation_id: int | None
    started_on: date
    ended_on: date | None


class PairingDetailOut(PairingOut):
    agreements: list[AgreementOut]

    @staticmethod
    def resolve_agreements(obj: object) -> list[object]:
        return list(obj.agreements.all())  # type: ignore[attr-defined]


class PairingCreateIn(Schema):
    unit: int
    region: int
    host_organisation: int | None = None
    started_on: date
    note: str = ""


class ExpiringOut(AgreementOut):
    unit_name: str = Field(alias="pairing.unit.name")
    region_name: str = Field(alias="pairing.region.name")
