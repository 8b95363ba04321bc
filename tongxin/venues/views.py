"""The keepers' venue pages: venues with rooms and rota, the approvals queue, a booking with its
steps, the calendar of a venue or a community, service records, and a member's own bookings.

Officials reach venues through venues.view/venues.manage in their subtree; a partner unit's
liaison through venues.keep, for their unit's venues only. Everything else is a 404.
"""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import login_only
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import int_param, paginate, post_action
from tongxin.core.scope import scope_for
from tongxin.partners.models import PartnerUnit
from tongxin.regions.models import Level, Region
from tongxin.venues import selectors, services
from tongxin.venues.access import MANAGE, is_staff, kept_unit_ids
from tongxin.venues.forms import (
    WEEKDAY_NAMES,
    DutyForm,
    PhotoForm,
    ReasonForm,
    RoomForm,
    ServiceForm,
    VenueForm,
)
from tongxin.venues.models import (
    Booking,
    BookingStatus,
    DutySlot,
    Room,
    ServiceKind,
    ServiceRecord,
    Venue,
    VenuePhoto,
)
from tongxin.venues.services import BookingConflict
from tongxin.venues.workflow import KEEPER, RULES, actions_from, timeline_label


def _staff(request: HttpRequest) -> Any:
    if not is_staff(request.user):
        raise Http404
    return request.user


def _keep(user: Any, pk: int) -> Venue:
    venue, keeps = selectors.venue_get(user, pk)
    if not keeps:
        raise PermissionDenied
    return venue


def _week(request: HttpRequest) -> date:
    text = request.GET.get("week") or ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = timezone.localdate()
    return selectors.week_start(day)


@login_only
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    today = timezone.localdate()
    # counted in subqueries: two joined counts would multiply each other
    waiting = Booking.objects.filter(venue=OuterRef("pk"), status=BookingStatus.REQUESTED)
    served = ServiceRecord.objects.filter(venue=OuterRef("pk"), on__gte=today - timedelta(days=30))
    venues = selectors.venues_visible(user).annotate(
        waiting=Subquery(waiting.values("venue").annotate(n=Count("pk")).values("n")),
        served=Subquery(served.values("venue").annotate(n=Sum("people_served")).values("n")),
    )
    return render(
        request,
        "venues/staff/list.html",
        {
            "page": paginate(request, venues),
            "may_create": not scope_for(user, MANAGE).is_empty or bool(kept_unit_ids(user)),
            "waiting": selectors.approvals_queue(user).count(),
        },
    )


def _venue_form(request: HttpRequest, user: Any, *, initial: dict[str, Any] | None = None) -> VenueForm:
    regions = Region.objects.filter(level__in=(Level.COMMUNITY, Level.STREET))
    manage = scope_for(user, MANAGE)
    units = PartnerUnit.objects.filter(active=True)
    kept = kept_unit_ids(user)
    regions = regions.filter(manage.q("path") | Q(partner_units__in=kept)).distinct()
    units = units.filter(manage.q("region__path") | Q(pk__in=kept))
    return VenueForm(
        request.POST if request.method == "POST" else None,
        regions=regions.order_by("path"),
        units=units.order_by("name"),
        initial=initial,
    )


