"""The big screen (大屏): a node's figures on a wall at 1920×1080, refreshed every minute.

Two doors lead to it: a display link (/screen/<token>/, no account: every headline figure of the
link's node) and an official's own view (/statistics/.../screen/?node=…, statistics.view: the node
must lie in their scope and only figures they may read are shown)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from tongxin.core.access import public, requires
from tongxin.core.roles import Capability
from tongxin.regions.models import Region
from tongxin.statistics.display_selectors import display_link_by_token, map_geometry, screen_read
from tongxin.statistics.display_services import display_link_seen
from tongxin.statistics.selectors import node_get, node_roots

REFRESH_SECONDS = 60


def _render(request: HttpRequest, template: str, node: Region, user: Any, live_url: str) -> HttpResponse:
    screen = screen_read(node, user=user)
    context = {"screen": screen, "live_url": live_url, "refresh": REFRESH_SECONDS}
    if template == "statistics/screen.html":
        context["geometry"] = map_geometry(node)
    response = render(request, template, context)
    # figures change every minute; a wall display must never show a cached copy
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _official_node(request: HttpRequest) -> Region:
    raw = request.GET.get("node")
    if raw:
        return node_get(request.user, raw)
    roots = node_roots(request.user)
    # statistics.view somewhere means at least one root; node_get turns anything else into 404
    return roots[0] if roots else node_get(request.user, None)


@public
@require_GET
def display(request: HttpRequest, token: str) -> HttpResponse:
    """A display link's screen: 404 for an unknown or revoked token, with no figure in it."""
    link = display_link_by_token(token)
    display_link_seen(link=link)
    return _render(request, "statistics/screen.html", link.region, None, reverse("screen:live", args=[token]))


@public
@require_GET
def display_live(request: HttpRequest, token: str) -> HttpResponse:
    """The parts of a display link's screen that change, polled by htmx."""
    link = display_link_by_token(token)
    display_link_seen(link=link)
    return _render(request, "statistics/screen_live.html", link.region, None, "")


def _live_url(node: Region) -> str:
    return f"{reverse('statistics:screen_live')}?{urlencode({'node': node.pk})}"


@requires(Capability.STATISTICS_VIEW)
@require_GET
def official(request: HttpRequest) -> HttpResponse:
    node = _official_node(request)
    return _render(request, "statistics/screen.html", node, request.user, _live_url(node))


@requires(Capability.STATISTICS_VIEW)
@require_GET
def official_live(request: HttpRequest) -> HttpResponse:
    node = _official_node(request)
    return _render(request, "statistics/screen_live.html", node, request.user, "")
