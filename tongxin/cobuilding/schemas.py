"""JSON shapes that compose partners and meetings: an alliance with its meeting rhythm this year,
and the annual duty check."""

from datetime import date

from django.utils import timezone
from ninja import Field, Schema

from tongxin.meetings.selectors import alliance_rhythm
from tongxin.partners.schemas import AllianceOut, MemberOut
from tongxin.partners.selectors import alliance_members_current


class RhythmOut(Schema):
    year: int
    expected: int = Field(description="periods of this year over since founding: each needs a meeting")
    met: int = Field(description="of those periods, how many had a meeting")
    held: int = Field(description="meetings held this year")
    behind: bool
    next_due: date | None


class AllianceDetailOut(AllianceOut):
    members: list[MemberOut]
    rhythm: RhythmOut

    @staticmethod
    def resolve_members(obj: object) -> list[object]:
        return list(alliance_members_current(obj))  # type: ignore[arg-type]

    @staticmethod
    def resolve_rhythm(obj: object) -> object:
        return alliance_rhythm(obj, year=timezone.localdate().year)  # type: ignore[arg-type]


class DutyRowOut(Schema):
    kind: str = Field(description="unit, secretary or alliance")
    id: int
    name: str
    required: int
    done: int
    status: str = Field(description="done, not_yet, missed or not_due")


class DutyOut(Schema):
    year: int
    as_of: date
    finished: bool
    rules_version: str
    rows: list[DutyRowOut]
