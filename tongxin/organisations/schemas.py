"""JSON shapes of Party organisations."""

from datetime import date

from ninja import Field, Schema

from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.organisations.services import organisation_warnings


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    code: str
    parent_id: int | None
    region_id: int
    region_name: str = Field(alias="region.name")
    depth: int
    founded_on: date | None
    term_ends_on: date | None


class OrganisationDetailOut(OrganisationOut):
    warnings: list[str] = Field(description="rules the organisation does not meet (warned, not enforced)")

    @staticmethod
    def resolve_warnings(obj: PartyOrganisation) -> list[str]:
        return [str(w) for w in organisation_warnings(obj)]


class OrganisationFilters(Schema):
    kind: OrgKind | None = None
    region: int | None = Field(None, description="attached to exactly this region")
    within: int | None = Field(None, description="attached to a region inside this one")
    parent: int | None = None
    q: str | None = Field(None, max_length=100, description="part of the name, or the code")


class OrganisationCreateIn(Schema):
    name: str = Field(max_length=120)
    kind: OrgKind
    code: str = Field(max_length=32)
    region: int
    parent: int | None = None
    founded_on: date | None = None
    term_ends_on: date | None = None


class OrganisationPatchIn(Schema):
    name: str | None = Field(None, max_length=120)
    kind: OrgKind | None = None
    code: str | None = Field(None, max_length=32)
    region: int | None = None
    founded_on: date | None = None
    term_ends_on: date | None = None


class OrganisationMoveIn(Schema):
    parent: int
