"""Cadre roster pages: the roster and its 234 composition, the changes of a period, terms with their
warnings, elections and taking office, a cadre's profile. Views stay thin: selectors and the
composition read, services write."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
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
    RulesForm,
    StationedEndForm,
    StationedFilterForm,
    StationedForm,
    TakeOfficeForm,
    TermOpenForm,
    TermRuleForm,
    TermsForm,
)
from tongxin.cadres.models import (
    COMMITTEE_POSITIONS,
    Committee,
    Election,
    PoliticalStatus,
    Term,
    Tier,
    tier_of,
)
from tongxin.core.access import requires
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import form_page, int_param, paginate, post_action, posted
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.people.models import Person, Position
from tongxin.regions.models import Level, Region

VIEW = Capability.CADRES_VIEW
MANAGE = Capability.CADRES_MANAGE


def _node(user: Any, form: Any) -> Region:
    """The node the page is about: the form's, else the top of the user's scope. A node asked for
    outside the user's scope (or that is no node) is not found: 404, as any other page of it."""
    if form.is_bound and "node" in form.errors:
        raise Http404
    node = form.cleaned_data.get("node") if form.is_bound and form.is_valid() else None
    node = node or selectors.home_node(user)
    if node is None:
        raise Http404
    return node


def _home(user: Any) -> dict[str, Any]:
    """The filter's initial node: the top of the user's scope, where the page starts."""
    return {"node": selectors.home_node(user)}


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
    form = RosterForm(request.GET or None, user=user, initial=_home(user))
    node = _node(user, form)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    day = data.get("on") or timezone.localdate()
    measure = data.get("measure") or ""
    result = comp.composition(node, on=day)
    units = comp.compositions_by_unit(node, on=day) if node.level != Level.COMMUNITY else []
    for unit in units:
        unit.measure_list = [unit.measures[k] for k in comp.MEASURE_KEYS]  # type: ignore[attr-defined]
    posts = list(selectors.in_roster_order(selectors.roster_positions(node, on=day)))
    post_count = len(posts)
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
            "measures": [(result.measures[k], comp.DEFINITIONS[k]) for k in comp.MEASURE_KEYS],
            "post_count": post_count,
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
    form = ChangesForm(request.GET or None, user=user, initial=_home(user))
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
    form = TermsForm(request.GET or None, user=user, initial=_home(user))
    node = _node(user, form)
    today = timezone.localdate()
    rows = list(
        selectors.terms_in(node).filter(ended_on__isnull=True).order_by("ends_on", "region_path", "pk")
    )
    rules = selectors.term_rules(today)
    _years, warn_days = selectors.rule_in_force(node, on=today)
    # a community or village without a current term of one of its committees may record it
    missing = (
        _missing_terms(node, [t.committee for t in rows if t.region_id == node.pk])
        if node.level == Level.COMMUNITY
        else []
    )
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
            "missing": missing,
        },
    )


def _missing_terms(region: Region, current: list[str] | None = None) -> list[str]:
    """The committees of a community or village with no current term recorded."""
    if current is None:
        current = list(
            Term.objects.filter(region=region, ended_on__isnull=True).values_list("committee", flat=True)
        )
    return [c for c in Committee.values if c not in current]


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
    missing = _missing_terms(region)
    if not missing:
        messages.info(request, _("Both committees already have a current term: record the election instead."))
        return redirect(f"{reverse('cadres:terms')}?node={region.pk}")
    form = TermOpenForm(posted(request), missing=missing)
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


