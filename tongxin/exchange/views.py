"""Configuration pages: 12345 platforms (security administrator) and group robots with their
delivery log (community and street). Views stay thin: selectors read, services write."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import requires
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import form_page, paginate, post_action, posted
from tongxin.core.roles import Capability
from tongxin.exchange import selectors, services
from tongxin.exchange.forms import DeliveryFilterForm, PeerForm, RobotEditForm, RobotForm

PEERS = Capability.HOTLINE_MANAGE
ROBOTS = Capability.ROBOTS_MANAGE


# --- 12345 platforms -----------------------------------------------------------------------------


@requires(PEERS)
@require_GET
def peer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/peers.html", {"peers": selectors.peers_for(request.user)})


@requires(PEERS)
@require_http_methods(["GET", "POST"])
@never_cache
def peer_create(request: HttpRequest) -> HttpResponse:
    """On success the page shows the shared secret this once (it is not kept readable anywhere)."""
    form = PeerForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            peer, secret = services.peer_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "exchange/secret.html", {"peer": peer, "secret": secret, "new": True})
    return render(request, "exchange/peer_form.html", {"form": form})


@requires(PEERS)
@require_GET
def peer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    peer = selectors.peer_for(request.user, pk)
    return render(
        request,
        "exchange/peer.html",
        {
            "peer": peer,
            "events": paginate(request, selectors.peer_events(peer), per_page=25),
            "tickets": selectors.peer_tickets(peer)[:20],
        },
    )


@requires(PEERS)
@require_http_methods(["GET", "POST"])
def peer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    peer = selectors.peer_for(request.user, pk)
    initial = {
        "name": peer.name,
        "region": peer.region,
        "callback_url": peer.callback_url,
        "default_category": peer.default_category,
        "active": peer.active,
    }
    form = PeerForm(posted(request), user=request.user, editing=True, initial=initial)
    return form_page(
        request,
        form,
        save=lambda f: services.peer_update(actor=request.user, peer=peer, **f.cleaned_data),
        template="exchange/peer_form.html",
        context={"peer": peer},
        message=_("Saved."),
    )


@requires(PEERS)
@require_POST
@never_cache
def peer_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    peer = selectors.peer_for(request.user, pk)
    secret = services.peer_rotate_secret(actor=request.user, peer=peer)
    return render(request, "exchange/secret.html", {"peer": peer, "secret": secret, "new": False})


# --- robots --------------------------------------------------------------------------------------


@requires(ROBOTS)
@require_GET
def robot_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/robots.html", {"robots": selectors.robots_for(request.user)})


@requires(ROBOTS)
@require_http_methods(["GET", "POST"])
def robot_create(request: HttpRequest) -> HttpResponse:
    form = RobotForm(posted(request), user=request.user)
    return form_page(
        request,
        form,
        save=lambda f: services.robot_create(actor=request.user, **f.cleaned_data),
        template="exchange/robot_form.html",
        message=_("The robot is set up. Its address is kept encrypted and will not be shown again."),
    )


@requires(ROBOTS)
@require_GET
def robot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    robot = selectors.robot_for(request.user, pk)
    form = DeliveryFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return render(
        request,
        "exchange/robot.html",
        {
            "robot": robot,
            "filter": form,
            "deliveries": paginate(
                request, selectors.deliveries_for(request.user, robot=robot, status=status)
            ),
        },
    )


@requires(ROBOTS)
@require_http_methods(["GET", "POST"])
def robot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    robot = selectors.robot_for(request.user, pk)
    initial = {"name": robot.name, "events": robot.events, "active": robot.active}
    form = RobotEditForm(posted(request), initial=initial)
    return form_page(
        request,
        form,
        save=lambda f: services.robot_update(actor=request.user, robot=robot, **f.cleaned_data),
        template="exchange/robot_form.html",
        context={"robot": robot},
        message=_("Saved."),
    )


@requires(ROBOTS)
@require_POST
def robot_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    robot = selectors.robot_for(request.user, pk)
    return post_action(
        request,
        lambda: services.robot_revoke(actor=request.user, robot=robot),
        back=robot,
        ok=_("The robot is revoked: its address is forgotten and nothing more is sent."),
    )


@requires(ROBOTS)
@require_GET
def delivery_log(request: HttpRequest) -> HttpResponse:
    form = DeliveryFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows: Any = selectors.deliveries_for(request.user, status=status)
    return render(request, "exchange/log.html", {"filter": form, "deliveries": paginate(request, rows)})
