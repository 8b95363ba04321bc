"""Reads of the inbox: a user only ever sees their own notifications."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tongxin.notifications.models import Notification


def notifications_of(user: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notification_get(user: Any, pk: Any) -> Notification:
    return get_object_or_404(notifications_of(user), pk=pk)


def unread_count(user: Any) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()
