"""The in-app inbox: the user's own notifications, unread first in mind, marked read on demand."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from tongxin.core.access import login_only
from tongxin.core.pages import paginate
from tongxin.notifications.selectors import notification_get, notifications_of, unread_count
from tongxin.notifications.services import mark_read as mark_read_service

PER_PAGE = 30


@login_only
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    qs = notifications_of(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = paginate(request, qs.order_by("-created_at", "-id"), PER_PAGE)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": unread_count(request.user), "only_unread": request.GET.get("unread") == "1"},
    )


@login_only
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_get(request.user, pk)
    mark_read_service(user=request.user, notification_ids=[notification.pk])
    notification.refresh_from_db()
    if request.headers.get("HX-Request"):
        return render(request, "notifications/_item.html", {"n": notification})
    return redirect("notifications:inbox")


@login_only
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = mark_read_service(user=request.user)
    messages.success(
        request,
        ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.", count)
        % {"n": count},
    )
    return redirect("notifications:inbox")


@login_only
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go where it points (only to a page of this site)."""
    notification = notification_get(request.user, pk)
    mark_read_service(user=request.user, notification_ids=[notification.pk])
    if notification.url and url_has_allowed_host_and_scheme(notification.url, {request.get_host()}):
        return redirect(notification.url)
    return redirect("notifications:inbox")
