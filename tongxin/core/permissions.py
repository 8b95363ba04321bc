"""What a user may do where, asked the same way by every page.

Capabilities reach subtrees of the region tree (accounts.scope). An object outside the user's
view scope is a 404; one they may see but not change says so (`may_edit`), or is a 403.
"""

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import F, Model, QuerySet
from django.shortcuts import get_object_or_404

from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.regions.models import Region

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


def editable_region(user: Any, pk: Any, capability: str = Capability.STRUCTURE_EDIT) -> Region:
    """The region for a change: 404 outside the user's view scope, 403 if they may only look at it."""
    region, may_edit = get_for_user(
        Region.objects.all(), pk, user, view=Capability.STRUCTURE_VIEW, edit=capability, path_field="path"
    )
    if not may_edit:
        raise PermissionDenied
    return region
