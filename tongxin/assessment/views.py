"""Assessment pages: schemes (versioned), a run with its results, the score grid and its Excel
import, a subject's scores with their evidence and 述职 report, the ledger export, and contests.
Scope and what each user sees: selectors.py."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.assessment import selectors, services
from tongxin.assessment.forms import ContestForm, GradeLinkForm, ImportForm, ItemForm, ReportForm, SchemeForm
from tongxin.assessment.ledger import NoFilter, ledger_columns, scores_import, sheet_columns, with_scores
from tongxin.assessment.models import Grade, Item, Result, SubjectKind
from tongxin.assessment.sources import reader
from tongxin.audit.exports import export_view
from tongxin.core.access import requires
from tongxin.core.forms import add_service_errors
from tongxin.core.pages import form_page, post_action
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.partners.files import serve
from tongxin.people.models import Person
from tongxin.regions.models import Level, Region

VIEW, MANAGE = services.VIEW, services.MANAGE


GRADE_ORDER = {g: n for n, g in enumerate(Grade.values)}


def _figure_names() -> dict[str, tuple[str, str]]:
    """code → (the figure's name, its unit) of every figure an objective item may read."""
    found = {}
    for code, label in reader().choices():
        name, _sep, unit = label.partition("（")
        found[code] = (name, unit.rstrip("）"))
    return found


def _owner_only(access: selectors.Access) -> None:
    if not access.owner:
        raise PermissionDenied


@requires(VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    schemes = list(selectors.schemes_visible(request.user).prefetch_related("runs"))
    return render(
        request,
        "assessment/index.html",
        {
            "schemes": schemes,
            "contests": selectors.contests_visible(request.user)[:20],
            "may_manage": not scope_for(request.user, MANAGE).is_empty,
        },
    )


def _owner_region(user: Any) -> Region:
    roots = scope_for(user, MANAGE).roots
    found = Region.objects.filter(path__in=roots).order_by("path").first()
    if found is None:
        raise PermissionDenied
    return found


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    owner = _owner_region(request.user)
    form = SchemeForm(request.POST or None, initial={"year": timezone.localdate().year})
    return form_page(
        request,
        form,
        save=lambda f: services.scheme_create(actor=request.user, owner=owner, **f.cleaned_data),
        success=lambda s: reverse("assessment:scheme", args=[s.pk]),
        template="assessment/form.html",
        context={"title": _("New assessment scheme"), "owner": owner},
        message=_("The scheme is saved as a draft."),
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def scheme(request: HttpRequest, pk: int) -> HttpResponse:
    found, access = selectors.scheme_get(request.user, pk)
    item_form = ItemForm(request.POST or None, prefix="item")
    link_form = GradeLinkForm(request.POST or None, prefix="link")
    if request.method == "POST":
        _owner_only(access)
        form: Any = item_form if "item-name" in request.POST else link_form
        if form.is_valid():
            try:
                if form is item_form:
                    services.item_add(actor=request.user, scheme=found, **form.cleaned_data)
                else:
                    services.grade_link_add(actor=request.user, scheme=found, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("assessment:scheme", pk=found.pk)
    names = _figure_names()
    items = [(i, *names.get(i.indicator, (i.indicator, ""))) for i in found.items.all()]
    return render(
        request,
        "assessment/scheme.html",
        {
            "scheme": found,
            "access": access,
            "items": items,
            "links": sorted(found.links.all(), key=lambda link: (GRADE_ORDER.get(link.grade, 9), link.kind)),
            "runs": list(found.runs.all()),
            "item_form": item_form,
            "link_form": link_form,
            "versions": selectors.schemes_visible(request.user).filter(
                owner=found.owner, name=found.name, year=found.year
            ),
        },
    )


@requires(MANAGE)
@require_POST
def scheme_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    found, access = selectors.scheme_get(request.user, pk)
    _owner_only(access)
    if action == "publish":
        return post_action(
            request,
            lambda: services.scheme_publish(actor=request.user, scheme=found),
            back=reverse("assessment:scheme", args=[pk]),
            ok=_("The scheme is published; it no longer changes."),
        )
    if action == "version":
        copy = services.scheme_new_version(actor=request.user, scheme=found)
        messages.success(request, _("Version %(v)s is a draft copy.") % {"v": copy.version})
        return redirect("assessment:scheme", pk=copy.pk)
    if action == "run":
        try:
            run = services.run_start(actor=request.user, scheme=found)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("assessment:scheme", pk=pk)
        messages.success(request, _("The assessment is under way; the figures are read."))
        return redirect("assessment:run", pk=run.pk)
    raise Http404


@requires(VIEW)
@require_GET
def run(request: HttpRequest, pk: int) -> HttpResponse:
    found, access = selectors.run_get(request.user, pk)
    kind = request.GET.get("kind") or SubjectKind.TEAM
    if kind not in SubjectKind.values:
        kind = SubjectKind.TEAM
    results = with_scores(selectors.results_visible(request.user, found).filter(kind=kind))
    order = ("rank", "region_path", "id") if access.ranking and found.is_final else ("region_path", "id")
    items = [i for i in found.scheme.items.all() if i.applies(kind)]
    rows = list(results.order_by(*order))
    by_grade: dict[str, int] = {}
    for r in rows:
        by_grade[r.grade] = by_grade.get(r.grade, 0) + 1
    counts = [(label, by_grade[g]) for g, label in Grade.choices if by_grade.get(g)]
    return render(
        request,
        "assessment/run.html",
        {
            "run": found,
            "access": access,
            "kind": kind,
            "kinds": SubjectKind.choices,
            "items": items,
            "rows": [
                (r, [(i, next((s for s in r.scores.all() if s.item_id == i.pk), None)) for i in items])
                for r in rows
            ],
            "counts": counts,
        },
    )


@requires(MANAGE)
@require_POST
def run_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    found, access = selectors.run_get(request.user, pk)
    _owner_only(access)
    back = reverse("assessment:run", args=[pk])
    if action == "recompute":
        return post_action(
            request,
            lambda: services.run_compute(actor=request.user, run=found),
            back=back,
            ok=lambda n: _("The figures are read again: %(n)s scores changed.") % {"n": n},
        )
    if action == "finalise":
        return post_action(
            request,
            lambda: services.run_finalise(actor=request.user, run=found),
            back=back,
            ok=_("The assessment is finalised: grades and consequences are recorded."),
        )
    raise Http404


def _grid_cells(request: HttpRequest, results: list[Result], items: list[Item]) -> list[services.Cell]:
    cells = []
    for r in results:
        for i in items:
            if i.applies(r.kind):
                cells.append(services.Cell(r.pk, i.pk, request.POST.get(f"s-{r.pk}-{i.pk}", "")))
    return cells


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def scores(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessors' grid: subjects × subjective items; saved all or nothing."""
    found, access = selectors.run_get(request.user, pk)
    _owner_only(access)
    if found.is_final:
        messages.info(request, _("The assessment is finalised: its scores no longer change."))
        return redirect("assessment:run", pk=pk)
    kind = request.POST.get("kind") or request.GET.get("kind") or SubjectKind.TEAM
    if kind not in SubjectKind.values:
        kind = SubjectKind.TEAM
    items = [i for i in found.scheme.items.all() if not i.is_objective and i.applies(kind)]
    results = list(with_scores(found.results.filter(kind=kind)).order_by("region_path", "id"))
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            n = services.scores_enter(
                actor=request.user, run=found, cells=_grid_cells(request, results, items)
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            messages.error(
                request, _("Nothing was saved: %(n)s scores need correcting.") % {"n": len(errors)}
            )
            status = 400
        else:
            messages.success(request, _("%(n)s scores saved.") % {"n": n})
            return redirect(f"{reverse('assessment:scores', args=[pk])}?kind={kind}")
    grid = []
    for r in results:
        cells = []
        for i in items:
            key = f"{r.pk}-{i.pk}"
            stored = next((s.score for s in r.scores.all() if s.item_id == i.pk), None)
            value = (
                request.POST.get(f"s-{key}", "")
                if request.method == "POST"
                else ("" if stored is None else stored)
            )
            cells.append(
                {"name": f"s-{key}", "value": value, "error": " ".join(errors.get(key, [])), "item": i}
            )
        grid.append((r, cells))
    return render(
        request,
        "assessment/scores.html",
        {
            "run": found,
            "kind": kind,
            "kinds": SubjectKind.choices,
            "items": items,
            "grid": grid,
            "import_form": ImportForm(),
        },
        status=status,
    )


@requires(MANAGE)
@require_POST
def scores_upload(request: HttpRequest, pk: int) -> HttpResponse:
    found, access = selectors.run_get(request.user, pk)
    _owner_only(access)
    form = ImportForm(request.POST, request.FILES)
    problems: list[str] = []
    if not form.is_valid():
        problems = [_("Choose the filled-in score sheet.")]
    else:
        try:
            n = scores_import(actor=request.user, run=found, data=form.cleaned_data["file"].read())
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("%(n)s scores imported.") % {"n": n})
            return redirect("assessment:run", pk=pk)
    return render(request, "assessment/import_errors.html", {"run": found, "problems": problems}, status=400)


def _export(request: HttpRequest, pk: int, *, sheet: bool) -> HttpResponse:
    found, access = selectors.run_get(request.user, pk)
    if sheet:
        _owner_only(access)
    names = (
        scope_for(request.user, Capability.PEOPLE_VIEW).contains(found.scheme.owner.path) or not access.owner
    )
    columns = sheet_columns(found) if sheet else ledger_columns(found, names=names, ranking=access.ranking)
    rows = selectors.results_visible(request.user, found).order_by("kind", "region_path", "id")
    view = export_view(
        lambda _request: (NoFilter(), rows),
        columns,
        name=f"assessment-{found.scheme.year}-{'sheet' if sheet else 'ledger'}",
        title=gettext_lazy("Score sheet") if sheet else gettext_lazy("Assessment ledger"),
        back="assessment:index",
        prepare=with_scores,
    )
    return view(request)


@requires(VIEW)
@require_GET
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, sheet=False)


@requires(MANAGE)
@require_GET
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, sheet=True)


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def result(request: HttpRequest, pk: int) -> HttpResponse:
    found, access = selectors.result_get(request.user, pk)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _owner_only(access)
        if form.is_valid():
            try:
                services.report_attach(actor=request.user, result=found, upload=form.cleaned_data["report"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The 述职 report is attached."))
                return redirect("assessment:result", pk=pk)
    names = _figure_names()
    scores = [
        (s, names.get(s.item.indicator, ("", ""))[1] if s.item.is_objective else "")
        for s in found.scores.select_related("item").order_by("item__position", "item_id")
    ]
    return render(
        request,
        "assessment/result.html",
        {
            "result": found,
            "access": access,
            "scores": scores,
            "consequences": found.consequences.all(),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(VIEW)
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    found, _access = selectors.result_get(request.user, pk)
    if not found.report:
        raise Http404
    return serve(found.report, content_type=found.report_type, name=found.report_name)


@requires(VIEW)
@require_GET
def person_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A cadre's record: grades, consequences (一述二考三挂钩) and contests, as far as the user sees."""
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Http404
    record = selectors.record_of(request.user, person)
    if not record["results"] and not record["entries"]:
        raise Http404
    return render(request, "assessment/record.html", {"person": person, **record})


# ---- contests -------------------------------------------------------------------------------------


def _secretaries(owner: Region) -> Any:
    return (
        Person.objects.filter(
            positions__kind="secretary",
            positions__ends_on__isnull=True,
            positions__region__level=Level.COMMUNITY,
            positions__region__path__startswith=owner.path,
        )
        .select_related("region")
        .distinct()
        .order_by("region__path", "id")
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def contest_new(request: HttpRequest) -> HttpResponse:
    owner = _owner_region(request.user)
    form = ContestForm(request.POST or None, secretaries=_secretaries(owner))

    def save(f: ContestForm) -> Any:
        data = f.cleaned_data
        return services.contest_create(
            actor=request.user,
            owner=owner,
            title=data["title"],
            held_on=data["held_on"],
            topics=data["topics"],
            drop_extremes=data["drop_extremes"],
            judges=data["judges"].splitlines(),
            participants=data["participants"],
        )

    return form_page(
        request,
        form,
        save=save,
        success=lambda c: reverse("assessment:contest", args=[c.pk]),
        template="assessment/form.html",
        context={"title": _("New contest (擂台比武)"), "owner": owner},
        message=_("The contest is saved."),
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def contest(request: HttpRequest, pk: int) -> HttpResponse:
    found, owner = selectors.contest_get(request.user, pk)
    judges = list(found.judges.all())
    participants = list(selectors.participants_visible(request.user, found).prefetch_related("scores"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not owner:
            raise PermissionDenied
        given = {
            (p.pk, j.pk): request.POST.get(f"j-{p.pk}-{j.pk}", "")
            for p in participants
            for j in judges
            if request.POST.get(f"j-{p.pk}-{j.pk}", "").strip()
        }
        try:
            services.contest_scores_enter(actor=request.user, contest=found, scores=given)
        except ValidationError as exc:
            errors = exc.message_dict
            messages.error(
                request, _("Nothing was saved: %(n)s scores need correcting.") % {"n": len(errors)}
            )
        else:
            messages.success(request, _("The scores are saved and the results worked out."))
            return redirect("assessment:contest", pk=pk)
    rows = []
    for p in participants:
        by_judge = {s.judge_id: s.score for s in p.scores.all()}
        cells = [
            {
                "name": f"j-{p.pk}-{j.pk}",
                "judge": j.name,
                "value": request.POST.get(f"j-{p.pk}-{j.pk}", "") if errors else by_judge.get(j.pk, ""),
                "error": " ".join(errors.get(f"{p.pk}-{j.pk}", [])),
            }
            for j in judges
        ]
        rows.append((p, cells))
    return render(
        request,
        "assessment/contest.html",
        {"contest": found, "owner": owner, "judges": judges, "rows": rows},
        status=400 if errors else 200,
    )
