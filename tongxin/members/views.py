"""Pages for 双报到, the service record, cards for employers, the annual check and the rules."""

from datetime import date
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.access import login_only, requires
from tongxin.core.pages import form_page, int_param, paginate, post_action
from tongxin.core.permissions import can
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.lib.tree import subtree_range
from tongxin.members import cards as card_files
from tongxin.members import selectors, services
from tongxin.members.forms import (
    OnlineReportForm,
    ReportEditForm,
    ReportEndForm,
    ReportFilterForm,
    ReportForm,
    RulesForm,
    ServicePostForm,
    UnitReportForm,
    person_choices,
)
from tongxin.members.models import ReportChannel, ServicePost, ServiceSource
from tongxin.members.rules import DEFAULT_RULES, parse_period, quarter_of
from tongxin.organisations.selectors import organisations_visible
from tongxin.partners.models import PartnerUnit
from tongxin.people.models import Person
from tongxin.regions.selectors import region_get

VIEW, MANAGE = Capability.MEMBERS_VIEW, Capability.MEMBERS_MANAGE
RULE_CAPS = (Capability.MEMBERS_MANAGE, Capability.PARTYLIFE_MANAGE)


def _year(request: HttpRequest, today: date) -> int:
    value = (request.GET.get("year") or "").strip()
    return int(value) if value.isdigit() and 1990 <= int(value) <= today.year + 1 else today.year


def _units_for_person(person: Any) -> Any:
    return selectors.employer_unit_choices(person)


# ---- the start page ---------------------------------------------------------------------------


@login_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """What the user can do here: their own record, their members' cards, or the area's figures."""
    user = request.user
    today = timezone.localdate()
    person = getattr(user, "person", None)
    report = selectors.active_report_of(person)
    context: dict[str, Any] = {
        "person": person,
        "report": report,
        "is_member": bool(person and person.party_status),
        "employer_orgs": selectors.employer_organisations_of(user),
        "official": has_capability(user, VIEW),
        "can_manage": has_capability(user, MANAGE),
        "today": today,
    }
    if person is not None:
        context["year_entries"] = selectors.entries_of(
            person, first=date(today.year, 1, 1), last=today
        ).count()
    if context["official"]:
        context["counts"] = selectors.member_counts(user, today=today)
    return render(request, "members/index.html", context)


# ---- the member's own pages -------------------------------------------------------------------


@login_only
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    user = request.user
    person = getattr(user, "person", None)
    if person is None:
        return render(request, "members/no_person.html", status=200)
    today = timezone.localdate()
    year = _year(request, today)
    context = _record_context(request, person, year, today, own=True)
    return render(request, "members/record.html", context)


RECORD_PER_PAGE = 20


