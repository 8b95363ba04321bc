"""Reads of the exchange, always through the user's scope: a platform or robot outside it is a 404."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from tongxin.core.permissions import get_for_user
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.exchange.models import HotlineEvent, HotlinePeer, HotlineTicket, Robot, RobotDelivery, SendStatus
from tongxin.regions.models import Level, Region

PEERS = Capability.HOTLINE_MANAGE
ROBOTS = Capability.ROBOTS_MANAGE


def peers_for(user: Any) -> QuerySet[HotlinePeer]:
    waiting = Count("tickets__events", filter=~Q(tickets__events__status=SendStatus.SENT))
    return (
        HotlinePeer.objects.filter(scope_for(user, PEERS).q("region__path"))
        .select_related("region")
        .annotate(ticket_count=Count("tickets", distinct=True), waiting=waiting)
        .order_by("name", "id")
    )


def peer_for(user: Any, pk: int) -> HotlinePeer:
    peer, _editable = get_for_user(
        HotlinePeer.objects.select_related("region", "default_category"), pk, user, view=PEERS, edit=PEERS
    )
    return peer


def peer_events(peer: HotlinePeer) -> QuerySet[HotlineEvent]:
    return (
        HotlineEvent.objects.filter(ticket__peer=peer)
        .select_related("ticket", "ticket__case")
        .order_by("-id")
    )


def peer_tickets(peer: HotlinePeer) -> QuerySet[HotlineTicket]:
    return HotlineTicket.objects.filter(peer=peer).select_related("case").order_by("-received_at", "-id")


def peer_regions(user: Any) -> QuerySet[Region]:
    """Where a platform may be configured: the cities, counties and streets in the user's scope."""
    return Region.objects.filter(
        scope_for(user, PEERS).q("path"), level__in=[Level.CITY, Level.COUNTY, Level.STREET]
    ).order_by("path")


def robots_for(user: Any) -> QuerySet[Robot]:
    return (
        Robot.objects.filter(scope_for(user, ROBOTS).q("region__path"))
        .select_related("region")
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=SendStatus.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__status=SendStatus.FAILED)),
        )
        .order_by("revoked_at", "region__path", "name", "id")
    )


def robot_for(user: Any, pk: int) -> Robot:
    robot, _editable = get_for_user(
        Robot.objects.select_related("region"), pk, user, view=ROBOTS, edit=ROBOTS
    )
    return robot


def robot_regions(user: Any) -> QuerySet[Region]:
    """Where a robot may be configured: the streets and communities in the user's scope."""
    return Region.objects.filter(
        scope_for(user, ROBOTS).q("path"), level__in=[Level.STREET, Level.COMMUNITY]
    ).order_by("path")


def deliveries_for(user: Any, *, robot: Robot | None = None, status: str = "") -> QuerySet[RobotDelivery]:
    """The delivery log of the robots in the user's scope (of one robot, or in one state)."""
    rows = RobotDelivery.objects.filter(scope_for(user, ROBOTS).q("robot__region__path")).select_related(
        "robot", "robot__region"
    )
    if robot is not None:
        rows = rows.filter(robot=robot)
    if status in SendStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")
