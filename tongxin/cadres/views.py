"""Cadre roster pages: the roster and its 234 composition, the changes of a period, terms with their
warnings, elections and taking office, a cadre's profile. Views stay thin: selectors and the
composition read, services write."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.cadres import composition as comp
from tongxin.cadres import selectors, services
from tongxin.cadres.forms import (
    ChangesForm,
    ElectionForm,
    ProfileForm,
    RosterForm,
    TakeOfficeForm,
    TermOpenForm,
    TermsForm,
)
from tongxin.cadres.models import COMMITTEE_POSITIONS, Election, PoliticalStatus, Tier, tier_of
from tongxin.core.access import requires
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import form_page, paginate, post_action, posted
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.people.models import Person, Position
from tongxin.regions.models import Level, Region

VIEW = Capability.CADRES_VIEW
MANAGE = Capability.CADRES_MANAGE


def _node(user: Any, form: Any) -> Region:
    """The node the page is about: the form's, else the top of the user's scope."""
    node = form.cleaned_data.get("node") if form.is_bound and form.is_valid() else None
    node = node or selectors.home_node(user)
    if node is None:
        raise Http404
    return node


def _trail(user: Any, node: Region) -> list[Region]:
    """The node's ancestors inside the user's scope, for the breadcrumb."""
    scope = scope_for(user, VIEW)
    ids = [int(p) for p in node.path.strip("/").split("/") if p]
    rows = {r.pk: r for r in Region.objects.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows and scope.contains(rows[pk].path)]


@requires(VIEW)
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    """A node's roster: its composition with each figure's numerator and denominator, the units
    below it, and the posts (for a community or village) or the people behind a chosen figure."""
    user = request.user
    form = RosterForm(request.GET or None, user=user)
    node = _node(user, form)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    day = data.get("on") or timezone.localdate()
    measure = data.get("measure") or ""
    result = comp.composition(node, on=day)
    units = comp.compositions_by_unit(node, on=day) if node.level != Level.COMMUNITY else []
    for unit in units:
        unit.measure_list = [unit.measures[k] for k in comp.MEASURE_KEYS]  # type: ignore[attr-defined]
    posts = list(selectors.in_roster_order(selectors.roster_positions(node, on=day)))
    if measure:
        ids = set(result.measures[measure].ids)
        posts = [p for p in posts if p.person_id in ids]
    page = paginate(request, posts, per_page=100)
    profiles = selectors.profiles_of([p.person_id for p in page])
    rows = [(p, profiles.get(p.person_id), tier_of(p.kind)) for p in page]
    today = timezone.localdate()
    terms = list(selectors.terms_in(node).filter(ended_on__isnull=True).order_by("ends_on", "pk")[:50])
    rules = selectors.term_rules(today)
    warnings = [(t, selectors.term_warning(t, on=today, rules=rules)) for t in terms]
    return render(
        request,
        "cadres/roster.html",
        {
            "form": form,
            "node": node,
            "trail": _trail(user, node),
            "on": day,
            "measure": measure,
            "result": result,
            "measures": [result.measures[k] for k in comp.MEASURE_KEYS],
            "tiers": [(Tier(t).label, n) for t, n in result.by_tier.items()],
            "units": units,
            "page": page,
            "rows": rows,
            "warnings": [(t, left, -left) for t, left in warnings if left is not None],
            "unit_headers": comp.MEASURES,
            "measure_label": dict(comp.MEASURES).get(measure, ""),
            "stationed": list(
                selectors.stationed_in(node, on=day).order_by("region_path", "kind", "pk")[:100]
            ),
            "can_manage": scope_for(user, MANAGE).contains(node.path),
            # above a community the units' table reads better than hundreds of posts, unless a
            # figure's people are asked for
            "show_posts": node.level == Level.COMMUNITY or bool(measure),
            "can_export": scope_for(user, Capability.DATA_EXPORT).contains(node.path),
            "can_import": scope_for(user, Capability.DATA_IMPORT).contains(node.path)
            and scope_for(user, MANAGE).contains(node.path),
        },
    )


@requires(VIEW)
@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    """Who joined, left or moved between the 两委, 三长 and 四员 in a period (from post dates)."""
    user = request.user
    form = ChangesForm(request.GET or None, user=user)
    node = _node(user, form)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = timezone.localdate()
    until = data.get("until") or today
    since = data.get("since") or date(until.year, 1, 1)
    found = comp.changes(node, since=since, until=until)
    names = dict(Person.objects.filter(pk__in=[c.person_id for c in found]).values_list("pk", "name"))
    labels = dict(Tier.choices)
    rows = [
        (
            c,
            names.get(c.person_id, ""),
            "、".join(str(labels[t]) for t in Tier.values if t in c.before),
            "、".join(str(labels[t]) for t in Tier.values if t in c.after),
        )
        for c in found
    ]
    promoted = comp.promotions(found)
    counts = {kind: sum(1 for c in found if c.kind == kind) for kind in ("joined", "left", "moved")}
    return render(
        request,
        "cadres/changes.html",
        {
            "form": form,
            "node": node,
            "since": since,
            "until": until,
            "rows": rows,
            "counts": counts,
            "promoted": {k: len(v) for k, v in promoted.items()},
        },
    )


@requires(VIEW)
@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = TermsForm(request.GET or None, user=user)
    node = _node(user, form)
    today = timezone.localdate()
    rows = list(
        selectors.terms_in(node).filter(ended_on__isnull=True).order_by("ends_on", "region_path", "pk")
    )
    rules = selectors.term_rules(today)
    _years, warn_days = selectors.rule_in_force(node, on=today)
    return render(
        request,
        "cadres/terms.html",
        {
            "form": form,
            "node": node,
            "rows": [
                (t, selectors.term_warning(t, on=today, rules=rules), (t.ends_on - today).days) for t in rows
            ],
            "warn_days": warn_days,
            "elections": list(
                selectors.elections_visible(user)
                .filter(region_path__startswith=node.path)
                .order_by("-held_on")[:20]
            ),
            "can_manage": scope_for(user, MANAGE).contains(node.path),
        },
    )


@requires(VIEW)
@require_GET
def term_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    term, may_manage = selectors.term_get(user, pk)
    today = timezone.localdate()
    return render(
        request,
        "cadres/term.html",
        {
            "term": term,
            "left": (term.ends_on - today).days,
            "warning": selectors.term_warning(term, on=today),
            "positions": list(
                selectors.committee_positions(term, on=today if term.is_current else term.ended_on)
            ),
            "elections": list(term.elections.order_by("-held_on", "-pk")),
            "opened_by": Election.objects.filter(new_term=term).first(),
            "can_manage": may_manage,
        },
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def term_open(request: HttpRequest, node: int) -> HttpResponse:
    user = request.user
    region = selectors.node_get(user, node)
    if region.level != Level.COMMUNITY or not scope_for(user, MANAGE).contains(region.path):
        raise PermissionDenied
    form = TermOpenForm(posted(request))
    return form_page(
        request,
        form,
        save=lambda f: services.term_open(actor=user, region=region, **f.cleaned_data),
        message=_("The term was recorded."),
        template="cadres/term_form.html",
        context={"region": region},
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def election_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the election that replaces a term's committee."""
    user = request.user
    term, may_manage = selectors.term_get(user, pk)
    if not may_manage or not term.is_current:
        raise PermissionDenied
    form = ElectionForm(posted(request), user=user, region=term.region, committee=term.committee)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.election_record(
                actor=user,
                region=term.region,
                committee=term.committee,
                held_on=form.cleaned_data["held_on"],
                candidates=form.candidates(),
                eligible_voters=form.cleaned_data.get("eligible_voters"),
                ballots_cast=form.cleaned_data.get("ballots_cast"),
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(election)
    return render(
        request, "cadres/election_form.html", {"form": form, "term": term}, status=400 if form.errors else 200
    )


@requires(VIEW)
@require_GET
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    election, may_manage = selectors.election_get(user, pk)
    pending = election.new_term_id is None
    return render(
        request,
        "cadres/election.html",
        {
            "election": election,
            "candidates": list(election.candidates.select_related("person")),
            "form": TakeOfficeForm(initial={"starts_on": election.held_on})
            if may_manage and pending
            else None,
            "leaving": list(
                services.committee_positions_at(
                    election.region, election.committee, on=election.held_on - timedelta(days=1)
                )
            )
            if pending
            else [],
        },
    )


@requires(MANAGE)
@require_POST
def take_office(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    election, may_manage = selectors.election_get(user, pk)
    if not may_manage:
        raise PermissionDenied
    form = TakeOfficeForm(request.POST)
    return post_action(
        request,
        lambda: services.take_office(
            election.term, election, actor=user, starts_on=form.cleaned_data["starts_on"]
        ),
        back=election,
        ok=_("The new committee has taken office; the old committee's posts have ended."),
        form=form,
        invalid=_("Enter the date the committee takes office."),
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person, row, may_edit = selectors.profile_get(user, pk)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    initial = (
        {name: getattr(row, name) for name in services.PROFILE_FIELDS}
        if row
        else {"political_status": PoliticalStatus.MASSES}
    )
    form = ProfileForm(posted(request), initial=initial)
    posts = list(
        Position.objects.filter(person=person, kind__in=selectors.ROSTER_ORDER)
        .select_related("region")
        .order_by("-starts_on", "pk")
    )
    return form_page(
        request,
        form,
        save=lambda f: services.profile_save(actor=user, person=person, **f.cleaned_data),
        success=lambda _row: reverse("cadres:profile", args=[person.pk]),
        message=_("The profile was saved."),
        template="cadres/profile.html",
        context={
            "person": person,
            "profile": row,
            "posts": posts,
            "stationings": list(person.stationings.select_related("village", "sending_unit")),
            "may_edit": may_edit,
            "committee_kinds": COMMITTEE_POSITIONS,
        },
    )
