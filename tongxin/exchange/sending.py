"""Sending, from the worker, outside any transaction: each message is claimed by a conditional
update (so two workers never send it both), posted, and marked with the other side's answer.

A 12345 platform's messages go out in order per ticket: only a ticket's oldest unacknowledged
message is sent, so a later one waits while the platform is down, and they are retried with a
growing pause (at most an hour) until it acknowledges them. A group robot's message is tried
`ROBOT_ATTEMPTS` times.
"""

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db.models import F, Min
from django.utils import timezone

from tongxin.exchange.models import HotlineEvent, RobotDelivery, RobotVendor, SendStatus
from tongxin.exchange.signing import dingtalk_url, hotline_signature

log = logging.getLogger(__name__)
TIMEOUT = 10
ROBOT_ATTEMPTS = 6
MAX_PAUSE = timedelta(hours=1)
# a message left "sending" by a worker that died is tried again (a platform) or given up (a group)
STUCK_AFTER = timedelta(minutes=10)


class Refused(Exception):
    """The other side answered, but not with a yes."""


def _pause(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_PAUSE)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    if urlsplit(url).scheme not in ("http", "https"):
        raise OSError(f"address {url!r} is not http(s)")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    try:
        # the scheme is checked above: never file:// (bandit B310)
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # nosec B310
            return response.status, response.read(4000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(4000).decode("utf-8", "replace")


# --- 12345 ---------------------------------------------------------------------------------------


def hotline_body(event: HotlineEvent) -> bytes:
    return json.dumps(event.payload, ensure_ascii=False, sort_keys=True).encode()


def hotline_send(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send the oldest unacknowledged message of each ticket that is due; returns how many the
    platforms acknowledged."""
    now = now or timezone.now()
    HotlineEvent.objects.filter(status=SendStatus.SENDING, next_attempt_at__lt=now - STUCK_AFTER).update(
        status=SendStatus.QUEUED
    )
    heads = (
        HotlineEvent.objects.exclude(status=SendStatus.SENT)
        .values("ticket_id")
        .annotate(first=Min("id"))
        .values_list("first", flat=True)
    )
    acknowledged = 0
    for event in (
        HotlineEvent.objects.filter(
            pk__in=list(heads[:limit]), status=SendStatus.QUEUED, next_attempt_at__lte=now
        )
        .select_related("ticket__peer")
        .order_by("id")
    ):
        peer = event.ticket.peer
        if not peer.active or not peer.callback_url:
            continue  # kept until the platform is back in use with a callback
        if not HotlineEvent.objects.filter(pk=event.pk, status=SendStatus.QUEUED).update(
            status=SendStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now
        ):
            continue  # another worker has it
        attempts = event.attempts + 1
        body = hotline_body(event)
        stamp = str(int(time.time()))
        try:
            status, answer = _post(
                peer.callback_url,
                body,
                {
                    "X-Tongxin-Event": event.payload.get("event_id", ""),
                    "X-Tongxin-Timestamp": stamp,
                    "X-Tongxin-Signature": hotline_signature(peer.reveal_secret(), stamp, body),
                },
            )
            if not 200 <= status < 300:
                raise Refused(f"HTTP {status}: {answer[:300]}")
        except Exception as exc:  # down, refused, timed out: try again later
            HotlineEvent.objects.filter(pk=event.pk).update(
                status=SendStatus.QUEUED,
                next_attempt_at=now + _pause(attempts),
                answer_status=getattr(exc, "code", None) if isinstance(exc, urllib.error.HTTPError) else None,
                answer=str(exc)[:2000],
            )
            log.warning("12345 message %s to %s failed: %s", event.pk, peer.code, exc)
            continue
        HotlineEvent.objects.filter(pk=event.pk).update(
            status=SendStatus.SENT, sent_at=timezone.now(), answer_status=status, answer=answer[:2000]
        )
        acknowledged += 1
    return acknowledged


def hotline_send_all(*, now: datetime | None = None, rounds: int = 50) -> int:
    """Send until nothing more is due now (a ticket's next message becomes due once the one
    before it is acknowledged)."""
    total = 0
    for _round in range(rounds):
        sent = hotline_send(now=now)
        total += sent
        if not sent:
            break
    return total


# --- robots --------------------------------------------------------------------------------------


def _answer(text: str) -> tuple[int | None, str]:
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None, text[:300]
    if not isinstance(data, dict):
        return None, text[:300]
    code = data.get("errcode")
    return (int(code) if isinstance(code, int) else None), str(data.get("errmsg", ""))[:300]


def robots_send(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send the due robot messages; returns how many the groups accepted (errcode 0)."""
    now = now or timezone.now()
    RobotDelivery.objects.filter(status=SendStatus.SENDING, next_attempt_at__lt=now - STUCK_AFTER).update(
        status=SendStatus.FAILED, errmsg="worker stopped while sending; not resent to avoid a duplicate"
    )
    accepted = 0
    due = (
        RobotDelivery.objects.filter(status=SendStatus.QUEUED, next_attempt_at__lte=now)
        .select_related("robot")
        .order_by("id")
    )
    for delivery in due[:limit]:
        robot = delivery.robot
        if not RobotDelivery.objects.filter(pk=delivery.pk, status=SendStatus.QUEUED).update(
            status=SendStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now
        ):
            continue
        attempts = delivery.attempts + 1
        if not robot.sends:
            RobotDelivery.objects.filter(pk=delivery.pk).update(
                status=SendStatus.FAILED, errmsg="robot paused or revoked"
            )
            continue
        url = robot.reveal_webhook()
        if robot.vendor == RobotVendor.DINGTALK:
            url = dingtalk_url(url, robot.reveal_secret(), int(time.time() * 1000))
        errcode: int | None = None
        try:
            status, text = _post(url, json.dumps(delivery.body, ensure_ascii=False).encode(), {})
            errcode, errmsg = _answer(text)
            if status != 200 or errcode != 0:
                raise Refused(errmsg or f"HTTP {status}")
        except Exception as exc:
            failed = attempts >= ROBOT_ATTEMPTS
            code = errcode if isinstance(exc, Refused) else None
            RobotDelivery.objects.filter(pk=delivery.pk).update(
                status=SendStatus.FAILED if failed else SendStatus.QUEUED,
                next_attempt_at=now + _pause(attempts),
                errcode=code,
                errmsg=str(exc)[:300],
            )
            log.warning("robot message %s failed: %s", delivery.pk, exc)
            continue
        RobotDelivery.objects.filter(pk=delivery.pk).update(
            status=SendStatus.SENT, sent_at=timezone.now(), errcode=errcode, errmsg=errmsg
        )
        accepted += 1
    return accepted
