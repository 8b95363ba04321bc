"""Joint-meeting pages: the list and the year's plan, the meeting screen (agenda, invitations,
attendance, minutes, decisions and their steps, tasks, and claiming needs on the spot over htmx)."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.access import requires
from tongxin.core.pages import form_page, list_page, paginate, post_action
from tongxin.core.roles import Capability
from tongxin.lib.tree import subtree_range
from tongxin.lists.models import NeedStatus
from tongxin.lists.selectors import need_get, needs_visible
from tongxin.lists.services import AlreadyClaimed, need_claim
from tongxin.meetings import services
from tongxin.meetings.forms import (
    AgendaItemForm,
    DecisionForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    StepForm,
    TaskDoneForm,
    TaskForm,
    default_held_at,
)
from tongxin.meetings.listing import meeting_selection
from tongxin.meetings.models import DecisionStatus, MeetingStatus, TaskStatus
from tongxin.meetings.selectors import (
    alliance_rhythms,
    decision_get,
    meeting_get,
    task_get,
    tasks_visible,
)
from tongxin.meetings.workflow import allowed_steps
from tongxin.partners.models import PartnerUnit
from tongxin.partners.selectors import alliance_get, alliances_visible, reach_for, require_manages

VIEW, MANAGE = Capability.PARTNERS_VIEW, Capability.PARTNERS_MANAGE
BOARD_LIMIT = 50
# the four stages of 两委三会四议, and the statuses that show each was reached
STAGES = [
    (_lazy("Propose (提议)"), {DecisionStatus.PROPOSED}),
    (_lazy("Discuss (商议)"), {DecisionStatus.DISCUSSED}),
    (_lazy("Review (审议)"), {DecisionStatus.ADOPTED, DecisionStatus.REJECTED}),
    (_lazy("Evaluate (评议)"), {DecisionStatus.EVALUATED}),
]


def decision_stages(decision: Any) -> list[tuple[Any, str]]:
    """Each stage of 提议 → 商议 → 审议 → 评议 as done, now (the next one) or to come."""
    reached = {step.to_status for step in decision.steps.all()}
    stages, next_marked = [], False
    for label, statuses in STAGES:
        if reached & statuses:
            stages.append((label, "done"))
        elif not next_marked and decision.status not in (DecisionStatus.REJECTED, DecisionStatus.EVALUATED):
            stages.append((label, "now"))
            next_marked = True
        else:
            stages.append((label, ""))
    return stages


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@requires(VIEW)
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    reach = reach_for(user)
    now = timezone.now()
    year = timezone.localdate().year
    alliances = []
    if reach.is_official:
        alliances = [
            (r.alliance, r, reach.manages(r.alliance.region))
            for r in alliance_rhythms(
                alliances_visible(user).filter(active=True).order_by("region__path", "name")[:60], year=year
            )
        ]
    return list_page(
        request,
        "meetings/list.html",
        meeting_selection(request),
        export="meetings:export",
        context={"alliances": alliances, "year": year, "can_create": not reach.manage.is_empty, "now": now},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {}
    alliance_id = request.GET.get("alliance", "")
    if alliance_id.isdigit():
        alliance = alliance_get(user, alliance_id)
        initial = {"alliance": alliance, "title": _("%(name)s joint meeting") % {"name": alliance.name}}

    def save(form: MeetingForm) -> Any:
        data = form.cleaned_data
        return services.meeting_schedule(
            actor=user,
            title=data["title"],
            scheduled_at=data["scheduled_at"],
            alliance=data["alliance"],
            region=data["region"],
            kind=data["kind"],
            place=data["place"],
            agenda=data["agenda_items"],
            room=data.get("room"),
        )

    return form_page(
        request,
        MeetingForm(request.POST or None, initial=initial, user=user),
        save=save,
        message=_("The meeting is planned. Call it to send the invitations."),
        template="meetings/form.html",
        context={"title": _("Plan a meeting")},
    )


@requires(MANAGE)
@require_POST
def plan_year(request: HttpRequest, alliance_pk: int) -> HttpResponse:
    user = request.user
    alliance = alliance_get(user, alliance_pk)
    require_manages(user, alliance.region)
    year = timezone.localdate().year
    planned = services.meetings_plan_year(alliance=alliance, year=year, actor=user)
    messages.success(
        request,
        _("%(n)d meetings of %(alliance)s were planned for the rest of %(year)d.")
        % {"n": len(planned), "alliance": alliance.name, "year": year},
    )
    return redirect("meetings:index")


def _board(user: Any, meeting: Any) -> list[Any]:
    """Open needs of the meeting's area that the user may see: claimable on the spot."""
    low, high = subtree_range(meeting.region.path)
    return list(
        needs_visible(user)
        .filter(status=NeedStatus.OPEN, region__path__gte=low, region__path__lt=high)
        .order_by("created_at")[:BOARD_LIMIT]
    )


