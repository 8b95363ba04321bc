"""Schemas shared by every part of the JSON API: errors, pagination, small references."""

from datetime import date
from typing import Annotated, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class FieldErrorOut(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    """Every error the API returns: a stable code, a readable message, field errors if any."""

    code: str
    message: str
    errors: list[FieldErrorOut] | None = None


# the answers an operation that reads a body and fetches in scope may give besides its success
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
# and one that may find the record changed under it (409 with its own code)
CONFLICT: dict[int, Any] = {**ERRORS, 409: ErrorOut}


# Bounds every part of the API shares, so no number or date reaches the database or date
# arithmetic out of range (a 500 before); tongxin.core.parser refuses the same for any number or
# date a schema does not bound itself.
MAX_ID = 2**63 - 1  # a BigAutoField
MAX_OFFSET = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 2000, 2100
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Page(LimitOffsetPagination):
    """`?limit=&offset=` (limit at most NINJA_PAGINATION_MAX_LIMIT); the envelope echoes both."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[Any]
        count: int
        limit: int
        offset: int

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result["limit"] = min(pagination.limit, self.max_limit)
        result["offset"] = pagination.offset
        return result


class RegionRef(Schema):
    id: int
    name: str
    code: str
    level: str
