"""Grid-work configuration pages of a street or community: the log kinds, the campaign checklists
and the visit intervals (the area's own and each care tag's), as data. A change is kept at the
node and applies to its grids; the defaults and the rows of the nodes above stay as they are, and no
past entry or campaign is rewritten. Every change is audited (the services)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import requires
from tongxin.core.forms import initial_from
from tongxin.core.pages import form_page, int_param, post_action, posted
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.gridwork import selectors, services
from tongxin.gridwork.config import checklists_in_force, kinds_in_force
from tongxin.gridwork.forms import ChecklistForm, IntervalForm, LogKindForm, NewLogKindForm
from tongxin.gridwork.models import ChecklistTemplate
from tongxin.gridwork.services import MANAGE
from tongxin.households.selectors import care_tags_in_force
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import editable_region


def _node(user: Any, pk: int) -> Region:
    """A street or community the user configures: 404 outside their area, 403 if they only see it."""
    node = editable_region(user, pk, MANAGE)
    if node.level not in (Level.STREET, Level.COMMUNITY):
        raise Http404
    return node


def _back(node: Region) -> str:
    return f"{reverse('gridwork:settings')}?node={node.pk}"


@requires(MANAGE)
@require_GET
def settings(request: HttpRequest) -> HttpResponse:
    """The kinds, checklists and visit intervals in force at a street or community."""
    user = request.user
    nodes = list(selectors.config_nodes(user))
    node_id = int_param(request, "node")
    node = next((n for n in nodes if n.pk == node_id), nodes[0] if nodes else None)
    if node_id is not None and (node is None or node.pk != node_id):
        raise Http404("no such area to configure")
    context: dict[str, Any] = {"nodes": nodes, "node": node}
    if node is not None:
        days = selectors.interval_days(node)
        context |= {
            "kinds": kinds_in_force(node, active_only=False),
            "checklists": checklists_in_force(node, active_only=False),
            "interval": days,
            "interval_form": IntervalForm(initial={"days": days}),
            "tags": care_tags_in_force(node),
            "may_configure_tags": scope_for(user, Capability.CARE_TAGS_CONFIGURE).contains(node.path),
        }
    return render(request, "gridwork/settings.html", context)


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def kind_edit(request: HttpRequest, node: int, pk: int) -> HttpResponse:
    """Change a kind as it applies at `node`: its own row, or a new row overriding the one above."""
    user = request.user
    region = _node(user, node)
    kind = next((k for k in kinds_in_force(region, active_only=False) if k.pk == pk), None)
    if kind is None:
        raise Http404
    names = list(services.KIND_FIELDS)
    return form_page(
        request,
        LogKindForm(posted(request), initial=initial_from(kind, names)),
        save=lambda form: services.log_kind_override(
            actor=user, region=region, kind=kind, **form.cleaned_data
        ),
        success=_back(region),
        message=_("The kind of work was saved."),
        template="gridwork/config_form.html",
        context={"node": region, "row": kind, "what": "kind"},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def kind_create(request: HttpRequest, node: int) -> HttpResponse:
    user = request.user
    region = _node(user, node)
    return form_page(
        request,
        NewLogKindForm(posted(request)),
        save=lambda form: services.log_kind_create(actor=user, region=region, **form.cleaned_data),
        success=_back(region),
        message=_("The kind of work was added."),
        template="gridwork/config_form.html",
        context={"node": region, "row": None, "what": "kind"},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def checklist_edit(request: HttpRequest, node: int, pk: int) -> HttpResponse:
    """Change a checklist kept at `node`; one kept above is copied to `node` (a new checklist)."""
    user = request.user
    region = _node(user, node)
    found = next((c for c in checklists_in_force(region, active_only=False) if c.pk == pk), None)
    if found is None:
        raise Http404
    initial = initial_from(found, list(services.CHECKLIST_FIELDS)) | {"items": "\n".join(found.items)}
    own = found.region_id == region.pk

    def save(form: ChecklistForm) -> ChecklistTemplate:
        if own:
            return services.checklist_update(actor=user, checklist=found, **form.cleaned_data)
        return services.checklist_create(actor=user, region=region, **form.cleaned_data)

    return form_page(
        request,
        ChecklistForm(posted(request), initial=initial),
        save=save,
        success=_back(region),
        message=_("The checklist was saved."),
        template="gridwork/config_form.html",
        context={"node": region, "row": found, "what": "checklist"},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def checklist_create(request: HttpRequest, node: int) -> HttpResponse:
    user = request.user
    region = _node(user, node)
    return form_page(
        request,
        ChecklistForm(posted(request)),
        save=lambda form: services.checklist_create(actor=user, region=region, **form.cleaned_data),
        success=_back(region),
        message=_("The checklist was added."),
        template="gridwork/config_form.html",
        context={"node": region, "row": None, "what": "checklist"},
    )


@requires(MANAGE)
@require_POST
def interval_set(request: HttpRequest, node: int) -> HttpResponse:
    region = _node(request.user, node)
    form = IntervalForm(request.POST)
    return post_action(
        request,
        lambda: services.visit_interval_set(
            actor=request.user, region=region, days=form.cleaned_data["days"]
        ),
        back=_back(region),
        ok=_("The visit interval is saved."),
        form=form,
        invalid=_("Enter a number of days from 1 to 366."),
    )