def _board_units(user: Any, meeting: Any) -> list[PartnerUnit]:
    """Who may claim at this meeting: the invited and alliance units (a liaison: only their own)."""
    reach = reach_for(user)
    ids = set(meeting.invitations.filter(unit__isnull=False).values_list("unit_id", flat=True))
    if meeting.alliance_id:
        ids |= set(
            meeting.alliance.members.filter(left_on__isnull=True, unit__isnull=False).values_list(
                "unit_id", flat=True
            )
        )
    if not reach.manages(meeting.region):
        ids &= set(reach.unit_ids)
    return list(PartnerUnit.objects.filter(pk__in=ids, active=True).order_by("name"))


@requires(VIEW)
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = meeting_get(user, pk)
    reach = reach_for(user)
    organiser = reach.manages(meeting.region)
    open_meeting = meeting.status in (MeetingStatus.PLANNED, MeetingStatus.CALLED)
    decisions = []
    for decision in meeting.decisions.prefetch_related("steps", "tasks__owner_unit"):
        decisions.append(
            {
                "decision": decision,
                "steps": allowed_steps(decision.status, four_step=decision.four_step) if organiser else [],
                "stages": decision_stages(decision),
                "task_form": TaskForm(user=user, prefix=f"d{decision.pk}")
                if organiser and decision.status == DecisionStatus.ADOPTED
                else None,
            }
        )
    units = _board_units(user, meeting)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "agenda": list(meeting.agenda.all()),
            "invitations": list(meeting.invitations.select_related("unit", "user")),
            "decisions": decisions,
            "organiser": organiser,
            "open_meeting": open_meeting,
            "board": _board(user, meeting) if open_meeting else [],
            "board_units": units,
            "claimed_here": list(needs_visible(user).filter(claimed_meeting=meeting).order_by("claimed_at")),
            "agenda_form": AgendaItemForm() if organiser and open_meeting else None,
            "invite_form": InviteForm(user=user) if organiser and open_meeting else None,
            "minutes_form": MinutesForm(
                initial={"held_at": default_held_at(meeting), "minutes": meeting.minutes}
            )
            if organiser and meeting.status != MeetingStatus.CANCELLED
            else None,
            "decision_form": DecisionForm()
            if organiser and meeting.status != MeetingStatus.CANCELLED
            else None,
            "today": timezone.localdate(),
        },
    )


def _organised(user: Any, pk: int) -> Any:
    meeting = meeting_get(user, pk)
    require_manages(user, meeting.region)
    return meeting


@requires(MANAGE)
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _organised(request.user, pk)
    form = AgendaItemForm(request.POST)
    return post_action(
        request,
        lambda: services.agenda_item_add(
            meeting=meeting, actor=request.user, title=form.cleaned_data["title"]
        ),
        back=meeting,
        ok=_("The item is on the agenda."),
        form=form,
        invalid=_("An agenda item needs a title."),
    )


@requires(MANAGE)
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _organised(request.user, pk)
    form = InviteForm(request.POST, user=request.user)
    return post_action(
        request,
        lambda: services.invitation_add(meeting=meeting, actor=request.user, unit=form.cleaned_data["unit"]),
        back=meeting,
        ok=lambda _invitation: _("%(unit)s is invited.") % {"unit": form.cleaned_data["unit"].name},
        form=form,
        invalid=_("Choose a unit to invite."),
    )


@requires(MANAGE)
@require_POST
def call(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _organised(request.user, pk)
    call = partial(services.meeting_call, meeting=meeting, actor=request.user)
    return post_action(
        request, call, back=meeting, ok=_("The meeting is called; the invited have been told.")
    )


@requires(MANAGE)
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _organised(request.user, pk)
    present = [int(v) for v in request.POST.getlist("attended") if v.isdigit()]
    record = partial(services.meeting_attendance, meeting=meeting, actor=request.user, attended=present)
    return post_action(
        request, record, back=meeting, ok=lambda n: _("Attendance recorded: %(n)d present.") % {"n": n}
    )


@requires(MANAGE)
@require_POST
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _organised(request.user, pk)
    form = MinutesForm(request.POST)
    return post_action(
        request,
        lambda: services.meeting_record(meeting=meeting, actor=request.user, **form.cleaned_data),
        back=meeting,
        ok=_("The minutes are recorded; the meeting counts as held."),
        form=form,
        invalid=_("Give the time the meeting was held and its minutes."),
    )


@requires(MANAGE)
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _organised(request.user, pk)
    cancel = partial(services.meeting_cancel, meeting=meeting, actor=request.user, reason=_reason(request))
    return post_action(request, cancel, back=meeting, ok=_("The meeting is cancelled."))


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "")


