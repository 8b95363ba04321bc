"""Writes of the exchange: hotline platforms and the tickets they push, group robots.

Every change of a configuration is audited (who, what, old and new, never a secret); a secret is
returned once by the service that makes it and kept only encrypted.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tongxin.audit.edits import audited_edit, known_fields
from tongxin.audit.models import Action as AuditAction
from tongxin.audit.services import audit_record
from tongxin.cases.models import Case, CaseCategory, CaseKind, CaseSource
from tongxin.cases.services import case_intake
from tongxin.core.actors import SYSTEM, Actor, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.exchange.models import (
    HotlinePeer,
    HotlineTicket,
    Robot,
    RobotEvent,
    RobotVendor,
    SeenSignature,
)
from tongxin.exchange.signing import REPLAY_WINDOW_SECONDS
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import grid_at

PEERS = Capability.HOTLINE_MANAGE
ROBOTS = Capability.ROBOTS_MANAGE

WECOM_PREFIX = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
DINGTALK_PREFIX = "https://oapi.dingtalk.com/robot/send?access_token="


# --- hotline platforms ---------------------------------------------------------------------------

PEER_FIELDS = ("name", "region", "callback_url", "default_category", "active")


def _check_peer(*, name: str, callback_url: str, region: Region) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the platform a name.")]
    if callback_url and not callback_url.startswith(("https://", "http://")):
        errors["callback_url"] = [_("The callback address must be an http(s) address.")]
    if region.level not in (Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY):
        errors["region"] = [_("A platform serves a city, county, street or community.")]
    if errors:
        raise ValidationError(errors)


def peer_create(
    *,
    actor: Actor,
    name: str,
    code: str,
    region: Region,
    callback_url: str = "",
    default_category: CaseCategory | None = None,
) -> tuple[HotlinePeer, str]:
    """Configure a hotline platform; returns it and its shared secret, shown this once."""
    require_scope(actor, PEERS, region)
    _check_peer(name=name, callback_url=callback_url, region=region)
    if HotlinePeer.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("Another platform has this code.")]})
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        peer = HotlinePeer(
            name=name.strip(),
            code=code,
            region=region,
            callback_url=callback_url.strip(),
            default_category=default_category,
        )
        peer.set_secret(secret)
        peer.save()
        audit_record(
            action=AuditAction.TOKEN_CREATED,
            actor=actor,
            region=region,
            target=f"hotlinepeer:{peer.pk}",
            detail={"kind": "12345 platform", "name": peer.name, "code": code, "callback": peer.callback_url},
        )
    return peer, secret


def peer_update(*, actor: Actor, peer: HotlinePeer, **changes: Any) -> HotlinePeer:
    """Change a platform's name, area, callback, default category or whether it is in use."""
    known_fields(changes, PEER_FIELDS)
    with audited_edit(
        HotlinePeer, peer.pk, actor=actor, fields=PEER_FIELDS, region=lambda p: p.region
    ) as edit:
        require_scope(actor, PEERS, edit.row.region, changes.get("region"))
        edit.set(changes)
        row = edit.row
        _check_peer(name=row.name, callback_url=row.callback_url, region=row.region)
    return edit.row


def peer_rotate_secret(*, actor: Actor, peer: HotlinePeer) -> str:
    """A new shared secret (the old one stops working at once); returned this once."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = HotlinePeer.objects.select_for_update().select_related("region").get(pk=peer.pk)
        require_scope(actor, PEERS, locked.region)
        locked.set_secret(secret)
        locked.save(update_fields=["secret_encrypted"])
        audit_record(
            action=AuditAction.TOKEN_REVOKED,
            actor=actor,
            region=locked.region,
            target=f"hotlinepeer:{locked.pk}",
            detail={"kind": "12345 platform", "secret": "replaced"},
        )
    return secret


# --- tickets -------------------------------------------------------------------------------------


class SignatureRefused(Exception):
    """A push that is not signed right: unknown platform, bad signature, stale or replayed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def signature_remember(*, peer: HotlinePeer, signature: str, now: datetime) -> None:
    """Refuse a signature already accepted inside the window (a replayed request)."""
    try:
        with transaction.atomic():
            SeenSignature.objects.create(peer=peer, signature=signature[:64], at=now)
    except IntegrityError:
        raise SignatureRefused("replayed", _("This signed request was already received.")) from None


def signatures_prune(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=2 * REPLAY_WINDOW_SECONDS)
    deleted, _ignored = SeenSignature.objects.filter(at__lt=cutoff).delete()
    return deleted