def _record_context(
    request: HttpRequest, person: Any, year: int, today: date, *, own: bool, linkable: bool = True
) -> dict[str, Any]:
    """The year's totals and its services a page at a time, grouped under month headings that
    carry the whole month's count and hours (also when the month runs over two pages)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    report = selectors.active_report_of(person)
    book = selectors.RulesBook(report.community if report else person.region.community())
    entries = list(selectors.entries_of(person, first=first, last=last))
    totals = selectors.totals_of(entries, book)
    rules = book.at(min(last, today))
    page = paginate(request, entries, per_page=RECORD_PER_PAGE)
    return {
        "person": person,
        "report": report,
        "entries": entries,
        "page": page,
        "months": selectors.months_of(list(page), entries),
        "totals": totals,
        "rules": rules,
        "show_points": rules.rankings_enabled,
        "stars": rules.stars_for(totals.points) if rules.rankings_enabled else None,
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "own": own,
        "linkable": linkable,
        "today": today,
        "due_soon": bool(report and (report.next_due_on - today).days <= rules.rereport_warn_days),
        "sources": dict(ServiceSource.choices),
    }


@login_only
@require_http_methods(["GET", "POST"])
def report_online(request: HttpRequest) -> HttpResponse:
    """The member reports to the community where they live, on a phone."""
    user = request.user
    person = getattr(user, "person", None)
    if person is None or not person.party_status:
        return render(request, "members/no_person.html", {"not_member": person is not None})
    if selectors.active_report_of(person) is not None:
        messages.info(request, _("You have reported already."))
        return redirect("members:me")
    community = selectors.home_community(person)
    posts = selectors.service_posts_of(community) if community else None
    form = OnlineReportForm(
        request.POST or None,
        posts=posts if posts is not None else ServicePost.objects.none(),
        units=_units_for_person(person),
    )
    return form_page(
        request,
        form,
        save=lambda form: services.member_report_create(
            person=person,
            service_post=form.cleaned_data["service_post"],
            employer_unit=form.cleaned_data["employer_unit"],
            channel=ReportChannel.ONLINE,
            actor=user,
        ),
        success="members:me",
        message=_("You have reported to %(community)s. Thank you!") % {"community": community},
        template="members/report_online.html",
        context={"community": community, "branch": selectors.home_grid_branch(person), "person": person},
    )


@login_only
@require_POST
def rereport_me(request: HttpRequest) -> HttpResponse:
    report = selectors.active_report_of(getattr(request.user, "person", None))
    if report is None:
        raise Http404
    return post_action(
        request,
        partial(
            services.member_report_renew, report=report, channel=ReportChannel.ONLINE, actor=request.user
        ),
        back="members:me",
        ok=lambda _renewal: _("Re-reported. The next one is due on %(day)s.") % {"day": report.next_due_on},
    )


@login_only
@require_GET
def person_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's service record: their own, an official's in scope, or their employer's."""

    person = Person.objects.select_related("region").filter(pk=pk).first()
    if person is None or not selectors.may_read_record(request.user, person):
        raise Http404
    today = timezone.localdate()
    own = request.user.person_id == person.pk  # type: ignore[union-attr]
    # an employer reads the record, not the activities and cases behind it
    linkable = own or can(request.user, VIEW, person.region.path)
    context = _record_context(request, person, _year(request, today), today, own=own, linkable=linkable)
    return render(request, "members/record.html", context)


# ---- reports kept by the community ------------------------------------------------------------