@requires(MANAGE)
@require_POST
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _organised(request.user, pk)
    form = DecisionForm(request.POST)
    return post_action(
        request,
        lambda: services.decision_create(meeting=meeting, actor=request.user, **form.cleaned_data),
        back=meeting,
        ok=_("The decision is proposed."),
        form=form,
        invalid=_("Say what is to be decided."),
    )


@requires(MANAGE)
@require_POST
def decision_step(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_get(request.user, pk)
    require_manages(request.user, decision.meeting.region)
    form = StepForm(request.POST)

    def step() -> None:
        try:
            services.decision_step(decision=decision, actor=request.user, **form.cleaned_data)
        except services.DecisionConflict as exc:
            raise ValidationError(str(exc)) from exc

    return post_action(
        request,
        step,
        back=decision.meeting,
        ok=_("The step is recorded."),
        form=form,
        invalid=_("Unknown step."),
    )


@requires(MANAGE)
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_get(request.user, pk)
    require_manages(request.user, decision.meeting.region)
    form = TaskForm(request.POST, user=request.user, prefix=f"d{decision.pk}")
    return post_action(
        request,
        lambda: services.task_create(decision=decision, actor=request.user, **form.cleaned_data),
        back=decision.meeting,
        ok=_("The task is tracked."),
        form=form,
        invalid=lambda: (
            " ".join(str(e) for errs in form.errors.values() for e in errs) or _("Check the task.")
        ),
    )


@requires(VIEW)
@require_POST
def claim(request: HttpRequest, pk: int, need_pk: int) -> HttpResponse:
    """Claim a need during the meeting: one row of the board is swapped over htmx."""

    user = request.user
    meeting = meeting_get(user, pk)
    need = need_get(user, need_pk)
    units = {u.pk: u for u in _board_units(user, meeting)}
    unit_id = request.POST.get("unit", "")
    error = ""
    unit = units.get(int(unit_id)) if unit_id.isdigit() else None
    if unit is None:
        error = _("Choose one of the units at this meeting.")
    elif meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.CALLED):
        error = _("Needs are claimed at a meeting still to be held.")
    else:
        try:
            need = need_claim(need=need, unit=unit, actor=user, meeting=meeting)
        except AlreadyClaimed as exc:
            error = exc.message
            need = need_get(user, need_pk)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            error = _("Your unit is not paired with the area of this need.")
    if _is_htmx(request):
        return render(
            request,
            "meetings/_board_row.html",
            {"meeting": meeting, "need": need, "error": error, "board_units": list(units.values())},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(unit)s claimed “%(need)s”.") % {"unit": unit.name, "need": need.title})  # type: ignore[union-attr]
    return redirect(meeting)


# ---- tasks ----------------------------------------------------------------------------------------


@requires(VIEW)
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    queryset = tasks_visible(user)
    show = request.GET.get("show", "open")
    if show == "open":
        queryset = queryset.filter(status=TaskStatus.OPEN)
    elif show == "overdue":
        queryset = queryset.filter(status=TaskStatus.OPEN, due_on__lt=today)
    elif show == "done":
        queryset = queryset.filter(status=TaskStatus.DONE)
    reach = reach_for(user)
    page = paginate(request, queryset.order_by("due_on", "id"))
    rows = [
        (
            task,
            task.status == TaskStatus.OPEN
            and (
                reach.manages(task.decision.meeting.region)
                or reach.speaks_for(task.owner_unit)
                or task.owner_user_id == user.pk
            ),
        )
        for task in page
    ]
    return render(request, "meetings/tasks.html", {"page": page, "rows": rows, "show": show, "today": today})


@requires(VIEW)
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get(request.user, pk)
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done."))
        return redirect("meetings:tasks")
    back = request.POST.get("next") or ""
    return post_action(
        request,
        partial(services.task_done, task=task, actor=request.user, note=form.cleaned_data["note"]),
        back=back if back.startswith("/meetings/") else "meetings:tasks",
        ok=_("“%(task)s” is done.") % {"task": task.title},
    )