def _ticket_category(peer: HotlinePeer, code: str, text: str) -> CaseCategory:
    found = None
    second_level = CaseCategory.objects.filter(active=True, parent__isnull=False)
    if code:
        found = second_level.filter(code=code).first()
    if found is None and text:
        found = second_level.filter(name=text.strip()).first()
    if found is None and (text or not code):
        found = peer.default_category
    if found is None:
        raise ValidationError(
            {"category": [_("Unknown category, and the platform has no default category.")]}
        )
    return found


def _ticket_place(peer: HotlinePeer, data: dict[str, Any]) -> Region | None:
    """The community named by code, inside the platform's area; a point must lie inside it too."""
    community = None
    if data.get("community"):
        community = Region.objects.filter(code=data["community"], level=Level.COMMUNITY).first()
        if community is None:
            raise ValidationError({"community": [_("There is no such community.")]})
        if not community.path.startswith(peer.region.path):
            raise ValidationError({"community": [_("This community is outside the platform's area.")]})
    lng, lat = data.get("lng"), data.get("lat")
    if lng is not None and lat is not None:
        grid = grid_at(lng, lat)
        if grid is not None and not grid.path.startswith(peer.region.path):
            raise ValidationError({"location": [_("This point is outside the platform's area.")]})
    return community


def _deadline(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value))
    if parsed is None or timezone.is_naive(parsed):
        raise ValidationError({"deadline": [_("Give the deadline as an ISO 8601 time with its offset.")]})
    return parsed


def ticket_receive(
    *, peer: HotlinePeer, data: dict[str, Any], now: datetime | None = None
) -> tuple[HotlineTicket, bool]:
    """Make the case of a pushed ticket, or note what a ticket pushed again brings (its new
    deadline, more text); returns the ticket and whether it is new. One ticket number makes one
    case however often and however concurrently it is pushed: the platform's row serialises its
    pushes, and the unique (platform, number) constraint is the last word."""
    now = now or timezone.now()
    number = str(data.get("ticket_number") or "").strip()
    if not number:
        raise ValidationError({"ticket_number": [_("Enter the 12345 ticket number.")]})
    deadline = _deadline(data.get("deadline"))
    try:
        with transaction.atomic():
            locked = HotlinePeer.objects.select_for_update().select_related("region").get(pk=peer.pk)
            existing = HotlineTicket.objects.select_for_update().filter(peer=locked, number=number).first()
            if existing is not None:
                return _ticket_again(existing, data, deadline, now), False
            case = _ticket_case(locked, number, data, now)
            ticket = HotlineTicket.objects.create(
                peer=locked, number=number, case=case, deadline=deadline, received_at=now, updated_at=now
            )
            audit_record(
                action=AuditAction.IMPORT,
                actor=SYSTEM,
                region=case.community,
                target=f"case:{case.pk}",
                detail={"kind": "12345 ticket", "peer": locked.code, "ticket": number},
            )
            return ticket, True
    except IntegrityError:
        # another push of the same ticket won the race: it made the case
        ticket = HotlineTicket.objects.get(peer=peer, number=number)
        return ticket, False


def _ticket_case(peer: HotlinePeer, number: str, data: dict[str, Any], now: datetime) -> Case:
    kind = data.get("kind") or CaseKind.COMPLAINT
    if kind not in CaseKind.values:
        raise ValidationError({"kind": [_("Unknown kind of case.")]})
    case, _token = case_intake(
        source=CaseSource.HOTLINE,
        kind=kind,
        category=_ticket_category(
            peer, str(data.get("category") or ""), str(data.get("category_text") or "")
        ),
        description=str(data.get("description") or ""),
        lng=data.get("lng"),
        lat=data.get("lat"),
        community=_ticket_place(peer, data),
        address=str(data.get("address") or "")[:200],
        reporter_phone=str(data.get("caller_phone") or ""),
        hotline_ticket=number,
        now=now,
    )
    if not case.region_path.startswith(peer.region.path):
        raise ValidationError({"location": [_("This place is outside the platform's area.")]})
    return case


def _ticket_again(
    ticket: HotlineTicket, data: dict[str, Any], deadline: datetime | None, now: datetime
) -> HotlineTicket:
    note = {"at": now.isoformat()}
    if deadline is not None and deadline != ticket.deadline:
        note["deadline"] = deadline.isoformat()
        ticket.deadline = deadline
    text = str(data.get("description") or "").strip()
    if text and text != ticket.case.description and all(u.get("text") != text for u in ticket.updates):
        note["text"] = text[:2000]
    if len(note) > 1:
        ticket.updates = [*ticket.updates, note][-50:]
        ticket.updated_at = now
        ticket.save(update_fields=["deadline", "updates", "updated_at"])
    return ticket


# --- robots --------------------------------------------------------------------------------------

ROBOT_FIELDS = ("name", "events", "active")


