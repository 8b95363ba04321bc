"""Reads for activities and teams, scoped to the user's area or to what is their own."""

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.activities.models import (
    Activity,
    ActivityStatus,
    Audience,
    Callout,
    SignUp,
    Team,
    TeamMember,
)
from tongxin.core.actors import SYSTEM, is_user
from tongxin.core.periods import at_days
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import subtree_range
from tongxin.members.models import MemberReport
from tongxin.partners.models import PartnerUnit
from tongxin.people.models import Person

VIEW, MANAGE = Capability.MEMBERS_VIEW, Capability.MEMBERS_MANAGE


def _with_counts(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    return queryset.select_related("region", "organisation", "unit", "organiser").annotate(
        signed=Count("signups", filter=Q(signups__cancelled_at__isnull=True, signups__walk_in=False)),
        attended_count=Count("signups", filter=Q(signups__attended=True)),
    )


def activities_visible(user: Any, *, capability: str = VIEW) -> QuerySet[Activity]:
    """Activities of the user's area (members.view), and those they organise."""
    condition = scope_for(user, capability).q("region__path")
    if getattr(user, "is_authenticated", False):
        condition |= Q(organiser=user)
    return Activity.objects.filter(condition)


def activities_in_area(user: Any) -> QuerySet[Activity]:
    """Activities of the user's area or organised by them or their unit, with sign-up counts."""
    condition = scope_for(user, VIEW).q("region__path")
    if getattr(user, "is_authenticated", False):
        condition |= Q(organiser=user) | Q(unit_id__in=_unit_ids(user))
    return _with_counts(Activity.objects.filter(condition))


def activities_filter(
    queryset: QuerySet[Activity], *, since: date | None = None, until: date | None = None, kind: str = ""
) -> QuerySet[Activity]:
    """Activities starting (starts_at) on a local day in [since, until], of one kind if given."""
    queryset = at_days(queryset, "starts_at", since, until)
    return queryset.filter(kind=kind) if kind else queryset


def activities_listed(
    user: Any, *, since: date | None = None, until: date | None = None, kind: str = ""
) -> QuerySet[Activity]:
    """The area's activities list: the page, its count, its export and the API read this."""
    filtered = activities_filter(activities_in_area(user), since=since, until=until, kind=kind)
    return filtered.order_by("-starts_at", "-id")


def _unit_ids(user: Any) -> list[int]:

    if not getattr(user, "is_authenticated", False):
        return []
    return list(PartnerUnit.objects.filter(liaisons=user, active=True).values_list("pk", flat=True))


def may_manage_activity(user: Any, activity: Activity) -> bool:
    """The organiser, members.manage over the area, a liaison of the organising unit, or the system."""
    if user == SYSTEM:
        return True
    if not is_user(user):
        return False
    if activity.organiser_id == user.pk or scope_for(user, MANAGE).contains(activity.region.path):
        return True
    return bool(activity.unit_id and activity.unit_id in _unit_ids(user))


def _member_areas(person: Person) -> list[str]:
    """Region paths where the person counts as a member: their home and the community reported to."""

    paths = [person.region.path]
    paths += list(
        MemberReport.objects.filter(person=person, ended_on__isnull=True).values_list(
            "community__path", flat=True
        )
    )
    return paths


def _branches(person: Person) -> list[int]:

    ids = [person.branch_id] if person.branch_id else []
    ids += list(
        MemberReport.objects.filter(
            person=person, ended_on__isnull=True, grid_branch__isnull=False
        ).values_list("grid_branch_id", flat=True)
    )
    return ids


def audience_condition(person: Person | None) -> Q:
    """Activities open to `person`: by audience, for the areas and branches they belong to."""
    condition = Q(audience=Audience.EVERYONE)
    if person is None or not person.party_status:
        return condition

    area = Q(pk__in=[])
    for path in _member_areas(person):
        # an activity of the home grid, of its community or street above it, or in the subtree
        area |= Q(region__path__in=_prefixes(path))
    condition |= Q(audience=Audience.MEMBERS) & area
    reported = list(
        MemberReport.objects.filter(person=person, ended_on__isnull=True).values_list(
            "community__path", flat=True
        )
    )
    if reported:
        reported_area = Q(pk__in=[])
        for path in reported:
            reported_area |= Q(region__path__in=_prefixes(path))
            low, high = subtree_range(path)
            reported_area |= Q(region__path__gte=low, region__path__lt=high)
        condition |= Q(audience=Audience.REPORTED) & reported_area
    branches = _branches(person)
    if branches:
        condition |= Q(audience=Audience.BRANCH, organisation_id__in=branches)
    return condition


def _prefixes(path: str) -> list[str]:
    """The path and every ancestor path: '/1/5/9/' → ['/1/', '/1/5/', '/1/5/9/']."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def activities_open_to(user: Any) -> QuerySet[Activity]:
    """Published activities the user's person may sign up for (plus the ones they signed up for)."""
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    condition = audience_condition(person)
    if person is not None:
        condition |= Q(signups__person=person)
    return _with_counts(Activity.objects.filter(condition).distinct())


def activity_get_for(user: Any, pk: Any) -> Activity:
    """An activity the user may open: in their area, organised by them or their unit, or open to them."""
    activity = get_object_or_404(_with_counts(Activity.objects.all()), pk=pk)
    if may_manage_activity(user, activity) or scope_for(user, VIEW).contains(activity.region.path):
        return activity
    if activities_open_to(user).filter(pk=activity.pk).exists():
        return activity
    raise Http404("no such activity for you")


def may_sign_up(user: Any, activity: Activity, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    person = getattr(user, "person", None)
    if person is None or activity.status != ActivityStatus.PUBLISHED:
        return False
    if (activity.signup_until or activity.starts_at) <= now:
        return False
    return Activity.objects.filter(audience_condition(person), pk=activity.pk).exists()


def signup_of(user: Any, activity: Activity) -> SignUp | None:
    if not getattr(user, "person_id", None):
        return None
    return SignUp.objects.filter(activity=activity, person_id=user.person_id).first()


def signups_of(activity: Activity) -> QuerySet[SignUp]:
    return activity.signups.select_related("person", "person__region").order_by(
        "walk_in", "signed_up_at", "id"
    )


def activities_managed(user: Any) -> QuerySet[Activity]:
    """Activities the user may confirm: organised by them, by their unit, or in their members.manage area."""
    condition = scope_for(user, MANAGE).q("region__path")
    if getattr(user, "is_authenticated", False):
        condition |= Q(organiser=user) | Q(unit_id__in=_unit_ids(user))
    return _with_counts(Activity.objects.filter(condition))


def activities_to_confirm(user: Any, *, now: datetime | None = None) -> QuerySet[Activity]:
    now = now or timezone.now()
    return activities_managed(user).filter(status=ActivityStatus.PUBLISHED, ends_at__lte=now)


def my_signups(user: Any) -> QuerySet[SignUp]:
    if not getattr(user, "person_id", None):
        return SignUp.objects.none()
    return SignUp.objects.filter(person_id=user.person_id, cancelled_at__isnull=True).select_related(
        "activity", "activity__region"
    )


def unit_choices_for(user: Any) -> QuerySet[Any]:

    return PartnerUnit.objects.filter(pk__in=_unit_ids(user)).select_related("region").order_by("name")


# ---- teams ------------------------------------------------------------------------------------


def teams_visible(user: Any, *, capability: str = VIEW) -> QuerySet[Team]:
    condition = scope_for(user, capability).q("region__path")
    if getattr(user, "person_id", None):
        condition |= Q(roster__person_id=user.person_id, roster__left_on__isnull=True)
    return (
        Team.objects.filter(condition)
        .distinct()
        .select_related("region", "organisation")
        .annotate(size=Count("roster", filter=Q(roster__left_on__isnull=True), distinct=True))
    )


def teams_listed(
    user: Any, *, since: date | None = None, until: date | None = None, kind: str = ""
) -> QuerySet[Team]:
    """The teams list (page, count, export, API): teams set up (created_at) in [since, until]."""
    teams = at_days(teams_visible(user), "created_at", since, until)
    if kind:
        teams = teams.filter(kind=kind)
    return teams.order_by("region__path", "kind", "name", "pk")


def team_get(user: Any, pk: Any, *, capability: str = VIEW) -> Team:
    return get_object_or_404(teams_visible(user, capability=capability), pk=pk)


def roster_of(team: Team) -> QuerySet[TeamMember]:
    return team.roster.filter(left_on__isnull=True).select_related("person", "person__region")


def my_team_memberships(user: Any) -> QuerySet[TeamMember]:
    if not getattr(user, "person_id", None):
        return TeamMember.objects.none()
    return TeamMember.objects.filter(person_id=user.person_id, left_on__isnull=True).select_related("team")


def callouts_of(team: Team) -> QuerySet[Callout]:
    return team.callouts.select_related("case", "called_by").prefetch_related("responses__person")


def open_callouts_for(user: Any) -> QuerySet[Callout]:
    """Open call-outs of the teams the user's person belongs to."""
    if not getattr(user, "person_id", None):
        return Callout.objects.none()
    teams = TeamMember.objects.filter(person_id=user.person_id, left_on__isnull=True).values("team_id")
    return Callout.objects.filter(team_id__in=teams, closed_at__isnull=True).select_related("team", "case")


def callout_get_for_member(user: Any, pk: Any) -> Callout:
    return get_object_or_404(open_callouts_for(user), pk=pk)


def callout_get(user: Any, pk: Any) -> Callout:
    return get_object_or_404(
        Callout.objects.filter(scope_for(user, VIEW).q("team__region__path")).select_related("team", "case"),
        pk=pk,
    )
