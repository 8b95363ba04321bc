"""People and position pages, and the audited reveal of phone and ID-card numbers."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.audit.models import Action, Outcome
from tongxin.audit.purposes import PurposeForm
from tongxin.audit.services import audit_record
from tongxin.core.access import requires
from tongxin.core.pages import form_page, int_param, paginate, post_action, posted
from tongxin.core.permissions import can, get_for_user
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for
from tongxin.people import services
from tongxin.people.forms import PersonFilterForm, PersonForm, PositionEndForm, PositionForm
from tongxin.people.models import PartyStatus, Person, Position
from tongxin.people.selectors import (
    people_in_subtree,
    people_visible,
    person_get,
    position_get,
    position_sort_key,
    positions_visible,
)
from tongxin.regions.selectors import editable_region

VIEW = Capability.PEOPLE_VIEW
EDIT = Capability.PEOPLE_EDIT
REVEAL = Capability.PEOPLE_REVEAL
REVEAL_FIELDS = {"phone", "id_card"}


def person_for(user: Any, pk: Any) -> tuple[Person, bool]:
    """The person (404 outside the user's scope) and whether the user may change them."""
    return get_for_user(Person.objects.select_related("region", "branch"), pk, user, view=VIEW, edit=EDIT)


def editable_person(user: Any, pk: Any) -> Person:
    """404 outside the user's scope; 403 if they may only look at the person."""
    person, may_edit = person_for(user, pk)
    if not may_edit:
        raise PermissionDenied
    return person


def editable_position(user: Any, pk: Any) -> Position:
    position = position_get(user, pk)
    if not (can(user, EDIT, position.region.path) and can(user, EDIT, position.person.region.path)):
        raise PermissionDenied
    return position


# ---- people ---------------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PersonFilterForm(request.GET or None, user=user)
    form.is_valid()  # an invalid filter is shown with its error and left out; the valid ones apply
    data = getattr(form, "cleaned_data", {})
    node = data.get("node")
    queryset = people_in_subtree(user, node) if node is not None else people_visible(user)
    if data.get("q"):
        queryset = queryset.filter(name__icontains=data["q"].strip())
    party = data.get("party")
    if party == "member":
        queryset = queryset.exclude(party_status=PartyStatus.NONE)
    elif party == "none":
        queryset = queryset.filter(party_status=PartyStatus.NONE)
    elif party in (PartyStatus.PROBATIONARY, PartyStatus.FULL):
        queryset = queryset.filter(party_status=party)
    if data.get("branch") is not None:
        queryset = queryset.filter(branch=data["branch"])
    page = paginate(request, queryset.select_related("region", "branch").order_by("name", "pk"))
    reveal_scope = scope_for(user, REVEAL)
    return render(
        request,
        "people/list.html",
        {
            "form": form,
            "page": page,
            "node": node,
            "rows": [(person, reveal_scope.contains(person.region.path)) for person in page],
            "can_create": has_capability(user, EDIT),
        },
    )


@requires(VIEW)
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person, can_edit = person_for(user, pk)
    today = timezone.localdate()
    positions = sorted(positions_visible(user).filter(person=person), key=position_sort_key)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "positions": [
                (p, p.is_current(today), can_edit and can(user, EDIT, p.region.path)) for p in positions
            ],
            "can_edit": can_edit,
            "can_reveal": can(user, REVEAL, person.region.path),
            "today": today,
        },
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_capability(user, EDIT):
        raise PermissionDenied
    region_id = int_param(request, "region")
    region = editable_region(user, region_id, EDIT) if region_id is not None else None
    form = PersonForm(posted(request), initial={"region": region}, user=user)

    def save(form: PersonForm) -> Person:
        return services.person_create(
            phone=form.cleaned_data["phone"], id_card=form.cleaned_data["id_card"], **form.person_data()
        )

    return form_page(
        request,
        form,
        save=save,
        message=lambda person: _("%(name)s was added.") % {"name": person.name},
        template="people/form.html",
        context={"person": None, "region": region},
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = editable_person(user, pk)
    form = PersonForm(posted(request), initial=PersonForm.initial_for(person), user=user, person=person)

    def save(form: PersonForm) -> None:
        services.person_update(
            person=person,
            actor=user,
            # empty means "keep the number on record"
            phone=form.cleaned_data["phone"] or None,
            id_card=form.cleaned_data["id_card"] or None,
            **form.person_data(),
        )

    return form_page(
        request,
        form,
        save=save,
        success=reverse("people:detail", args=[person.pk]),
        message=lambda _saved: _("%(name)s was saved.") % {"name": form.cleaned_data["name"]},
        template="people/form.html",
        context={"person": person, "region": person.region},
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """htmx: GET asks why (a purpose and a note), POST swaps the masked number for the plain one.
    Needs people.reveal in the person's region; the purpose goes into the audit row."""
    if field not in REVEAL_FIELDS:
        raise Http404
    user = request.user
    person = person_get(user, pk)
    if not can(user, REVEAL, person.region.path):
        if request.method == "POST":
            audit_record(
                action=Action.REVEAL,
                actor=user,
                request=request,
                region=person.region,
                target=f"person:{person.pk}",
                outcome=Outcome.DENIED,
                detail={"field": field},
            )
        raise PermissionDenied
    form = PurposeForm(request.POST if request.method == "POST" else None, prefix=f"reveal-{field}")
    if request.method == "GET" or not form.is_valid():
        context = {"form": form, "person": person, "field": field}
        # htmx swaps only a 200: the form comes back with its errors in place
        invalid = form.is_bound and not request.headers.get("HX-Request")
        return render(request, "people/_reveal_form.html", context, status=400 if invalid else 200)
    value = services.person_reveal(
        person=person, field=field, actor=user, request=request, **form.cleaned_data
    )
    response = render(request, "people/_revealed.html", {"value": value})
    response["Cache-Control"] = "no-store"
    return response


# ---- positions ------------------------------------------------------------------------------------


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def position_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = editable_person(user, pk)
    initial = {"region": person.region, "starts_on": timezone.localdate()}
    return form_page(
        request,
        PositionForm(posted(request), initial=initial, user=user),
        save=lambda form: services.position_create(person=person, **form.cleaned_data),
        success=person.get_absolute_url(),
        message=_("The position was added."),
        template="people/position_form.html",
        context={"person": person, "position": None},
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    position = editable_position(user, pk)
    return form_page(
        request,
        PositionForm(posted(request), initial=PositionForm.initial_for(position), user=user),
        save=lambda form: services.position_update(position=position, actor=user, **form.cleaned_data),
        success=reverse("people:detail", args=[position.person_id]),
        message=_("The position was saved."),
        template="people/position_form.html",
        context={"person": position.person, "position": position},
    )


@requires(VIEW)
@require_POST
def position_end(request: HttpRequest, pk: int) -> HttpResponse:
    position = editable_position(request.user, pk)
    form = PositionEndForm(request.POST)
    return post_action(
        request,
        lambda: services.position_end(position=position, actor=request.user, **form.cleaned_data),
        back=reverse("people:detail", args=[position.person_id]),
        ok=lambda _ended: (
            _("%(position)s of %(name)s ends on %(date)s.")
            % {
                "position": position.get_kind_display(),
                "name": position.person.name,
                "date": form.cleaned_data["ends_on"].isoformat(),
            }
        ),
        form=form,
        invalid=_("Enter the date the position ends."),
    )
