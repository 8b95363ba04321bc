"""The account behind the request, and the helpers every API module uses to stay inside scope."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from tongxin.core.periods import period_check
from tongxin.core.roles import Role
from tongxin.core.scope import capabilities, has_capability, scope_for

router = Router()

M = TypeVar("M", bound=Model)


class ApiError(HttpError):
    """An error with its own stable code, e.g. 409 "has_dependents" or 404 "no_grid"."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


def require_capability(user: Any, capability: str) -> None:
    """Refuse (403) a user who holds `capability` nowhere."""
    if not has_capability(user, capability):
        raise PermissionDenied


def require_in_scope(user: Any, capability: str, *regions: Any) -> None:
    """Refuse (403) unless `capability` reaches every one of `regions` (None entries are skipped)."""
    scope = scope_for(user, capability)
    for region in regions:
        if region is not None and not scope.contains(region.path):
            raise PermissionDenied


def reference(queryset: QuerySet[M], pk: Any, *, field: str) -> M | None:
    """An object named by id in a request body, looked up inside the caller's scoped queryset.

    An id outside the scope reads exactly like an id that does not exist.
    """
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("There is no such record in your area.")]})
    return found


def required(queryset: QuerySet[M], pk: Any, *, field: str) -> M:
    """`reference` for a field that must name something: an id outside scope reads as no such id."""
    found = reference(queryset, pk, field=field)
    if found is None:
        raise ValidationError({field: [_("This field is required.")]})
    return found


def listed(
    request: HttpRequest,
    selector: Callable[..., QuerySet[M]],
    filters: Schema,
    *,
    capability: str | None,
    **more: Any,
) -> QuerySet[M]:
    """A list endpoint's rows, read through the list's own selector, as its page and export read them:
    `capability` required (where the list asks for one), a period ending before it starts refused,
    every filter passed on by name (an absent one as None) and `more` added."""
    if capability is not None:
        require_capability(request.user, capability)
    period_check(filters.since, filters.until)  # type: ignore[attr-defined]
    return selector(request.user, **filters.dict(), **more)


def references(data: dict[str, Any], **choices: QuerySet[Any]) -> dict[str, Any]:
    """`data` (a body's fields) with each id named in `choices` looked up in its scoped queryset
    (see `reference`); a field the body does not carry is left out, as a partial update wants."""
    for name, queryset in choices.items():
        if name in data:
            data[name] = reference(queryset, data[name], field=name)
    return data


class RoleOut(Schema):
    role: str
    label: str
    region_id: int
    region_name: str
    region_code: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    person_id: int | None
    roles: list[RoleOut]
    capabilities: list[str]


@router.get("/me", response=MeOut, summary="The account making the request", tags=["accounts"])
def me(request: HttpRequest) -> dict[str, Any]:
    """The account, its person, the roles it holds (each at a region) and what they allow."""
    user: Any = request.user
    assignments = user.role_assignments.select_related("region").order_by("region__path", "role")
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.display_name(),
        "person_id": user.person_id,
        "roles": [
            {
                "role": a.role,
                "label": str(Role(a.role).label) if a.role in Role.values else a.role,
                "region_id": a.region_id,
                "region_name": a.region.name,
                "region_code": a.region.code,
            }
            for a in assignments
        ],
        "capabilities": sorted(capabilities(user)),
    }
