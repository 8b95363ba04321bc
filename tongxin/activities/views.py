"""Activity pages (publish, sign up on a phone, confirm attendance) and team pages (roster, call-outs)."""

from functools import partial
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.activities import listing, selectors, services
from tongxin.activities.forms import (
    ActivityForm,
    AttendanceForm,
    CalloutAnswerForm,
    CalloutForm,
    PhotoForm,
    TeamForm,
    TeamMemberForm,
)
from tongxin.activities.models import ActivityPhoto, ActivityStatus, TeamMember
from tongxin.cases.selectors import cases_visible
from tongxin.core.access import login_only, requires
from tongxin.core.pages import form_page, list_page, paginate, post_action
from tongxin.core.periods import list_tools
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for

VIEW, MANAGE = Capability.MEMBERS_VIEW, Capability.MEMBERS_MANAGE


def _may_publish(user: Any) -> bool:
    return has_capability(user, MANAGE) or selectors.unit_choices_for(user).exists()


# ---- activities -------------------------------------------------------------------------------


@login_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    upcoming = selectors.activities_open_to(user).filter(status=ActivityStatus.PUBLISHED, ends_at__gte=now)
    mine = {s.activity_id: s for s in selectors.my_signups(user)}
    context: dict[str, Any] = {
        "upcoming": upcoming.order_by("starts_at")[:50],
        "mine": mine,
        "my_past": [
            s for s in selectors.my_signups(user).order_by("-activity__starts_at") if s.activity.ends_at < now
        ][:20],
        "can_publish": _may_publish(user),
        "now": now,
    }
    if has_capability(user, VIEW) or context["can_publish"]:
        context["to_confirm"] = selectors.activities_to_confirm(user, now=now).order_by("starts_at")[:50]
        form, activities = listing.activity_selection(request)
        context["area"] = paginate(request, activities)
        context.update(
            list_tools(request, form, context["area"].paginator.count, reverse("activities:export"))
        )
    return render(request, "activities/index.html", context)


@login_only
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _may_publish(user):
        raise PermissionDenied
    return form_page(
        request,
        ActivityForm(request.POST or None, user=user, units=selectors.unit_choices_for(user)),
        save=lambda form: services.activity_create(organiser=user, **form.activity_data()),
        message=lambda activity: _("“%(title)s” is published.") % {"title": activity.title},
        template="members/form.html",
        context={"title": _("Publish an activity"), "cancel_url": _url("activities:index")},
    )


def _url(name: str, *args: Any) -> str:

    return reverse(name, args=args)


def _manageable(user: Any, pk: int) -> Any:
    activity = selectors.activity_get_for(user, pk)
    if not selectors.may_manage_activity(user, activity):
        raise PermissionDenied
    return activity


@login_only
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get_for(user, pk)
    manage = selectors.may_manage_activity(user, activity)
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "signup": selectors.signup_of(user, activity),
            "may_sign_up": selectors.may_sign_up(user, activity),
            "manage": manage,
            "signups": selectors.signups_of(activity) if manage else None,
            "photos": activity.photos.all(),
            "photo_form": PhotoForm() if manage else None,
            "now": timezone.now(),
        },
    )


@login_only
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = _manageable(user, pk)
    initial = {k: getattr(activity, k) for k in services.ACTIVITY_FIELDS}
    initial.update(
        {"region": activity.region_id, "organisation": activity.organisation_id, "unit": activity.unit_id}
    )
    form = ActivityForm(
        request.POST or None, initial=initial, user=user, units=selectors.unit_choices_for(user)
    )
    for name in ("region", "unit", "organisation", "room"):
        form.fields.pop(name, None)  # where and by whom do not change once published; rooms: /venues/

    def save(form: ActivityForm) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"region", "unit", "organisation"}}
        if data.get("hours") is None:
            data.pop("hours", None)
        services.activity_update(activity=activity, actor=user, **data)

    return form_page(
        request,
        form,
        save=save,
        success=activity.get_absolute_url(),
        message=_("Saved."),
        template="members/form.html",
        context={
            "title": _("Change “%(title)s”") % {"title": activity.title},
            "cancel_url": activity.get_absolute_url(),
        },
    )


@login_only
@require_POST
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for(request.user, pk)
    sign_up = partial(services.signup_create, activity=activity, user=request.user)
    ok = _("You are signed up for “%(title)s”.") % {"title": activity.title}
    return post_action(request, sign_up, back=activity, ok=ok)


@login_only
@require_POST
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for(request.user, pk)
    withdraw = partial(services.signup_cancel, activity=activity, user=request.user)
    return post_action(request, withdraw, back=activity, ok=_("Your sign-up is withdrawn."))


@login_only
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _manageable(request.user, pk)
    return post_action(
        request,
        partial(
            services.activity_cancel,
            activity=activity,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        ),
        back=activity,
        ok=_("The activity is cancelled; those signed up are told."),
    )


