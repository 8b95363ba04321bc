"""Schemas shared by every part of the JSON API: errors, pagination, small references."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
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


class Page(LimitOffsetPagination):
    """`?limit=&offset=` (limit at most NINJA_PAGINATION_MAX_LIMIT); the envelope echoes both."""

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
