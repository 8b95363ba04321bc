"""Schemas shared by every part of the JSON API: errors, pagination, small references."""

from datetime import date
from typing import Annotated, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase

from tongxin.core.keyset import BadCursor, Window, bounded_count, offset_window, window


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


CURSOR_HELP = (
    "The `next_cursor` or `previous_cursor` of the page before; leave it out for the first page. "
    "Opaque and signed: an altered cursor, or one of a list ordered otherwise, is a 400 bad_cursor."
)


class Page(PaginationBase):
    """Keyset paging (core/keyset.py): `?limit=&cursor=`; a deep page costs what the first does.

    The envelope carries `next_cursor`/`previous_cursor` (null at either end) and `count`, the size of
    the whole filtered list — or, on a list with a `count_limit` (the cases), the limit when the list
    has more rows than it, with `count_is_lower_bound` true. `offset` (deprecated) still reads a page
    by OFFSET for existing clients; its cursors go on by keyset."""

    count_limit: int | None = None  # None: count every row

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        cursor: str | None = Field(None, description=CURSOR_HELP)
        offset: int | None = Field(
            None,
            ge=0,
            le=MAX_OFFSET,
            json_schema_extra={"deprecated": True},
            description="Deprecated: page by `cursor`. Skips this many rows (ignored with `cursor`).",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="How many rows the filtered list has; if count_is_lower_bound, it has more than this."
        )
        count_is_lower_bound: bool = Field(
            False,
            description="True when the list has more rows than `count`: counting stopped at the list's "
            "count limit (10,000 for cases). False: `count` is exact.",
        )
        limit: int
        offset: int | None = Field(None, description="Deprecated: the `offset` asked for, else null.")
        next_cursor: str | None = Field(None, description="The cursor of the next page; null on the last.")
        previous_cursor: str | None = Field(
            None, description="The cursor of the page before; null on the first."
        )

    def __init__(self, max_limit: int = settings.NINJA_PAGINATION_MAX_LIMIT, **kwargs: Any) -> None:
        self.max_limit = max_limit
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        limit = min(pagination.limit, self.max_limit)
        frame = self.window(queryset, pagination, limit)
        count, more = self.count(queryset)
        return {
            "items": frame.rows,
            "count": count,
            "count_is_lower_bound": more,
            "limit": limit,
            "offset": None if pagination.cursor else pagination.offset or 0,
            "next_cursor": frame.next_cursor,
            "previous_cursor": frame.previous_cursor,
        }

    def count(self, queryset: Any) -> tuple[int, bool]:
        """The list's count and whether it is only a lower bound (see count_limit)."""
        if self.count_limit is None:
            return self._items_count(queryset), False
        return bounded_count(queryset, self.count_limit)

    @staticmethod
    def window(items: Any, pagination: Any, limit: int) -> Window:
        """The page asked for: by cursor, else by the deprecated offset, else the first; a bad cursor
        is a 400 with the code bad_cursor."""
        try:
            if pagination.cursor:
                return window(items, pagination.cursor, limit)
            if pagination.offset:
                return offset_window(items, pagination.offset, limit)
            return window(items, None, limit)
        except BadCursor as exc:
            raise BadCursorError from exc


class BadCursorError(HttpError):
    code = "bad_cursor"

    def __init__(self) -> None:
        super().__init__(400, _("The cursor is not valid: start again from the first page (without cursor)."))


class RegionRef(Schema):
    id: int
    name: str
    code: str
    level: str
