"""The needs, resources and projects lists as their pages, counts, Excel exports and the API read
them: one filter form and one selector per list, so a page and its export never differ."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy

from tongxin.audit.exports import export_view
from tongxin.core.access import requires
from tongxin.core.periods import selection
from tongxin.core.roles import Capability
from tongxin.core.xlsx import Column, field, related_name
from tongxin.lists.forms import NeedFilterForm, ProjectFilterForm, ResourceFilterForm
from tongxin.lists.models import Need, Project, Resource
from tongxin.lists.selectors import needs_listed, projects_listed, resources_listed
from tongxin.partners.selectors import reach_for, unit_get
from tongxin.regions.models import Region

VIEW = Capability.PARTNERS_VIEW


def _node(user: Any, pk: int | None) -> Any:
    """A region to narrow the needs to: one the user sees (their area or a paired one), else 404."""
    if pk is None:
        return None

    node = get_object_or_404(Region, pk=pk)
    if not reach_for(user).sees_region(node):
        raise Http404
    return node


def need_selection(request: HttpRequest) -> tuple[NeedFilterForm, QuerySet[Need]]:
    form = NeedFilterForm(request.GET or None)
    filters = form.values()
    form.area = _node(request.user, filters.pop("node", None))
    filters["q"] = filters.get("q", "").strip()
    return form, needs_listed(request.user, region=form.area, **filters)


def resource_selection(request: HttpRequest) -> tuple[ResourceFilterForm, QuerySet[Resource]]:
    form = ResourceFilterForm(request.GET or None)
    filters = form.values()
    unit_id = filters.pop("unit", None)
    form.chosen_unit = unit_get(request.user, unit_id) if unit_id is not None else None
    return form, resources_listed(request.user, unit=form.chosen_unit, **filters)


project_selection = selection(ProjectFilterForm, projects_listed)


NEED_COLUMNS = [
    field(Need, "title", width=36),
    field(Need, "category", width=14),
    field(Need, "source", width=16),
    field(Need, "region", width=18),
    field(Need, "status", width=10),
    field(Need, "created_at", width=17),
    Column(_lazy("Claimed by"), related_name("claimed_by_unit.name"), width=24),
    field(Need, "claimed_at", width=17),
    field(Need, "done_at", width=17),
    field(Need, "beneficiaries_estimate", width=12, total=True),
]

RESOURCE_COLUMNS = [
    field(Resource, "title", width=32),
    Column(_lazy("Unit"), related_name("unit.name"), width=26),
    field(Resource, "kind", width=12),
    field(Resource, "category", width=14),
    field(Resource, "quantity", width=10),
    field(Resource, "quantity_unit", width=8),
    field(Resource, "available", width=8),
    field(Resource, "available_from", width=12),
    field(Resource, "available_until", width=12),
    Column(_lazy("Put on the list"), lambda r: r.created_at, width=17),
]

PROJECT_COLUMNS = [
    field(Project, "title", width=36),
    field(Project, "kind", width=12),
    Column(_lazy("Owner unit"), related_name("owner_unit.name"), width=26),
    Column(_lazy("Where"), related_name("region.name"), width=18),
    Column(_lazy("Secretary"), related_name("secretary.name"), width=10),
    field(Project, "lead_name", width=10),
    field(Project, "claimed_at", width=17),
    field(Project, "starts_on", width=12),
    field(Project, "due_on", width=12),
    field(Project, "status", width=10),
    field(Project, "progress", width=10),
    field(Project, "budget", width=12, total=True),
    field(Project, "beneficiaries_count", width=12, total=True),
    field(Project, "closed_at", width=17),
]


def _export(selection: Any, columns: list[Column], name: str, title: Any) -> Any:
    """The Excel download of the list page `lists:<name>`."""
    return requires(VIEW)(export_view(selection, columns, name=name, title=title, back=f"lists:{name}"))


need_export = _export(need_selection, NEED_COLUMNS, "needs", _lazy("Needs"))
resource_export = _export(resource_selection, RESOURCE_COLUMNS, "resources", _lazy("Resources"))
project_export = _export(project_selection, PROJECT_COLUMNS, "projects", _lazy("Projects"))