@login_only
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser ticks who attended. No check-in on the day: confirmed afterwards, once."""
    user = request.user
    activity = _manageable(user, pk)
    signups = list(selectors.signups_of(activity))
    initial = {"attended": [str(s.pk) for s in signups if s.attended or (s.attended is None and s.is_active)]}
    initial["summary"] = activity.summary

    def save(form: AttendanceForm) -> None:
        walk_in = form.cleaned_data["walk_in"]
        services.attendance_confirm(
            activity=activity,
            actor=user,
            attended=[int(v) for v in form.cleaned_data["attended"]],
            walk_ins=[walk_in] if walk_in else [],
            summary=form.cleaned_data["summary"],
        )

    return form_page(
        request,
        AttendanceForm(request.POST or None, initial=initial, signups=signups, user=user),
        save=save,
        success=activity.get_absolute_url(),
        message=_("Attendance confirmed; it is on the attendees' service records."),
        template="activities/attendance.html",
        context={"activity": activity, "signups": signups, "started": activity.starts_at <= timezone.now()},
    )


@login_only
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _manageable(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    return post_action(
        request,
        lambda: services.activity_photo_add(
            activity=activity, actor=request.user, upload=form.cleaned_data["photo"]
        ),
        back=activity,
        ok=_("Photo added."),
        form=form,
        invalid=_("Choose a photo (JPEG, PNG or WebP)."),
    )


@login_only
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ActivityPhoto.objects.select_related("activity"), pk=pk)
    selectors.activity_get_for(request.user, item.activity_id)  # 404 unless the activity is theirs to see
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return cast(HttpResponse, response)  # a streamed file; the access decorators type plain responses


# ---- teams ------------------------------------------------------------------------------------


@login_only
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    return list_page(
        request,
        "activities/teams.html",
        listing.team_selection(request),
        export="activities:team_export",
        context={"can_manage": has_capability(user, MANAGE), "callouts": selectors.open_callouts_for(user)},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    return form_page(
        request,
        TeamForm(request.POST or None, user=user),
        save=lambda form: services.team_create(**form.cleaned_data),
        message=lambda team: _("Team “%(name)s” created.") % {"name": team.name},
        template="members/form.html",
        context={"title": _("Create a team"), "cancel_url": _url("activities:teams")},
    )


@login_only
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    team = selectors.team_get(user, pk)
    manage = scope_for(user, MANAGE).contains(team.region.path)
    return render(
        request,
        "activities/team.html",
        {
            "team": team,
            "roster": selectors.roster_of(team),
            "callouts": selectors.callouts_of(team)[:20],
            "manage": manage,
            "member_form": TeamMemberForm(user=user) if manage else None,
            "callout_form": CalloutForm() if manage else None,
        },
    )


def _managed_team(user: Any, pk: int) -> Any:
    team = selectors.team_get(user, pk)
    if not scope_for(user, MANAGE).contains(team.region.path):
        raise PermissionDenied
    return team


@requires(MANAGE)
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _managed_team(request.user, pk)
    form = TeamMemberForm(request.POST, user=request.user)
    return post_action(
        request,
        lambda: services.team_member_add(team=team, **form.cleaned_data),
        back=team,
        ok=lambda _member: _("%(name)s joined the team.") % {"name": form.cleaned_data["person"].name},
        form=form,
        invalid=_("Choose a person from your area."),
    )


@requires(MANAGE)
@require_POST
def team_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    member = get_object_or_404(TeamMember.objects.select_related("team", "team__region"), pk=pk)
    team = _managed_team(user, member.team_id)
    services.team_member_remove(member=member)
    messages.success(request, _("%(name)s left the team.") % {"name": member.person.name})
    return redirect(team)


@requires(MANAGE)
@require_POST
def callout_create(request: HttpRequest, pk: int) -> HttpResponse:

    user = request.user
    team = _managed_team(user, pk)
    form = CalloutForm(request.POST)

    def call_out() -> None:
        case = cases_visible(user).filter(Q(tracking_code=form.cleaned_data["case"].strip())).first()
        if case is None:
            raise ValidationError(_("There is no such case in your area."))
        services.callout_create(team=team, case=case, actor=user, note=form.cleaned_data["note"])

    return post_action(
        request,
        call_out,
        back=team,
        ok=_("The team is called out; its members are told."),
        form=form,
        invalid=_("Enter the case's tracking code."),
    )


@login_only
@require_http_methods(["GET", "POST"])
def callout_respond(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    callout = selectors.callout_get_for_member(user, pk)
    person_id = getattr(user, "person_id", None)
    mine = callout.responses.filter(person_id=person_id).first() if person_id else None
    return form_page(
        request,
        CalloutAnswerForm(request.POST or None),
        save=lambda form: services.callout_respond(callout=callout, user=user, **form.cleaned_data),
        success=reverse("activities:callout_respond", args=[callout.pk]),
        message=_("Your answer is recorded."),
        template="activities/callout.html",
        context={"callout": callout, "mine": mine},
    )


@requires(MANAGE)
@require_POST
def callout_close(request: HttpRequest, pk: int) -> HttpResponse:
    callout = selectors.callout_get(request.user, pk)
    if not scope_for(request.user, MANAGE).contains(callout.team.region.path):
        raise PermissionDenied
    services.callout_close(callout=callout)
    messages.success(request, _("The call-out is closed."))
    return redirect(callout.team)