# ---- 第一书记 and 驻村工作队 ------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def stationed(request: HttpRequest) -> HttpResponse:
    """The 第一书记 and 驻村工作队 members posted in a node's villages: serving today, or all."""
    user = request.user
    form = StationedFilterForm(request.GET or None, user=user, initial=_home(user))
    node = _node(user, form)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = timezone.localdate()
    rows = (
        selectors.stationed_visible(user)
        if data.get("ended")
        else selectors.stationed_in(node, on=today).filter(scope_for(user, VIEW).q("region_path"))
    )
    rows = rows.filter(region_path__startswith=node.path).order_by("region_path", "kind", "-starts_on", "pk")
    page = paginate(request, rows)
    manage = scope_for(user, MANAGE)
    keeps = {row.pk: manage.contains(row.region_path.rstrip("/").rsplit("/", 1)[0] + "/") for row in page}
    return render(
        request,
        "cadres/stationed.html",
        {
            "form": form,
            "node": node,
            "page": page,
            "rows": [(row, keeps[row.pk], row.ends_on is not None and row.ends_on < today) for row in page],
            "ended": bool(data.get("ended")),
            "can_add": selectors.stationing_villages(user).filter(path__startswith=node.path).exists(),
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def stationed_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    villages = selectors.stationing_villages(user)
    if not villages.exists():
        raise PermissionDenied
    asked = int_param(request, "village")
    village = villages.filter(pk=asked).first() if asked else None
    form = StationedForm(
        posted(request), user=user, initial={"village": village, "starts_on": timezone.localdate()}
    )
    return form_page(
        request,
        form,
        save=lambda f: services.stationed_create(actor=user, **f.service_data()),
        success=lambda row: f"{reverse('cadres:stationed')}?node={row.village_id}",
        message=_("The posting was recorded."),
        template="cadres/stationed_form.html",
        context={
            "back": f"{reverse('cadres:stationed')}?node={village.pk}"
            if village
            else reverse("cadres:stationed")
        },
        field_map={"new_person": "name"},
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def stationed_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    row, may_edit = selectors.stationed_get(user, pk)
    if not may_edit:
        raise PermissionDenied
    form = StationedForm(posted(request), user=user, editing=True, initial=StationedForm.initial_for(row))
    return form_page(
        request,
        form,
        save=lambda f: services.stationed_update(actor=user, stationed=row, **f.service_data()),
        success=lambda saved: f"{reverse('cadres:stationed')}?node={saved.village_id}",
        message=_("The posting was saved."),
        template="cadres/stationed_form.html",
        context={
            "row": row,
            "end_form": StationedEndForm(initial={"ends_on": row.ends_on or timezone.localdate()}),
            "back": f"{reverse('cadres:stationed')}?node={row.village_id}",
        },
    )


@requires(MANAGE)
@require_POST
def stationed_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    row, may_edit = selectors.stationed_get(user, pk)
    if not may_edit:
        raise PermissionDenied
    form = StationedEndForm(request.POST)
    return post_action(
        request,
        lambda: services.stationed_end(actor=user, stationed=row, ends_on=form.cleaned_data["ends_on"]),
        back=f"{reverse('cadres:stationed')}?node={row.village_id}",
        ok=_("The posting has ended."),
        form=form,
        invalid=_("Enter the last day of the posting."),
    )


# ---- term rules -----------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def term_rules(request: HttpRequest) -> HttpResponse:
    """The term rule in force at a node (length, warning) and every version that led to it."""
    user = request.user
    form = RulesForm(request.GET or None, user=user, initial=_home(user))
    node = _node(user, form)
    today = timezone.localdate()
    years, warn_days = selectors.rule_in_force(node, on=today)
    versions = list(selectors.rule_versions(node))
    in_force = next(
        (r for r in versions if r.valid_from <= today and (years, warn_days) == (r.years, r.warn_days)), None
    )
    return render(
        request,
        "cadres/rules.html",
        {
            "form": form,
            "node": node,
            "years": years,
            "warn_days": warn_days,
            "in_force": in_force,
            "versions": versions,
            "today": today,
            "can_set": node.level in services.RULE_LEVELS and scope_for(user, MANAGE).contains(node.path),
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def term_rule_create(request: HttpRequest, node: int) -> HttpResponse:
    user = request.user
    region = selectors.node_get(user, node)
    if region.level not in services.RULE_LEVELS or not scope_for(user, MANAGE).contains(region.path):
        raise PermissionDenied
    years, warn_days = selectors.rule_in_force(region)
    form = TermRuleForm(
        posted(request), initial={"years": years, "warn_days": warn_days, "valid_from": timezone.localdate()}
    )
    rules_url = f"{reverse('cadres:rules')}?node={region.pk}"
    return form_page(
        request,
        form,
        save=lambda f: services.term_rule_set(actor=user, region=region, **f.cleaned_data),
        success=rules_url,
        message=_("The new version of the term rule was saved."),
        template="cadres/rule_form.html",
        context={"region": region, "back": rules_url},
    )
