"""Pages for 三会一课 and its compliance, member development, mobile members and training."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.audit.models import Action, Outcome
from tongxin.audit.purposes import purpose_detail
from tongxin.audit.services import audit_record
from tongxin.core.access import login_only, requires
from tongxin.core.forms import add_service_errors, initial_from
from tongxin.core.pages import form_page, list_page, post_action
from tongxin.core.permissions import can
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability
from tongxin.organisations.models import OrgKind
from tongxin.partylife import listing, selectors, services
from tongxin.partylife.development import DEFAULT_RULES, ORDER, label_of
from tongxin.partylife.forms import (
    ComplianceForm,
    FileOpenForm,
    MeetingForm,
    MeetingRulesForm,
    MobileMemberForm,
    ParticipantForm,
    SessionAttendanceForm,
    SessionForm,
    StepForm,
    TrainingClassForm,
    WindowForm,
)
from tongxin.partylife.models import (
    DevelopmentRuleSet,
    DevelopmentStep,
    Frequency,
    PartyMeetingKind,
    TrainingClass,
    TrainingSession,
)
from tongxin.people.models import Person

VIEW, MANAGE = Capability.PARTYLIFE_VIEW, Capability.PARTYLIFE_MANAGE
FORM_TEMPLATE = "members/form.html"


@login_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    context: dict[str, Any] = {"own_files": selectors.own_files(user), "official": has_capability(user, VIEW)}
    if context["official"]:
        rows = selectors.compliance(user, year=today.year, view="quarter", today=today)
        context.update(
            {
                "branches": len(rows),
                "behind": sum(1 for r in rows if r.behind),
                "dev": selectors.development_counts(user),
                "mobile": selectors.mobile_members_visible(user).filter(returned_on__isnull=True).count(),
                "classes": selectors.classes_visible(user).filter(ends_on__gte=today).count(),
                "can_manage": has_capability(user, MANAGE),
            }
        )
    elif not context["own_files"].exists():
        raise PermissionDenied
    return render(request, "partylife/index.html", context)


# ---- 三会一课 ---------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        "partylife/meetings.html",
        listing.meeting_selection(request),
        export="partylife:meeting_export",
        context={"can_manage": has_capability(request.user, MANAGE)},
    )


def _branch_members(organisation: Any) -> Any:
    """Members a meeting's attendance may list: the branch's (the group's branch's) members."""
    branch = organisation.parent if organisation.kind == OrgKind.GROUP else organisation
    return (
        Person.objects.filter(branch=branch)
        .exclude(party_status="")
        .select_related("region")
        .order_by("name")
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        MeetingForm(request.POST or None, user=user),
        save=lambda form: services.party_meeting_record(actor=user, **form.cleaned_data),
        success=lambda meeting: reverse("partylife:meeting", args=[meeting.pk]),
        message=_("Recorded. Tick the attendees now if you wish."),
        template=FORM_TEMPLATE,
        context={"title": _("Record a meeting (三会一课)"), "cancel_url": reverse("partylife:meetings")},
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = selectors.party_meeting_get(user, pk)
    manage = can(user, MANAGE, meeting.organisation.region.path)
    form = None
    if manage:
        initial = initial_from(meeting, ("kind", "held_on", "topic", "lecturer", "attendee_count", "minutes"))
        initial["attendees"] = list(meeting.attendees.values_list("pk", flat=True))
        form = MeetingForm(
            request.POST or None,
            initial=initial,
            user=user,
            members=_branch_members(meeting.organisation),
            editing=True,
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            if data.get("attendee_count") is None:
                data.pop("attendee_count")
            try:
                services.party_meeting_update(meeting=meeting, actor=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("partylife:meeting", pk=meeting.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "partylife/meeting.html",
        {"meeting": meeting, "form": form, "attendees": meeting.attendees.order_by("name")},
    )


@requires(MANAGE)
@require_POST
def party_meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.party_meeting_get(request.user, pk, capability=MANAGE)
    services.party_meeting_delete(meeting=meeting)
    messages.success(request, _("The meeting record is removed."))
    return redirect("partylife:meetings")


@requires(VIEW)
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(today.year)
    form = ComplianceForm(data, user=user)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    year = cleaned.get("year") or today.year
    view = cleaned.get("view") or "quarter"
    rows = selectors.compliance(user, year=year, view=view, region=cleaned.get("node"), today=today)
    only_behind = request.GET.get("behind") == "1"
    if only_behind:
        rows = [r for r in rows if r.behind]
    short = {
        PartyMeetingKind.BRANCH_COMMITTEE: _("Committee"),
        PartyMeetingKind.GROUP: _("Group"),
        PartyMeetingKind.GENERAL_ASSEMBLY: _("Assembly"),
        PartyMeetingKind.LECTURE: _("Lecture"),
    }
    for row in rows:
        for cell in row.cells:
            cell.labels = [str(short[PartyMeetingKind(k)]) for k in cell.missing]  # type: ignore[attr-defined]
    return render(
        request,
        "partylife/compliance.html",
        {
            "form": form,
            "rows": rows,
            "year": year,
            "view": view,
            "short": short,
            "columns": rows[0].cells if rows else [],
            "only_behind": only_behind,
            "default_rules": selectors.DEFAULT_MEETING_RULES,
        },
    )


@requires(VIEW)
@require_http_methods(["GET", "POST"])
def meeting_rules(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = MeetingRulesForm(request.POST or None, user=user) if has_capability(user, MANAGE) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            region = data.pop("region")
            if not can(user, MANAGE, region.path):
                raise PermissionDenied
            frequencies = {k: data.pop(k) for k in PartyMeetingKind.values}
            try:
                services.meeting_rules_create(region=region, frequencies=frequencies, actor=user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The new frequencies are in force from %(day)s.") % {"day": data["valid_from"]}
                )
                return redirect("partylife:meeting_rules")
    return render(
        request,
        "partylife/meeting_rules.html",
        {
            "rows": selectors.meeting_rule_sets_visible(user).order_by("region__path", "-valid_from"),
            "default": selectors.DEFAULT_MEETING_RULES,
            "default_labels": [
                Frequency(selectors.DEFAULT_MEETING_RULES.frequencies[k]).label
                for k in PartyMeetingKind.values
            ],
            "form": form,
            "kinds": PartyMeetingKind.choices,
        },
    )


# ---- 发展党员 ---------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def development_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    return list_page(
        request,
        "partylife/development_list.html",
        listing.file_selection(request),
        export="partylife:development_export",
        context={
            "today": timezone.localdate(),
            "can_manage": has_capability(user, MANAGE),
            "counts": selectors.development_counts(user),
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def development_open(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        FileOpenForm(request.POST or None, user=user),
        save=lambda form: services.development_file_open(actor=user, **form.cleaned_data),
        message=lambda file: _("The file of %(name)s is open.") % {"name": file.person.name},
        template=FORM_TEMPLATE,
        context={"title": _("Open a development file"), "cancel_url": reverse("partylife:development")},
    )


def _file_context(user: Any, file: Any, form: StepForm | None) -> dict[str, Any]:
    evaluation = selectors.evaluate_file(file)
    rules = selectors.development_rules_of(file)
    return {
        "file": file,
        "steps": file.steps.order_by("on", "id"),
        "evaluation": evaluation,
        "next_steps": [(s, label_of(s.kind)) for s in evaluation.next_steps],
        "rules": rules,
        "form": form,
        "stage_label": label_of(evaluation.stage),
        "order": ORDER,
    }


@requires(VIEW)
@require_GET
def development_file(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    file = selectors.file_get(user, pk)
    manage = can(user, MANAGE, file.branch.region.path) and not file.closed
    form = StepForm(initial={"on": timezone.localdate()}) if manage else None
    return render(request, "partylife/development_file.html", _file_context(user, file, form))


@requires(MANAGE)
@require_POST
def development_step_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    file = selectors.file_get(user, pk, capability=MANAGE)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.development_step_record(
                file=file,
                kind=form.cleaned_data["kind"],
                on=form.cleaned_data["on"],
                detail=form.detail(),
                note=form.cleaned_data["note"],
                actor=user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, field_map={"on": "on"})
        else:
            messages.success(request, _("Step recorded; the dates are checked below."))
            return redirect(file)
    return render(request, "partylife/development_file.html", _file_context(user, file, form), status=400)


@requires(MANAGE)
@require_POST
def development_step_delete(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(DevelopmentStep.objects.select_related("file"), pk=pk)
    file = selectors.file_get(request.user, step.file_id, capability=MANAGE)
    delete = partial(services.development_step_delete, step=step)
    return post_action(request, delete, back=file, ok=_("Step removed."))


@login_only
@require_GET
def my_development(request: HttpRequest) -> HttpResponse:
    """The applicant's own file, read only."""
    file = (
        selectors.own_files(request.user).filter(closed=False).first()
        or selectors.own_files(request.user).first()
    )
    if file is None:
        raise Http404
    return render(
        request, "partylife/development_file.html", {**_file_context(request.user, file, None), "own": True}
    )


