"""两新 pages: the list of organisations with their Party facts and the detail with posts and the
rectification list's progress; an item is marked done from the detail (twonew.manage)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongxin.core.access import requires
from tongxin.core.pages import paginate, post_action
from tongxin.core.permissions import can
from tongxin.core.roles import Capability
from tongxin.twonew import selectors
from tongxin.twonew.models import RectificationItem, Standing
from tongxin.twonew.services import rectification_update

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
