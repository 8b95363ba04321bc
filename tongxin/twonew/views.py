"""两新 pages: the list of organisations with their Party facts and the detail with posts and the
rectification list's progress; an item is marked done from the detail (twonew.manage)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import requires
from tongxin.core.forms import initial_from
from tongxin.core.pages import form_page, int_param, paginate, post_action
from tongxin.core.permissions import can
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.twonew import selectors
from tongxin.twonew.forms import FactsForm, MemberForm, PostForm, RectificationForm
from tongxin.twonew.models import NewOrganisation, Post, RectificationItem, Standing
from tongxin.twonew.services import (
    new_organisation_create,
    new_organisation_update,
    post_create,
    post_member_add,
    post_member_remove,
    post_update,
    rectification_add,
    rectification_update,
)

VIEW = Capability.TWONEW_VIEW
MANAGE = Capability.TWONEW_MANAGE


@requires(VIEW)
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    standing = request.GET.get("standing", "")
    standing = standing if standing in Standing.values else ""
    rows = selectors.organisations_visible(request.user, standing=standing, q=request.GET.get("q", "")[:50])
    return render(
        request,
        "twonew/list.html",
        {
            "page": paginate(request, rows),
            "standings": Standing.choices,
            "standing": standing,
            "q": request.GET.get("q", ""),
            "can_add": has_capability(request.user, MANAGE),
        },
    )


@requires(VIEW)
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_get(request.user, pk)
    items = list(selectors.rectifications_of(org))
    today = timezone.localdate()
    return render(
        request,
        "twonew/detail.html",
        {
            "org": org,
            "posts": selectors.posts_of(org),
            "items": items,
            "progress": selectors.progress(items, today),
            "today": today,
            "can_edit": can(request.user, MANAGE, org.unit.region.path),
        },
    )


@requires(MANAGE)
@require_POST
def rectification_done(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    org = selectors.organisation_get(request.user, pk)
    row = get_object_or_404(RectificationItem, pk=item, organisation=org)
    return post_action(
        request,
        lambda: rectification_update(actor=request.user, item=row, changes={"done_on": timezone.localdate()}),
        back=reverse("twonew:detail", args=[org.pk]),
        ok=_("The item is marked done."),
    )


def _managed(request: HttpRequest, pk: int) -> NewOrganisation:
    org = selectors.organisation_get(request.user, pk)
    if not can(request.user, MANAGE, org.unit.region.path):
        raise Http404
    return org


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    """Record the Party facts of a 两新 partner unit for the first time."""
    user = request.user
    initial = {"unit": int_param(request, "unit")} if int_param(request, "unit") else None
    form = FactsForm(request.POST or None, user=user, capability=MANAGE, initial=initial)

    def save(f: FactsForm) -> NewOrganisation:
        return new_organisation_create(actor=user, unit=f.cleaned_data["unit"], **f.facts())

    return form_page(
        request,
        form,
        save=save,
        success=lambda o: reverse("twonew:detail", args=[o.pk]),
        template="twonew/facts_form.html",
        context={"back": reverse("twonew:list")},
        message=_("The organisation's Party facts are saved."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = _managed(request, pk)
    form = FactsForm(
        request.POST or None,
        user=user,
        capability=MANAGE,
        editing=True,
        initial=FactsForm.initial_for(org),
    )
    back = reverse("twonew:detail", args=[org.pk])
    return form_page(
        request,
        form,
        save=lambda f: new_organisation_update(actor=user, organisation=org, changes=f.facts()),
        success=lambda _o: back,
        template="twonew/facts_form.html",
        context={"org": org, "back": back},
        message=_("The organisation's Party facts are saved."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def post_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = _managed(request, pk)
    form = PostForm(request.POST or None)
    return form_page(
        request,
        form,
        save=lambda f: post_create(actor=user, organisation=org, **f.cleaned_data),
        success=lambda p: reverse("twonew:post", args=[org.pk, p.pk]),
        template="twonew/post_form.html",
        context={"org": org, "back": reverse("twonew:detail", args=[org.pk])},
        message=_("The post is saved; add its members below."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int, post: int) -> HttpResponse:
    user = request.user
    org = _managed(request, pk)
    row = get_object_or_404(Post, pk=post, organisation=org)
    form = PostForm(request.POST or None, initial=initial_from(row, ("kind", "name")))
    here = reverse("twonew:post", args=[org.pk, row.pk])
    return form_page(
        request,
        form,
        save=lambda f: post_update(actor=user, post=row, changes=f.cleaned_data),
        success=lambda _p: here,
        template="twonew/post_form.html",
        context={
            "org": org,
            "post": row,
            "members": row.members.select_related("region").order_by("name"),
            "member_form": MemberForm(user=user, capability=MANAGE),
            "back": reverse("twonew:detail", args=[org.pk]),
        },
        message=_("The post is saved."),
    )


@requires(MANAGE)
@require_POST
def post_member_add_view(request: HttpRequest, pk: int, post: int) -> HttpResponse:
    user = request.user
    org = _managed(request, pk)
    row = get_object_or_404(Post, pk=post, organisation=org)
    form = MemberForm(request.POST, user=user, capability=MANAGE)
    return post_action(
        request,
        lambda: post_member_add(actor=user, post=row, person=form.cleaned_data["person"]),
        back=reverse("twonew:post", args=[org.pk, row.pk]),
        ok=_("The member is added to the post."),
        form=form,
        invalid=_("Choose a Party member of your area."),
    )


@requires(MANAGE)
@require_POST
def post_member_remove_view(request: HttpRequest, pk: int, post: int, person: int) -> HttpResponse:
    user = request.user
    org = _managed(request, pk)
    row = get_object_or_404(Post, pk=post, organisation=org)
    member = get_object_or_404(row.members.all(), pk=person)
    return post_action(
        request,
        lambda: post_member_remove(actor=user, post=row, person=member),
        back=reverse("twonew:post", args=[org.pk, row.pk]),
        ok=_("The member has left the post."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = _managed(request, pk)
    form = RectificationForm(request.POST or None, user=user, capability=MANAGE)
    back = reverse("twonew:detail", args=[org.pk]) + "#items"
    return form_page(
        request,
        form,
        save=lambda f: rectification_add(actor=user, organisation=org, **f.cleaned_data),
        success=lambda _i: back,
        template="twonew/item_form.html",
        context={"org": org, "back": back},
        message=_("The item is added to the rectification list."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user = request.user
    org = _managed(request, pk)
    row = get_object_or_404(RectificationItem, pk=item, organisation=org)
    form = RectificationForm(
        request.POST or None,
        user=user,
        capability=MANAGE,
        editing=True,
        initial=initial_from(row, ("text", "owner", "deadline", "done_on")),
    )
    back = reverse("twonew:detail", args=[org.pk]) + "#items"
    return form_page(
        request,
        form,
        save=lambda f: rectification_update(actor=user, item=row, changes=f.cleaned_data),
        success=lambda _i: back,
        template="twonew/item_form.html",
        context={"org": org, "item": row, "back": back},
        message=_("The item is saved."),
    )