@requires(VIEW)
@require_GET
def development_rules(request: HttpRequest) -> HttpResponse:

    return render(
        request,
        "partylife/development_rules.html",
        {
            "rows": DevelopmentRuleSet.objects.order_by("-valid_from"),
            "default": DEFAULT_RULES,
            "params": DEFAULT_RULES.params(),
        },
    )


# ---- 流动党员 ---------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def mobile_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    return list_page(
        request,
        "partylife/mobile_list.html",
        listing.mobile_selection(request),
        export="partylife:mobile_export",
        context={
            "windows": selectors.windows_visible(user).order_by("name"),
            "can_manage": has_capability(user, MANAGE),
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def mobile_register(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        MobileMemberForm(request.POST or None, user=user, windows=selectors.window_choices(user)),
        save=lambda form: services.mobile_member_register(**form.cleaned_data),
        success="partylife:mobile",
        message=lambda record: _("%(name)s is registered as a mobile member.") % {"name": record.person.name},
        template=FORM_TEMPLATE,
        context={
            "title": _("Register a mobile member (流动党员)"),
            "cancel_url": reverse("partylife:mobile"),
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def mobile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    record = selectors.mobile_member_get(user, pk, capability=MANAGE)
    initial = initial_from(record, ("current_place", "work", "certificate", "left_on"))
    initial["window"] = record.window_id
    form = MobileMemberForm(
        request.POST or None, initial=initial, user=user, windows=selectors.window_choices(user), editing=True
    )

    def save(form: MobileMemberForm) -> None:
        data = dict(form.cleaned_data)
        contact = data.pop("contact") or None
        services.mobile_member_update(record=record, actor=request.user, contact=contact, **data)

    return form_page(
        request,
        form,
        save=save,
        success="partylife:mobile",
        message=_("Saved."),
        template=FORM_TEMPLATE,
        context={
            "title": _("Mobile member %(name)s") % {"name": record.person.name},
            "cancel_url": reverse("partylife:mobile"),
        },
    )


@requires(MANAGE)
@require_POST
def mobile_return(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.mobile_member_get(request.user, pk, capability=MANAGE)
    services.mobile_member_return(record=record)
    messages.success(request, _("%(name)s is back.") % {"name": record.person.name})
    return redirect("partylife:mobile")


@requires(VIEW)
@require_POST
def mobile_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the plain contact number; needs people.reveal over the home branch. Audited."""
    user = request.user
    record = selectors.mobile_member_get(user, pk)
    allowed = can(user, Capability.PEOPLE_REVEAL, record.branch.region.path)
    audit_record(
        action=Action.REVEAL,
        actor=user,
        request=request,
        region=record.branch.region,
        target=f"mobile_member:{record.pk}",
        outcome=Outcome.SUCCESS if allowed else Outcome.DENIED,
        # the purpose is the page's: contacting a mobile member of one's own branch
        detail={"field": "contact", **purpose_detail("contact", "")},
    )
    if not allowed:
        raise PermissionDenied
    response = render(request, "people/_revealed.html", {"value": record.reveal_contact()})
    response["Cache-Control"] = "no-store"
    return response


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def window_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        WindowForm(request.POST or None, user=user),
        save=lambda form: services.window_create(**form.cleaned_data),
        success="partylife:mobile",
        message=_("The service window is open."),
        template=FORM_TEMPLATE,
        context={
            "title": _("Open a service window for mobile members"),
            "cancel_url": reverse("partylife:mobile"),
        },
    )


# ---- training ---------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def training_list(request: HttpRequest) -> HttpResponse:
    form, classes = listing.training_selection(request)
    participants = reverse("partylife:participant_export")
    return list_page(
        request,
        "partylife/training_list.html",
        (form, classes),
        export="partylife:training_export",
        context=lambda listed: {
            "can_manage": has_capability(request.user, MANAGE),
            "participant_count": TrainingClass.participants.through.objects.filter(
                trainingclass__in=classes.values("pk")
            ).count(),
            "participant_export_url": f"{participants}?{listed['export_query']}",
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        TrainingClassForm(request.POST or None, user=user),
        save=lambda form: services.training_class_create(**form.cleaned_data),
        message=_("The class is set up; add its sessions and participants."),
        template=FORM_TEMPLATE,
        context={"title": _("Set up a training class"), "cancel_url": reverse("partylife:training")},
    )


@requires(VIEW)
@require_GET
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    training = selectors.class_get(user, pk)
    manage = can(user, MANAGE, training.organisation.region.path)
    return render(
        request,
        "partylife/training.html",
        {
            "training": training,
            "sessions": training.sessions.all(),
            "hours": selectors.class_hours(training),
            "manage": manage,
            "session_form": SessionForm(initial={"on": training.starts_on, "hours": 4}) if manage else None,
            "participant_form": ParticipantForm(user=user) if manage else None,
        },
    )


def _managed_class(user: Any, pk: int) -> Any:
    training = selectors.class_get(user, pk)
    if not can(user, MANAGE, training.organisation.region.path):
        raise PermissionDenied
    return training


@requires(MANAGE)
@require_POST
def training_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    training = _managed_class(request.user, pk)
    form = SessionForm(request.POST)
    return post_action(
        request,
        lambda: services.training_session_add(training=training, **form.cleaned_data),
        back=training,
        ok=_("Session added."),
        form=form,
        invalid=_("Enter the date, topic and class hours."),
    )


@requires(MANAGE)
@require_POST
def training_participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    training = _managed_class(request.user, pk)
    form = ParticipantForm(request.POST, user=request.user)
    return post_action(
        request,
        lambda: services.training_participants_add(training=training, people=[form.cleaned_data["person"]]),
        back=training,
        ok=lambda _added: _("%(name)s joins the class.") % {"name": form.cleaned_data["person"].name},
        form=form,
        invalid=_("Choose a person from your area."),
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def training_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    session = get_object_or_404(TrainingSession.objects.select_related("training"), pk=pk)
    training = _managed_class(user, session.training_id)
    participants = training.participants.order_by("name")
    form = SessionAttendanceForm(
        request.POST or None,
        initial={"people": list(session.attendance.values_list("person_id", flat=True))},
        participants=participants,
    )
    return form_page(
        request,
        form,
        save=lambda form: services.training_attendance_set(
            session=session, people=form.cleaned_data["people"]
        ),
        success=training.get_absolute_url(),
        message=_("Attendance saved; class hours count toward development rules."),
        template=FORM_TEMPLATE,
        context={
            "title": _("Attendance: %(topic)s (%(day)s)") % {"topic": session.topic, "day": session.on},
            "cancel_url": training.get_absolute_url(),
        },
    )