@login_only
@require_http_methods(["GET", "POST"])
def venue_create(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = _venue_form(
        request,
        user,
        initial={
            "hours_0": "08:30-17:30",
            "hours_1": "08:30-17:30",
            "hours_2": "08:30-17:30",
            "hours_3": "08:30-17:30",
            "hours_4": "08:30-17:30",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            venue = services.venue_create(
                actor=user,
                region=data["region"],
                name=data["name"],
                kind=data["kind"],
                unit=data["unit"],
                address=data["address"],
                lat=data["lat"],
                lng=data["lng"],
                public=data["public"],
                needs_approval=data["needs_approval"],
                hours=form.hours(),
                facilities=data["facilities"],
                description=data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"hours": "hours_0"})
        except PermissionDenied:
            form.add_error("region", _("You cannot open a venue here."))
        else:
            messages.success(request, _("The venue is added. Add its rooms and duty rota."))
            return redirect(venue)
    return render(request, "venues/staff/venue_form.html", {"form": form, "title": _("Add a venue")})


@login_only
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    venue = _keep(user, pk)
    initial = {
        f: getattr(venue, f)
        for f in (
            "name",
            "kind",
            "address",
            "lat",
            "lng",
            "public",
            "needs_approval",
            "facilities",
            "description",
        )
    }
    initial.update({"region": venue.region_id, "unit": venue.unit_id})
    initial.update({f"hours_{d}": (venue.hours[d] if d < len(venue.hours) else "") for d in range(7)})
    form = _venue_form(request, user, initial=initial)
    form.fields["region"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.venue_update(
                venue=venue,
                actor=user,
                **{
                    f: data[f]
                    for f in (
                        "name",
                        "kind",
                        "unit",
                        "address",
                        "lat",
                        "lng",
                        "public",
                        "needs_approval",
                        "facilities",
                        "description",
                    )
                },
                hours=form.hours(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"hours": "hours_0"})
        else:
            messages.success(request, _("Saved."))
            return redirect(venue)
    return render(
        request, "venues/staff/venue_form.html", {"form": form, "title": venue.name, "venue": venue}
    )


@login_only
@require_GET
def manage_venue(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    venue, keeps = selectors.venue_get(user, pk)
    venue = selectors.venue_with_details(venue)
    now = timezone.now()
    today = timezone.localdate()
    upcoming = (
        selectors.bookings_visible(user).filter(venue=venue, ends_at__gte=now).order_by("starts_at")[:20]
    )
    return render(
        request,
        "venues/staff/venue.html",
        {
            "venue": venue,
            "keeps": keeps,
            "hours": [(WEEKDAY_NAMES[d], venue.intervals(d)) for d in range(7)],
            "weekday_names": WEEKDAY_NAMES,
            "upcoming": upcoming,
            "services": selectors.service_records(user, venue=venue)[:10],
            "room_form": RoomForm(),
            "duty_form": DutyForm(),
            "service_form": ServiceForm(initial={"on": today}),
            "photo_form": PhotoForm(),
            "hours_per_week": round(venue.minutes_open_per_week() / 60, 1),
        },
    )


def _posted_form(request: HttpRequest, form_class: Any) -> Any:
    form = form_class(request.POST, request.FILES or None)
    return form


@login_only
@require_POST
def room_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    venue = _keep(user, pk)
    form = RoomForm(request.POST)

    def do() -> Room:
        data = form.cleaned_data
        return services.room_create(
            venue=venue,
            actor=user,
            name=data["name"],
            capacity=data["capacity"],
            facilities=data["facilities"],
            bookable=data["bookable"],
        )

    return post_action(
        request,
        do,
        back=venue,
        ok=_("Room added."),
        form=form,
        invalid=_("Give the room a name and its seats."),
    )


@login_only
@require_POST
def room_toggle(request: HttpRequest, pk: int, room_pk: int) -> HttpResponse:
    user = _staff(request)
    venue = _keep(user, pk)
    room = get_object_or_404(Room, pk=room_pk, venue=venue)
    return post_action(
        request,
        lambda: services.room_update(room=room, actor=user, active=not room.active),
        back=venue,
        ok=_("Saved."),
    )


@login_only
@require_POST
def duty_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    venue = _keep(user, pk)
    form = DutyForm(request.POST)
    return post_action(
        request,
        lambda: services.duty_slot_create(venue=venue, actor=user, **form.cleaned_data),
        back=venue,
        ok=_("Added to the duty rota."),
        form=form,
        invalid=_("Say who, which day and the hours."),
    )


@login_only
@require_POST
def duty_remove(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    user = _staff(request)
    venue = _keep(user, pk)
    slot = get_object_or_404(DutySlot, pk=slot_pk, venue=venue)
    return post_action(
        request,
        lambda: services.duty_slot_remove(slot=slot, actor=user),
        back=venue,
        ok=_("Removed from the duty rota."),
    )


@login_only
@require_POST
def service_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    venue = _keep(user, pk)
    form = ServiceForm(request.POST)
    return post_action(
        request,
        lambda: services.service_record_create(venue=venue, actor=user, **form.cleaned_data),
        back=venue,
        ok=_("Service recorded."),
        form=form,
        invalid=_("Give the day, the service and how many people were served."),
    )


@login_only
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    venue = _keep(user, pk)
    form = PhotoForm(request.POST, request.FILES)

    def do() -> Any:
        return services.venue_photo_add(
            venue=venue, actor=user, upload=form.cleaned_data["photo"], caption=form.cleaned_data["caption"]
        )

    return post_action(
        request,
        do,
        back=venue,
        ok=_("Photo added."),
        form=form,
        invalid=_("Choose a photo (JPEG, PNG or WebP)."),
    )


@login_only
@require_POST
def photo_remove(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    user = _staff(request)
    venue = _keep(user, pk)
    photo = get_object_or_404(VenuePhoto, pk=photo_pk, venue=venue)
    return post_action(
        request,
        lambda: services.venue_photo_remove(photo=photo, actor=user),
        back=venue,
        ok=_("Photo removed."),
    )


@login_only
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The approvals queue: requests at the venues the user keeps, soonest first."""
    user = _staff(request)
    return render(
        request, "venues/staff/queue.html", {"page": paginate(request, selectors.approvals_queue(user))}
    )


@login_only
@require_GET
def manage_booking(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    booking, keeps = selectors.booking_get(user, pk)
    actions = actions_from(booking.status, {KEEPER}) if keeps else []
    return render(
        request,
        "venues/staff/booking.html",
        {
            "booking": booking,
            "keeps": keeps,
            "actions": actions,
            "steps": [(timeline_label(t.action), t) for t in booking.transitions.select_related("actor")],
        },
    )


@login_only
@require_POST
def booking_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _staff(request)
    booking, keeps = selectors.booking_get(user, pk)
    rule = RULES.get(action)
    if rule is None or not keeps:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    back_to = request.POST.get("next") == "queue"
    try:
        services.booking_transition(
            booking=booking,
            action=action,
            actor=user,
            reason=form.cleaned_data.get("reason") or "",
            version=form.cleaned_data.get("version"),
        )
    except BookingConflict as exc:
        messages.error(request, " ".join(exc.messages))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("Only the venue's keeper can do this."))
    else:
        messages.success(
            request, _("%(code)s: %(step)s.") % {"code": booking.code, "step": rule.labels.timeline}
        )
    return redirect("venues:queue") if back_to else redirect("venues:manage_booking", pk=booking.pk)


@login_only
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """A week of bookings of one venue (?venue=) or one community (?community=), by day."""
    user = _staff(request)
    start = _week(request)
    venue = None
    community = None
    venue_id, community_id = int_param(request, "venue"), int_param(request, "community")
    if venue_id is not None:
        venue, _keeps = selectors.venue_get(user, venue_id)
    elif community_id is not None:
        community = get_object_or_404(selectors.communities_with_venues(user), pk=community_id)
    rows = list(
        selectors.bookings_between(user, start, start + timedelta(days=7), venue=venue, community=community)
    )
    days = [
        (
            start + timedelta(days=i),
            [b for b in rows if timezone.localtime(b.starts_at).date() == start + timedelta(days=i)],
        )
        for i in range(7)
    ]
    return render(
        request,
        "venues/staff/calendar.html",
        {
            "days": days,
            "venue": venue,
            "community": community,
            "start": start,
            "last": start + timedelta(days=6),
            "previous": start - timedelta(days=7),
            "next": start + timedelta(days=7),
            "venues": selectors.venues_visible(user),
            "communities": selectors.communities_with_venues(user),
        },
    )


@login_only
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    rows = selectors.service_records(user)
    venue_id = int_param(request, "venue")
    if venue_id is not None:
        venue, _keeps = selectors.venue_get(user, venue_id)
        rows = rows.filter(venue=venue)
    kind = request.GET.get("kind") or ""
    if kind in ServiceKind.values:
        rows = rows.filter(kind=kind)
    return render(
        request,
        "venues/staff/services.html",
        {
            "page": paginate(request, rows),
            "total": rows.aggregate(n=Sum("people_served"))["n"] or 0,
            "kinds": ServiceKind.choices,
            "kind": kind,
        },
    )


@login_only
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The bookings the signed-in user made with their account."""
    return render(
        request, "venues/staff/mine.html", {"page": paginate(request, selectors.my_bookings(request.user))}
    )


@login_only
@require_POST
def mine_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(selectors.my_bookings(request.user), pk=pk)
    return post_action(
        request,
        lambda: services.booking_transition(booking=booking, action="cancel", actor=request.user),
        back="venues:mine",
        ok=_("Your booking is cancelled."),
    )
