"""The demo district as plain data, before anything touches the database.

A plan is built once from a seed and then written either through the services (small scales,
every rule checked) or in bulk (city scale). Both writers read the same plan, so they can be
compared row for row. Objects refer to each other by code (regions, organisations) or by index
(people), never by database id.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(slots=True)
class RegionSpec:
    code: str
    name: str
    level: str
    kind: str
    parent: str | None
    geometry: dict[str, Any] | None = None
    centre: tuple[float, float] | None = None
    address: str = ""


@dataclass(slots=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    region: str
    parent: str | None
    founded_on: date | None = None
    term_ends_on: date | None = None


@dataclass(slots=True)
class PersonSpec:
    name: str
    gender: str
    birth_date: date
    region: str
    address: str = ""
    ethnicity: str = ""
    employer: str = ""
    phone: str = ""
    id_card: str = ""
    party_status: str = ""
    party_joined_on: date | None = None
    party_full_on: date | None = None
    branch: str | None = None


@dataclass(slots=True)
class PositionSpec:
    person: int
    kind: str
    starts_on: date
    region: str | None = None
    organisation: str | None = None
    ends_on: date | None = None


@dataclass(slots=True)
class AccountSpec:
    username: str
    persona: str
    role: str
    region: str
    person: int


@dataclass
class Plan:
    seed: int
    regions: list[RegionSpec] = field(default_factory=list)
    organisations: list[OrgSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    positions: list[PositionSpec] = field(default_factory=list)
    accounts: list[AccountSpec] = field(default_factory=list)

    def add_region(self, spec: RegionSpec) -> RegionSpec:
        self.regions.append(spec)
        return spec

    def add_org(self, spec: OrgSpec) -> OrgSpec:
        self.organisations.append(spec)
        return spec

    def add_position(self, spec: PositionSpec) -> None:
        self.positions.append(spec)
