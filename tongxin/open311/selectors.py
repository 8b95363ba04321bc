"""Reads for Open311: the client keys a security administrator manages, and the cases a key reaches."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tongxin.cases.models import Case, CaseCategory
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import PATH_END
from tongxin.open311.models import ClientKey
from tongxin.regions.models import Level, Region

MANAGE = Capability.CLIENT_KEYS_MANAGE


def client_keys(user: Any) -> QuerySet[ClientKey]:
    """The keys of nodes inside the user's client_keys.manage scope, newest first."""
    return (
        ClientKey.objects.filter(scope_for(user, MANAGE).q("region__path"))
        .select_related("region", "created_by", "revoked_by")
        .order_by("-created_at", "-pk")
    )


def client_key_get(user: Any, pk: Any) -> ClientKey:
    try:
        return client_keys(user).get(pk=int(pk))
    except (ClientKey.DoesNotExist, TypeError, ValueError):
        raise Http404


def key_regions(user: Any) -> QuerySet[Region]:
    """Nodes a key may serve: a street, a community or larger (a grid or building is too small for a
    client system, and the point decides the grid anyway)."""
    return (
        Region.objects.filter(scope_for(user, MANAGE).q("path"))
        .exclude(level__in=[Level.GRID, Level.BUILDING])
        .only("id", "name", "code", "depth", "path", "level")
        .order_by("path")
    )


def services() -> QuerySet[CaseCategory]:
    """GeoReport services: the active second-level case categories."""
    return (
        CaseCategory.objects.filter(active=True, parent__isnull=False, parent__active=True)
        .select_related("parent")
        .order_by("code")
    )


def service_get(code: str) -> CaseCategory | None:
    return services().filter(code=code).first()


def cases_within(path: str | None) -> QuerySet[Case]:
    """Cases inside a node's subtree (None: every case, for open reads)."""
    cases = Case.objects.all()
    if path is not None:
        cases = cases.filter(region_path__gte=path, region_path__lt=path + PATH_END)
    return cases.select_related(
        "category", "category__parent", "community", "grid", "assignee_responder", "open311"
    )


def communities_within(path: str | None) -> QuerySet[Region]:
    """The communities a report without a point may name (attribute[community])."""
    found = Region.objects.filter(level=Level.COMMUNITY)
    if path is not None:
        found = found.filter(path__gte=path, path__lt=path + PATH_END)
    return found.only("id", "name", "code", "path").order_by("path")
