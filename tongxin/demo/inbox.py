"""What the services announce while the demo writes last year is dropped before anyone sees it."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Max

from tongxin.notifications.models import Delivery, Notification


@contextmanager
def history_is_not_news() -> Iterator[None]:
    """Inbox rows and queued deliveries made inside the block are deleted once it commits.

    The services announce after commit (`transaction.on_commit`), so the deletion is scheduled the
    same way, after them: it runs last whether or not an outer transaction holds them back.
    """
    marks = (_last_id(Notification), _last_id(Delivery))
    yield
    transaction.on_commit(lambda: _drop_since(*marks))


def _last_id(model: type[Notification] | type[Delivery]) -> int:
    return model.objects.aggregate(last=Max("pk"))["last"] or 0


def _drop_since(notification_id: int, delivery_id: int) -> None:
    Notification.objects.filter(pk__gt=notification_id).delete()
    Delivery.objects.filter(pk__gt=delivery_id).delete()
