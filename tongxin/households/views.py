"""Household, care-tag and 联户 link pages. Views stay thin: selectors read, services write.

Care tags show only where the user's care_tags.view reaches the household; every view of a tagged
household's detail is recorded in the audit trail (household_viewed, no personal data in the row).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.audit.exports import xlsx_response
from tongxin.core.access import requires
from tongxin.core.forms import initial_from
from tongxin.core.pages import form_page, int_param, paginate, post_action, posted
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for
from tongxin.core.xlsx import Column, field
from tongxin.households import selectors, services
from tongxin.households.forms import (
    CareTagForm,
    HouseholdEditForm,
    HouseholdFilterForm,
    HouseholdForm,
    LinkEndForm,
    LinkFilterForm,
    LinkForm,
    MoveOutForm,
    NewCareTagForm,
    ResidenceForm,
    TagsForm,
)
from tongxin.households.models import CareTag, Household, Residence
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import editable_region

VIEW = Capability.HOUSEHOLDS_VIEW
EDIT = Capability.HOUSEHOLDS_EDIT
TAGS = Capability.CARE_TAGS_VIEW
CONFIGURE = Capability.CARE_TAGS_CONFIGURE


def _filter_tags(user: Any) -> list[CareTag] | None:
    """The tags a list may be filtered by: none at all without care_tags.view."""
    if not has_capability(user, TAGS):
        return None
    return selectors.care_tags_in_force(None)


def household_selection(request: HttpRequest) -> tuple[HouseholdFilterForm, QuerySet[Household]]:
    user = request.user
    form = HouseholdFilterForm(request.GET or None, user=user, tags=_filter_tags(user))
    return form, selectors.households_list(user, **form.values())


def _with_counts(households: list[Household]) -> list[Household]:
    counts = selectors.resident_counts(households)
    for h in households:
        h.people = counts.get(h.pk, 0)  # type: ignore[attr-defined]
    return households


@requires(VIEW)
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, queryset = household_selection(request)
    page = paginate(request, queryset)
    page.object_list = _with_counts(list(page.object_list))
    tags = selectors.tags_of(user, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "households/list.html",
        {
            "form": form,
            "page": page,
            "rows": [(h, tags.get(h.pk, [])) for h in page],
            "count": page.paginator.count,
            "sees_tags": "tag" in form.fields,
            "can_create": has_capability(user, EDIT),
            "can_configure": has_capability(user, CONFIGURE),
            "export_query": query.urlencode(),
        },
    )


BASE_COLUMNS = [
    field(Household, "address", width=44),
    Column(_lazy("Grid"), lambda h: h.grid.name, width=18),
    Column(_lazy("Building"), lambda h: "" if h.in_village_group else h.building.name, width=18),
    field(Household, "street", width=16),
    field(Household, "house_number", width=10),
    field(Household, "unit", width=8),
    field(Household, "room", width=8),
    Column(_lazy("Residents"), lambda h: h.people, width=9, total=True),
    field(Household, "note", width=24),
]


@requires(VIEW)
@require_GET
def household_export(request: HttpRequest) -> HttpResponse:
    """The list's rows; the care-tag column only for a user with care_tags.view, filled only for
    households inside that scope."""
    user = request.user
    form, queryset = household_selection(request)
    columns = list(BASE_COLUMNS)
    sees_tags = has_capability(user, TAGS)
    if sees_tags:
        columns.append(Column(_lazy("Care tags"), lambda h: h.tag_names, width=24))

    def rows(households: QuerySet[Household]) -> Any:
        for chunk in _chunks(households.iterator(chunk_size=2000), 2000):
            _with_counts(chunk)
            tags = selectors.tags_of(user, chunk) if sees_tags else {}
            for h in chunk:
                h.tag_names = "、".join(t.name for t in tags.get(h.pk, []))
                yield h

    return xlsx_response(
        request,
        form,
        queryset,
        columns,
        name="households",
        title=pgettext("household register", "Households"),
        back=reverse("households:list"),
        rows=rows,
    )


def _chunks(items: Any, size: int) -> Any:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@requires(VIEW)
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household, access = selectors.household_get(user, pk)
    tag_rows = list(selectors.household_tags(household))
    if tag_rows:
        services.household_view_recorded(household=household, actor=user, request=request)
    in_force = selectors.care_tags_in_force(household.community) if access.tags and access.edit else []
    today = timezone.localdate()
    return render(
        request,
        "households/detail.html",
        {
            "household": household,
            "access": access,
            "tags": tag_rows if access.tags else [],
            "tags_form": TagsForm(initial={"tags": [r.tag_id for r in tag_rows]}, tags=in_force)
            if in_force
            else None,
            "residents": selectors.residents_in_order(household),
            "links": list(selectors.links_of_household(user, household)),
            "today": today,
        },
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_capability(user, EDIT):
        raise PermissionDenied
    building_id = int_param(request, "building")
    building = editable_region(user, building_id, EDIT) if building_id is not None else None
    form = HouseholdForm(posted(request), initial={"building": building}, user=user)
    return form_page(
        request,
        form,
        save=lambda form: services.household_create(actor=user, **form.cleaned_data),
        message=lambda h: _("%(address)s was added.") % {"address": h.short_address},
        template="households/form.html",
        context={"household": None},
    )


def _editable(user: Any, pk: Any) -> Household:
    household, access = selectors.household_get(user, pk)
    if not access.edit:
        raise PermissionDenied
    return household


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = _editable(user, pk)
    names = [n for n in HouseholdEditForm.base_fields]
    form = HouseholdEditForm(posted(request), initial=initial_from(household, names), user=user)
    return form_page(
        request,
        form,
        save=lambda form: services.household_update(household=household, actor=user, **form.cleaned_data),
        message=_("The household was saved."),
        template="households/form.html",
        context={"household": household},
    )


@requires(TAGS)
@require_POST
def household_tags(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household, access = selectors.household_get(user, pk)
    if not (access.tags and access.edit):
        raise Http404
    form = TagsForm(request.POST, tags=selectors.care_tags_in_force(household.community))
    return post_action(
        request,
        lambda: services.household_set_tags(household=household, actor=user, tags=form.cleaned_data["tags"]),
        back=household.get_absolute_url(),
        form=form,
        invalid=_("Choose care tags from the list."),
        ok=_("The care tags were saved."),
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def residence_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = _editable(user, pk)
    form = ResidenceForm(posted(request), initial={"moved_in_on": timezone.localdate()}, user=user)
    return form_page(
        request,
        form,
        save=lambda form: services.residence_add(household=household, actor=user, **form.cleaned_data),
        success=lambda _r: household.get_absolute_url(),
        message=_("The resident was added."),
        template="households/residence_form.html",
        context={"household": household},
    )


@requires(VIEW)
@require_POST
def residence_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    residence = get_object_or_404(
        Residence.objects.filter(scope_for(user, VIEW).q("household__region_path")).select_related(
            "household"
        ),
        pk=pk,
    )
    household = _editable(user, residence.household_id)
    form = MoveOutForm(request.POST)
    return post_action(
        request,
        lambda: services.residence_end(residence=residence, actor=user, **form.cleaned_data),
        back=household.get_absolute_url(),
        form=form,
        invalid=_("Enter the move-out date."),
        ok=_("The move-out was recorded."),
    )


# ---- care-tag configuration -----------------------------------------------------------------------


@requires(CONFIGURE)
@require_GET
def care_tags(request: HttpRequest) -> HttpResponse:
    """The tags in force at a street or community the user configures, and where each comes from."""
    user = request.user
    nodes = list(selectors.care_tag_nodes(user))
    node_id = int_param(request, "node")
    node = next((n for n in nodes if n.pk == node_id), nodes[0] if nodes else None)
    tags = selectors.care_tags_in_force(node, active_only=False) if node is not None else []
    return render(request, "households/care_tags.html", {"nodes": nodes, "node": node, "tags": tags})


def _config_node(user: Any, pk: int) -> Region:
    node = editable_region(user, pk, CONFIGURE)
    if node.level not in (Level.STREET, Level.COMMUNITY):
        raise Http404
    return node


@requires(CONFIGURE)
@require_http_methods(["GET", "POST"])
def care_tag_edit(request: HttpRequest, node: int, pk: int) -> HttpResponse:
    """Change a tag as it applies at `node`: its own row, or a new row overriding the one above."""
    user = request.user
    region = _config_node(user, node)
    tag = next((t for t in selectors.care_tags_in_force(region, active_only=False) if t.pk == pk), None)
    if tag is None:
        raise Http404
    names = ["name", "description", "visit_interval_days", "sort_order", "active"]
    return form_page(
        request,
        CareTagForm(posted(request), initial=initial_from(tag, names)),
        save=lambda form: services.care_tag_override(actor=user, region=region, tag=tag, **form.cleaned_data),
        success=f"{reverse('households:care_tags')}?node={region.pk}",
        message=_("The care tag was saved."),
        template="households/care_tag_form.html",
        context={"node": region, "tag": tag},
    )


@requires(CONFIGURE)
@require_http_methods(["GET", "POST"])
def care_tag_create(request: HttpRequest, node: int) -> HttpResponse:
    user = request.user
    region = _config_node(user, node)
    return form_page(
        request,
        NewCareTagForm(posted(request)),
        save=lambda form: services.care_tag_create(actor=user, region=region, **form.cleaned_data),
        success=f"{reverse('households:care_tags')}?node={region.pk}",
        message=_("The care tag was added."),
        template="households/care_tag_form.html",
        context={"node": region, "tag": None},
    )


# ---- links ----------------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def link_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = LinkFilterForm(request.GET or None, user=user)
    queryset = selectors.links_list(user, **form.values()).annotate(
        household_count=Count("households", distinct=True), grid_count=Count("grids", distinct=True)
    )
    page = paginate(request, queryset)
    return render(
        request,
        "households/links.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "can_create": has_capability(user, EDIT),
        },
    )


@requires(VIEW)
@require_GET
def link_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    link, can_edit = selectors.link_get(user, pk)
    return render(
        request,
        "households/link.html",
        {
            "link": link,
            "can_edit": can_edit,
            "households": list(
                selectors.households_visible(user)
                .filter(links=link)
                .select_related("grid")
                .order_by("region_path")
            ),
            "grids": list(link.grids.order_by("path")),
            "today": timezone.localdate(),
        },
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def link_create(request: HttpRequest) -> HttpResponse:
    """A link kept at a grid, community or street (?region=): its households or grids below it."""
    user = request.user
    if not has_capability(user, EDIT):
        raise PermissionDenied
    region_id = int_param(request, "region")
    if region_id is None:
        return render(request, "households/link_where.html", {"places": _link_places(user)})
    region = editable_region(user, region_id, EDIT)
    if region.level not in (Level.STREET, Level.COMMUNITY, Level.GRID):
        raise Http404
    form = LinkForm(posted(request), initial={"starts_on": timezone.localdate()}, user=user, region=region)
    return form_page(
        request,
        form,
        save=lambda form: services.link_create(actor=user, region=region, **form.cleaned_data),
        message=_("The link was added."),
        template="households/link_form.html",
        context={"region": region},
    )


def _link_places(user: Any) -> QuerySet[Region]:
    return (
        Region.objects.filter(scope_for(user, EDIT).q("path"))
        .filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID])
        .order_by("path")[:200]
    )


@requires(VIEW)
@require_POST
def link_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    link, can_edit = selectors.link_get(user, pk)
    if not can_edit:
        raise PermissionDenied
    form = LinkEndForm(request.POST)
    return post_action(
        request,
        lambda: services.link_end(link=link, actor=user, **form.cleaned_data),
        back=link.get_absolute_url(),
        form=form,
        invalid=_("Enter the end date."),
        ok=_("The link ends on the date given."),
    )