def _webhook_shape(vendor: str, webhook: str) -> bool:
    """The vendor's address shape: 企业微信 /cgi-bin/webhook/send?key=…, 钉钉 /robot/send?access_token=…
    (on qyapi.weixin.qq.com and oapi.dingtalk.com, or a relay of a closed government network)."""
    parts = urlsplit(webhook)
    query = parse_qs(parts.query)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if vendor == RobotVendor.WECOM:
        return parts.path.endswith("/cgi-bin/webhook/send") and bool(query.get("key"))
    return parts.path.endswith("/robot/send") and bool(query.get("access_token"))


def _check_robot(*, vendor: str, webhook: str, secret: str, events: list[str], region: Region) -> None:
    errors: dict[str, list[str]] = {}
    if vendor not in RobotVendor.values:
        errors["vendor"] = [_("Choose WeChat Work or DingTalk.")]
    elif not _webhook_shape(vendor, webhook):
        example = WECOM_PREFIX if vendor == RobotVendor.WECOM else DINGTALK_PREFIX
        errors["webhook"] = [_("Copy the robot's whole address, like %(example)s…") % {"example": example}]
    if vendor == RobotVendor.DINGTALK and not secret.startswith("SEC"):
        errors["secret"] = [_("Copy the robot's signing secret (加签), which starts with SEC.")]
    if not events or set(events) - set(RobotEvent.values):
        errors["events"] = [_("Choose at least one event.")]
    if region.level not in (Level.STREET, Level.COMMUNITY):
        errors["region"] = [_("A robot belongs to a street or a community.")]
    if errors:
        raise ValidationError(errors)


def robot_create(
    *,
    actor: Actor,
    region: Region,
    name: str,
    vendor: str,
    webhook: str,
    secret: str = "",
    events: list[str],
) -> Robot:
    """Configure a group robot. Its address and secret are kept encrypted and never shown again."""
    require_scope(actor, ROBOTS, region)
    webhook, secret = webhook.strip(), secret.strip()
    _check_robot(vendor=vendor, webhook=webhook, secret=secret, events=events, region=region)
    if not name.strip():
        raise ValidationError({"name": [_("Name the group.")]})
    with transaction.atomic():
        robot = Robot(
            region=region,
            name=name.strip(),
            vendor=vendor,
            events=sorted(set(events)),
            hint=webhook[-4:],
            created_by=user_or_none(actor),
        )
        robot.set_webhook(webhook, secret if vendor == RobotVendor.DINGTALK else "")
        robot.save()
        audit_record(
            action=AuditAction.TOKEN_CREATED,
            actor=actor,
            region=region,
            target=f"robot:{robot.pk}",
            detail={
                "kind": f"{vendor} robot",
                "name": robot.name,
                "events": robot.events,
                "hint": robot.hint,
            },
        )
    return robot


def robot_update(*, actor: Actor, robot: Robot, **changes: Any) -> Robot:
    """Change a robot's group name, its events, or pause it."""
    known_fields(changes, ROBOT_FIELDS)
    with audited_edit(Robot, robot.pk, actor=actor, fields=ROBOT_FIELDS, region=lambda r: r.region) as edit:
        row = edit.row
        require_scope(actor, ROBOTS, row.region)
        if row.revoked_at is not None:
            raise ValidationError(_("This robot was revoked; add it again with a new address."))
        if "events" in changes:
            changes["events"] = sorted(set(changes["events"]))
        edit.set(changes)
        if not row.name:
            raise ValidationError({"name": [_("Name the group.")]})
        if not row.events or set(row.events) - set(RobotEvent.values):
            raise ValidationError({"events": [_("Choose at least one event.")]})
    return edit.row


def robot_revoke(*, actor: Actor, robot: Robot, now: datetime | None = None) -> Robot:
    """Stop a robot for good and forget its address and secret (the log stays)."""
    with transaction.atomic():
        locked = Robot.objects.select_for_update().select_related("region").get(pk=robot.pk)
        require_scope(actor, ROBOTS, locked.region)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = now or timezone.now()
        locked.active = False
        locked.webhook_encrypted = ""
        locked.secret_encrypted = ""
        locked.save(update_fields=["revoked_at", "active", "webhook_encrypted", "secret_encrypted"])
        audit_record(
            action=AuditAction.TOKEN_REVOKED,
            actor=actor,
            region=locked.region,
            target=f"robot:{locked.pk}",
            detail={"kind": f"{locked.vendor} robot", "name": locked.name, "hint": locked.hint},
        )
    return locked


def require_peer_admin(actor: Actor, peer: HotlinePeer) -> None:
    if actor != SYSTEM and not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    require_scope(actor, PEERS, peer.region)
