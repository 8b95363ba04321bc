"""The start pages: `/` sends each user to the page of their most "working" role; the community's
inbox, the grid's tasks and the member's page live here; the phone's "me" page too."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tongxin.core.access import login_only, requires
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, roles
from tongxin.workbench import selectors


@login_only
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The address everyone lands on after logging in: a redirect to their own start page."""
    return redirect(selectors.start_page_of(request.user))


@requires(Capability.CASES_MANAGE)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """待办 of a community (or whatever the user manages): what waits for someone, most urgent first."""
    now = timezone.now()
    sections = selectors.community_inbox(request.user, now=now)
    return render(
        request,
        "workbench/inbox.html",
        {"sections": sections, "total": sum(s.count for s in sections), "now": now},
    )


@login_only
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """The grid's tasks of the user, by deadline across kinds."""
    user = request.user
    return render(
        request,
        "workbench/tasks.html",
        {
            "items": selectors.grid_tasks(user),
            "open_in_area": selectors.grid_open_count(user)
            if has_capability(user, Capability.CASES_VIEW)
            else None,
            "can_report": has_capability(user, Capability.CASES_REPORT),
            "now": timezone.now(),
        },
    )


@login_only
@require_GET
def member(request: HttpRequest) -> HttpResponse:
    """The Party member's page: orders taken from the pool, activities, this year's record."""
    now = timezone.now()
    return render(
        request,
        "workbench/member.html",
        {"start": selectors.member_start(request.user, now=now), "now": now},
    )


@login_only
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The phone's "me" tab: who I am, my roles, and the account's links (password, language, log out)."""
    user = request.user
    assignments = user.role_assignments.select_related("region").order_by("region__path")  # type: ignore[union-attr]
    return render(
        request,
        "workbench/me.html",
        {
            "assignments": list(assignments),
            "is_member": selectors.is_party_member(user),
            "roles": roles(user),
        },
    )
