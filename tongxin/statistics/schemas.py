from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from tongxin.statistics.periods import MAX_YEAR, MIN_YEAR


class PeriodQuery(Schema):
    node: int | None = Field(None, ge=1, le=2**31 - 1, description="Region id; default: your first root")
    period: str | None = Field(None, pattern="^(month|quarter|year|custom)$")
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)
    q: int | None = Field(None, ge=1, le=4)
    month: int | None = Field(None, ge=1, le=12)
    since: date | None = None
    until: date | None = None


class IndicatorOut(Schema):
    code: str
    section: str
    name: str
    unit: str
    definition: str
    kind: str
    breakdown: bool
    stock: bool
    targeted: bool
    numerator: str | None
    denominator: str | None


class ValueOut(Schema):
    code: str
    value: Any
    previous: Any
    change: Any
    target: Any
    share: Any
    groups: list[dict[str, Any]] | None
    rows_url: str


class ValuesOut(Schema):
    node: dict[str, Any]
    since: date
    until: date
    previous_since: date
    previous_until: date
    values: list[ValueOut]
    # when the kept figures read were computed (数据截至); null: counted for this request
    as_of: datetime | None = None


class ChildOut(Schema):
    node: dict[str, Any]
    values: dict[str, Any]


class ChildrenOut(Schema):
    node: dict[str, Any]
    since: date
    until: date
    children: list[ChildOut]
    # when the kept figures read were computed (数据截至); null: counted for this request
    as_of: datetime | None = None


class RowOut(Schema):
    id: Any
    label: str
    url: str | None


class RowsOut(Schema):
    code: str
    count: int
    offset: int | None = Field(None, description="Deprecated: the `offset` asked for; null with `cursor`.")
    items: list[RowOut]
    next_cursor: str | None = Field(None, description="The cursor of the next page; null on the last.")
    previous_cursor: str | None = Field(None, description="The cursor of the page before; null on the first.")


class TargetIn(Schema):
    indicator: str = Field(max_length=64)
    node: int = Field(ge=1, le=2**31 - 1)
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    value: float = Field(ge=0, le=1e10)
    note: str = Field("", max_length=200)


class TargetOut(Schema):
    indicator: str
    node: int
    year: int
    value: float
    note: str
