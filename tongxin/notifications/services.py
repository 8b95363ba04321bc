"""The one way to tell people: notify() writes inbox rows and queues deliveries (e-mail, webhook);
deliveries_send() sends them after commit. A service that changes state calls notify_on_commit(), so
that nobody is told of a change that rolls back; the case notifier and the deadline jobs, which run
outside a change, call notify() directly."""

import hashlib
import hmac
import json
import logging
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongxin.notifications.models import Delivery, DeliveryStatus, Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def notify_on_commit(
    *, users: Callable[[], Iterable[Any]], event_key: str, title: str, body: str = "", url: str = ""
) -> None:
    """Notify `users()` of an event once the current transaction commits (the recipients are read
    then, too); nothing is sent if it rolls back."""

    def send() -> None:
        notify(users=list(users()), event_key=event_key[:80], title=title, body=body, url=url)

    transaction.on_commit(send)


def notify(
    *,
    users: Iterable[Any],
    event_key: str,
    title: str,
    body: str = "",
    url: str = "",
    webhook_payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Notify each user once per event (in-app, and by e-mail where they have an address)."""
    now = now or timezone.now()
    created = 0
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                Notification.objects.create(
                    user=user, event_key=event_key, title=title[:200], body=body, url=url, created_at=now
                )
        except IntegrityError:  # already notified of this event
            continue
        created += 1
        if user.email:
            _queue(
                Delivery.Channel.EMAIL,
                user.email,
                f"{event_key}:email:{user.pk}",
                title,
                {"body": body, "url": url},
                now,
            )
    if webhook_payload is not None and settings.TONGXIN_WEBHOOK_URL:
        _queue(
            Delivery.Channel.WEBHOOK,
            settings.TONGXIN_WEBHOOK_URL,
            f"{event_key}:webhook",
            title,
            webhook_payload,
            now,
        )
    return created


def _queue(
    channel: str, recipient: str, key: str, subject: str, payload: dict[str, Any], now: datetime
) -> None:
    Delivery.objects.get_or_create(
        dedupe_key=key[:160],
        defaults={
            "channel": channel,
            "recipient": recipient,
            "subject": subject[:200],
            "payload": payload,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _send(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.EMAIL:
        text = delivery.payload.get("body", "")
        if delivery.payload.get("url"):
            text += "\n\n" + settings.TONGXIN_BASE_URL.rstrip("/") + delivery.payload["url"]
        send_mail(delivery.subject, text, None, [delivery.recipient], fail_silently=False)
        return
    if urlsplit(delivery.recipient).scheme not in ("http", "https"):
        # never file:// or another scheme urllib would follow: the bridge is a web address
        raise OSError(f"webhook address {delivery.recipient!r} is not http(s)")
    body = json.dumps({"event": delivery.dedupe_key, **delivery.payload}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        delivery.recipient,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Tongxin-Event": delivery.dedupe_key,
            "X-Tongxin-Signature": sign(body, settings.TONGXIN_WEBHOOK_SECRET),
        },
    )
    # the scheme is checked above: never file:// (bandit B310)
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310
        if response.status >= 300:
            raise OSError(f"webhook answered {response.status}")


def deliveries_send(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send due deliveries. Each is claimed by a conditional update, so it goes out once."""
    now = now or timezone.now()
    sent = 0
    due = Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now).order_by("id")
    for delivery in due[:limit]:
        if not Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING, attempts=delivery.attempts + 1, next_attempt_at=now
        ):
            continue
        delivery.attempts += 1
        try:
            _send(delivery)  # network I/O outside any transaction
        except Exception as exc:
            failed = delivery.attempts >= MAX_ATTEMPTS
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED if failed else DeliveryStatus.QUEUED,
                next_attempt_at=now + timedelta(minutes=2**delivery.attempts),
                last_error=str(exc)[:2000],
            )
            log.warning("delivery %s failed: %s", delivery.pk, exc)
            continue
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
        sent += 1
    return sent


def release_stuck(*, now: datetime | None = None) -> int:
    """A worker that died mid-send leaves SENDING rows; after an hour they are failed, not resent."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        status=DeliveryStatus.SENDING, next_attempt_at__lt=now - timedelta(hours=1)
    ).update(
        status=DeliveryStatus.FAILED,
        last_error="worker stopped while sending; not resent to avoid duplicates",
    )


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