@requires(VIEW)
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    form = ReportFilterForm(request.GET or None, user=user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    reports = selectors.reports_visible(user)
    node = data.get("node")
    if node is not None:
        low, high = subtree_range(node.path)
        reports = reports.filter(community__path__gte=low, community__path__lt=high)
    if data.get("q"):
        reports = reports.filter(person__name__icontains=data["q"].strip())
    state = data.get("state") or ""
    if state == "due":
        reports = selectors.reports_due(reports, today=today)
    elif state == "overdue":
        reports = reports.filter(ended_on__isnull=True, next_due_on__lt=today)
    elif state == "ended":
        reports = reports.filter(ended_on__isnull=False)
    elif state != "all":
        reports = reports.filter(ended_on__isnull=True)
    page = paginate(request, reports.order_by("next_due_on", "person__name", "pk"))
    return render(
        request,
        "members/report_list.html",
        {"form": form, "page": page, "today": today, "can_manage": has_capability(user, MANAGE)},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    user = request.user

    units = PartnerUnit.objects.filter(active=True, party_organisation__isnull=False).order_by("name")

    def save(form: ReportForm) -> Any:
        post = form.cleaned_data["service_post"]
        if not can(user, MANAGE, post.community.path):
            raise PermissionDenied
        return services.member_report_create(
            person=form.cleaned_data["person"],
            service_post=post,
            employer_unit=form.cleaned_data["employer_unit"],
            channel=ReportChannel.COMMUNITY,
            reported_on=form.cleaned_data["reported_on"],
            actor=user,
        )

    return form_page(
        request,
        ReportForm(request.POST or None, user=user, units=units),
        save=save,
        success=lambda report: reverse("members:report", args=[report.pk]),
        message=lambda report: _("%(name)s has reported.") % {"name": report.person.name},
        template="members/form.html",
        context={"title": _("Enter a member's report")},
    )


@requires(VIEW)
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = selectors.report_get(user, pk)
    today = timezone.localdate()
    year_entries = list(selectors.entries_of(report.person, first=date(today.year, 1, 1), last=today))
    return render(
        request,
        "members/report_detail.html",
        {
            "report": report,
            "renewals": report.renewals.select_related("by").order_by("-confirmed_on"),
            "entries": year_entries,
            "today": today,
            "can_manage": can(user, MANAGE, report.community.path),
            "end_form": ReportEndForm(initial={"on": today}),
        },
    )


def _managed_report(user: Any, pk: int) -> Any:
    report = selectors.report_get(user, pk)
    if not can(user, MANAGE, report.community.path):
        raise PermissionDenied
    return report


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _managed_report(request.user, pk)

    units = PartnerUnit.objects.filter(active=True, party_organisation__isnull=False).order_by("name")
    form = ReportEditForm(
        request.POST or None,
        initial={"service_post": report.service_post_id, "employer_unit": report.employer_unit_id},
        posts=selectors.service_posts_of(report.community),
        units=units,
    )
    return form_page(
        request,
        form,
        save=lambda form: services.member_report_update(
            report=report,
            actor=request.user,
            service_post=form.cleaned_data["service_post"],
            employer_unit=form.cleaned_data["employer_unit"],
        ),
        success=reverse("members:report", args=[report.pk]),
        message=_("Saved."),
        template="members/form.html",
        context={"title": _("Change the report of %(name)s") % {"name": report.person.name}, "back": report},
    )


@requires(MANAGE)
@require_POST
def report_renew(request: HttpRequest, pk: int) -> HttpResponse:
    report = _managed_report(request.user, pk)
    return post_action(
        request,
        partial(
            services.member_report_renew, report=report, channel=ReportChannel.COMMUNITY, actor=request.user
        ),
        back=reverse("members:report", args=[report.pk]),
        ok=_("Re-report recorded."),
    )


@requires(MANAGE)
@require_POST
def report_end(request: HttpRequest, pk: int) -> HttpResponse:
    report = _managed_report(request.user, pk)
    form = ReportEndForm(request.POST)
    return post_action(
        request,
        lambda: services.member_report_end(report=report, **form.cleaned_data),
        back=reverse("members:report", args=[report.pk]),
        ok=_("The report has ended."),
        form=form,
        invalid=_("Give the date and a reason."),
    )


@login_only
@require_GET
def person_choices_partial(request: HttpRequest) -> HttpResponse:
    """htmx: <option>s for a person picker, searched by name inside the user's scope."""
    capability = request.GET.get("cap", "")
    if capability not in Capability.values or not has_capability(request.user, capability):
        raise Http404
    people = person_choices(
        request.user, capability=capability, members_only=request.GET.get("members") != "0"
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        people = people.filter(name__icontains=q)
    options = [(p.pk, f"{p.name} · {p.region.name}") for p in people[:200]]
    return render(request, "regions/_options.html", {"options": options})


# ---- posts and units --------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    user = request.user

    posts = selectors.posts_visible(user).annotate(
        taken=Count("reports", filter=Q(reports__ended_on__isnull=True))
    )
    community_id = int_param(request, "community")
    if community_id is not None:
        posts = posts.filter(community=region_get(user, community_id, capability=VIEW))
    page = paginate(request, posts.order_by("community__path", "kind", "name"))
    return render(
        request, "members/post_list.html", {"page": page, "can_manage": has_capability(user, MANAGE)}
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ServicePostForm(request.POST or None, user=user)
    return form_page(
        request,
        form,
        save=lambda form: services.service_post_create(**form.cleaned_data),
        success=lambda _post: f"{_url('members:posts')}?community={form.cleaned_data['community'].pk}",
        message=lambda _post: _("The post “%(name)s” is open.") % {"name": form.cleaned_data["name"]},
        template="members/form.html",
        context={"title": _("Add a service post")},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    post = selectors.post_get(user, pk, capability=MANAGE)
    form = ServicePostForm(
        request.POST or None, user=user, editing=True, initial=ServicePostForm.initial_for(post)
    )
    return form_page(
        request,
        form,
        save=lambda form: services.service_post_update(post=post, actor=request.user, **form.cleaned_data),
        success=lambda _saved: f"{_url('members:posts')}?community={post.community_id}",
        message=_("Saved."),
        template="members/form.html",
        context={"title": _("Change the post “%(name)s”") % {"name": post.name}},
    )


def _url(name: str, *args: Any) -> str:

    return reverse(name, args=args)


@requires(VIEW)
@require_GET
def unit_report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    reports = selectors.unit_reports_visible(user).order_by("ended_on", "community__path", "unit__name")
    return render(
        request,
        "members/unit_list.html",
        {
            "page": paginate(request, reports),
            "missing": selectors.units_not_reported(user, on=today)[:200],
            "today": today,
            "can_manage": has_capability(user, MANAGE),
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def unit_report_create(request: HttpRequest) -> HttpResponse:
    user = request.user

    # a unit may sit at the county and report to a community of the user's: offer the units above too
    units = PartnerUnit.objects.filter(active=True).select_related("region").order_by("name")
    return form_page(
        request,
        UnitReportForm(request.POST or None, user=user, units=units),
        save=lambda form: services.unit_report_create(
            unit=form.cleaned_data["unit"],
            community=form.cleaned_data["community"],
            reported_on=form.cleaned_data["reported_on"],
            commitments=form.cleaned_data["commitments"],
            actor=user,
        ),
        success="members:units",
        message=_("The unit's report is recorded."),
        template="members/form.html",
        context={"title": _("Record a unit's report")},
    )


@requires(MANAGE)
@require_POST
def unit_report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = selectors.unit_report_get(request.user, pk, capability=MANAGE)
    if action == "renew":
        renew = partial(services.unit_report_renew, report=report)
        return post_action(request, renew, back="members:units", ok=_("The unit has reported again."))
    if action == "end":
        services.unit_report_end(report=report)
        messages.success(request, _("The unit's report has ended."))
    else:
        raise Http404
    return redirect("members:units")


# ---- cards for the employer -------------------------------------------------------------------


def _cards_selection(request: HttpRequest) -> tuple[str, date, date, list[selectors.Card], dict[str, Any]]:
    user = request.user
    today = timezone.localdate()
    try:
        label, first, last = parse_period(request.GET.get("period", ""), today=today)
    except ValueError:
        raise Http404("unknown period") from None
    reports = selectors.reports_during(selectors.card_reports(user), first, last)
    org_id = int_param(request, "organisation")
    chosen = None
    if org_id is not None:
        orgs = selectors.employer_organisations_of(user)
        chosen = next((o for o in orgs if o.pk == org_id), None)
        if chosen is None and has_capability(user, VIEW):
            chosen = organisations_visible(user).filter(pk=org_id).first()
        if chosen is None:
            raise Http404

        low, high = subtree_range(chosen.path)
        reports = reports.filter(employer_organisation__path__gte=low, employer_organisation__path__lt=high)
    community_id = int_param(request, "community")
    if community_id is not None:
        reports = reports.filter(community_id=community_id)
    reports = reports.order_by("employer_organisation__path", "person__name", "pk")
    cards = selectors.cards_for(list(reports[:2000]), label=label, first=first, last=last)
    return label, first, last, cards, {"organisation": chosen}


def _periods(today: date) -> list[str]:

    periods = []
    year, quarter = today.year, quarter_of(today)
    for _i in range(6):
        periods.append(f"{year}Q{quarter}")
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return [*periods, str(today.year), str(today.year - 1)]


@login_only
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    label, first, last, cards, extra = _cards_selection(request)
    query = request.GET.urlencode()
    return render(
        request,
        "members/cards.html",
        {
            "cards": cards,
            "label": label,
            "first": first,
            "last": last,
            "periods": _periods(timezone.localdate()),
            "employer_orgs": selectors.employer_organisations_of(user),
            "query": query,
            **extra,
        },
    )


def _audit_export(request: HttpRequest, kind: str, label: str, count: int) -> None:
    audit_record(
        action=Action.EXPORT,
        actor=request.user,
        request=request,
        target=f"members:cards:{kind}",
        detail={"period": label, "cards": count},
    )


@login_only
@require_GET
def card_export(request: HttpRequest) -> HttpResponse:
    label, _first, _last, cards, _extra = _cards_selection(request)
    content = card_files.cards_workbook(cards, label=label)
    _audit_export(request, "xlsx", label, len(cards))
    response = HttpResponse(content, content_type=card_files.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="service-cards-{label}.xlsx"'
    return response


@login_only
@require_GET
def card_print(request: HttpRequest) -> HttpResponse:
    label, _first, _last, cards, _extra = _cards_selection(request)
    return _pdf_response(request, cards, label, f"service-cards-{label}.pdf")


def _pdf_response(
    request: HttpRequest, cards: list[selectors.Card], label: str, filename: str
) -> HttpResponse:
    try:
        content = card_files.cards_pdf(cards)
    except card_files.PdfFontMissing as exc:
        return render(request, "members/pdf_unavailable.html", {"message": str(exc)}, status=503)
    _audit_export(request, "pdf", label, len(cards))
    response = HttpResponse(content, content_type=card_files.PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_only
@require_GET
def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.card_report_get(request.user, pk)
    try:
        label, first, last = parse_period(request.GET.get("period", ""), today=timezone.localdate())
    except ValueError:
        raise Http404("unknown period") from None
    card = selectors.cards_for([report], label=label, first=first, last=last)[0]
    if request.GET.get("format") == "pdf":
        return _pdf_response(request, [card], label, f"service-card-{report.pk}-{label}.pdf")
    return render(
        request,
        "members/card_detail.html",
        {"card": card, "periods": _periods(timezone.localdate()), "label": label},
    )


# ---- annual check and rules -------------------------------------------------------------------


@requires(VIEW)
@require_GET
def annual_check(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    year = _year(request, today)
    region_id = int_param(request, "node")
    region = region_get(user, region_id, capability=VIEW) if region_id is not None else None
    check = selectors.annual_check(user, year=year, region=region)
    return render(
        request,
        "members/annual_check.html",
        {
            "check": check,
            "years": list(range(today.year, today.year - 5, -1)),
            "year_over": year < today.year,
        },
    )


@requires(VIEW)
@require_GET
def rules_list(request: HttpRequest) -> HttpResponse:

    user = request.user
    return render(
        request,
        "members/rules.html",
        {
            "rows": selectors.rule_sets_visible(user).order_by("region__path", "-valid_from"),
            "default": DEFAULT_RULES,
            "can_create": any(has_capability(user, c) for c in RULE_CAPS),
        },
    )


@login_only
@require_http_methods(["GET", "POST"])
def rules_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    capability = next((c for c in RULE_CAPS if has_capability(user, c)), None)
    if capability is None:
        raise PermissionDenied
    form = RulesForm(request.POST or None, user=user, capability=capability)

    def save(form: RulesForm) -> None:
        data = dict(form.cleaned_data)
        region = data.pop("region")
        if not any(can(user, c, region.path) for c in RULE_CAPS):
            raise PermissionDenied
        services.member_rules_create(region=region, actor=user, **data)

    return form_page(
        request,
        form,
        save=save,
        success="members:rules",
        message=lambda _rules: (
            _("Version %(version)s is in force from %(day)s.")
            % {"version": form.cleaned_data["version"], "day": form.cleaned_data["valid_from"]}
        ),
        template="members/form.html",
        context={"title": _("Adopt a new version of the rules")},
    )
