"""What a user may do where, asked the same way by every page.

Capabilities reach subtrees of the region tree (core.scope). An object outside the user's
view scope is a 404; one they may see but not change says so (`may_edit`), or is a 403.
"""

from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet
from django.shortcuts import get_object_or_404

from tongxin.core.scope import scope_for

M = TypeVar("M", bound=Model)

_PATH = "scope_region_path"


def can(user: Any, capability: str, path: str | None) -> bool:
    """Whether `capability` reaches the region at `path` (None reaches nothing)."""
    return scope_for(user, capability).contains(path)


def get_for_user(
    queryset: QuerySet[M], pk: Any, user: Any, *, view: str, edit: str, path_field: str = "region__path"
) -> tuple[M, bool]:
    """The object with `pk` if `view` reaches its region (else 404), and whether `edit` does."""
    obj = get_object_or_404(
        queryset.filter(scope_for(user, view).q(path_field)).annotate(**{_PATH: F(path_field)}), pk=pk
    )
    return obj, can(user, edit, getattr(obj, _PATH))
