"""Reads of joint meetings through the user's reach (see tongxin.partners.selectors).

A liaison sees the meetings their unit is invited to or whose alliance it sits on, and the
tasks their unit owns; an official sees the meetings of their subtree.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.core.periods import at_days
from tongxin.meetings.models import Decision, FollowUpTask, Invitation, Meeting, MeetingStatus, TaskStatus
from tongxin.partners.models import Alliance, AllianceMember
from tongxin.partners.selectors import reach_for


def meetings_visible(user: Any) -> QuerySet[Meeting]:
    reach = reach_for(user)
    units = list(reach.unit_ids)
    condition = reach.scope.q("region__path")
    if getattr(user, "is_authenticated", False):
        condition |= Q(Exists(Invitation.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk)))
    if units:
        invited = Invitation.objects.filter(meeting_id=OuterRef("pk"), unit_id__in=units)
        seated = AllianceMember.objects.filter(
            alliance_id=OuterRef("alliance_id"), unit_id__in=units, left_on__isnull=True
        )
        condition |= Q(Exists(invited)) | Q(Exists(seated))
    return Meeting.objects.filter(condition).select_related("alliance", "region")


def meetings_listed(
    user: Any,
    *,
    since: date | None = None,
    until: date | None = None,
    kind: str = "",
    when: str = "",
    now: datetime | None = None,
) -> QuerySet[Meeting]:
    """The meetings list (page, count, export, API). The period applies to the day a meeting was
    held, or, until it is held, the day it is scheduled for. `when`: "upcoming" or "held"."""
    meetings = meetings_visible(user).annotate(met_at=Coalesce("held_at", "scheduled_at"))
    meetings = at_days(meetings, "met_at", since, until)
    if kind:
        meetings = meetings.filter(kind=kind)
    if when == "upcoming":
        meetings = meetings.filter(
            status__in=[MeetingStatus.PLANNED, MeetingStatus.CALLED], scheduled_at__gte=now or timezone.now()
        )
    elif when == "held":
        meetings = meetings.filter(status=MeetingStatus.HELD)
    return meetings.order_by("-scheduled_at", "-id")


def with_attendance(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Invited, present and decided, counted per meeting (for the export)."""
    return meetings.annotate(
        invited=Count("invitations", distinct=True),
        present=Count("invitations", filter=Q(invitations__attended=True), distinct=True),
        decided=Count("decisions", distinct=True),
    )


def meeting_get(user: Any, pk: Any) -> Meeting:
    return get_object_or_404(meetings_visible(user), pk=pk)


def decision_get(user: Any, pk: Any) -> Decision:
    return get_object_or_404(
        Decision.objects.filter(meeting__in=meetings_visible(user).values("pk")).select_related(
            "meeting", "meeting__region"
        ),
        pk=pk,
    )


def tasks_visible(user: Any) -> QuerySet[FollowUpTask]:
    reach = reach_for(user)
    condition = reach.scope.q("decision__meeting__region__path") | Q(owner_unit_id__in=list(reach.unit_ids))
    if getattr(user, "is_authenticated", False):
        condition |= Q(owner_user_id=user.pk)
    return FollowUpTask.objects.filter(condition).select_related(
        "decision", "decision__meeting__region", "owner_unit", "owner_user"
    )


def task_get(user: Any, pk: Any) -> FollowUpTask:
    return get_object_or_404(tasks_visible(user), pk=pk)


def tasks_mine(user: Any) -> QuerySet[FollowUpTask]:
    """Open tasks the user owns, or that their units own."""
    reach = reach_for(user)
    return (
        FollowUpTask.objects.filter(Q(owner_user_id=user.pk) | Q(owner_unit_id__in=list(reach.unit_ids)))
        .filter(status=TaskStatus.OPEN)
        .select_related("decision__meeting", "owner_unit")
        .order_by("due_on", "id")
    )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


@dataclass
class MeetingRhythm:
    """How an alliance keeps its meeting frequency in a year (judged fairly for a late start)."""

    alliance: Alliance
    year: int
    expected: int  # periods of the year that have ended since the alliance was founded
    met: int  # of those periods, how many had a meeting held in them
    held: int  # meetings held in the year
    last_held: datetime | None
    next_due: date | None

    @property
    def behind(self) -> bool:
        return self.met < self.expected

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.met)


def due_periods(alliance: Alliance, year: int, as_of: date) -> list[tuple[date, date]]:
    """Periods [start, end) of `meeting_interval` months, counted from 1 January of `year`, that
    began on or after the alliance was founded and ended on or before `as_of`: each should have
    had a joint meeting. A meeting held twice in one quarter does not make up for a missed one."""
    periods = []
    for month in range(1, 13, alliance.meeting_interval):
        start = date(year, month, 1)
        end = _add_months(start, alliance.meeting_interval)
        if end <= as_of and start >= alliance.founded_on:
            periods.append((start, end))
    return periods


def meetings_expected(alliance: Alliance, year: int, as_of: date) -> int:
    return len(due_periods(alliance, year, as_of))


def alliance_rhythm(alliance: Alliance, *, year: int, as_of: date | None = None) -> MeetingRhythm:
    return alliance_rhythms([alliance], year=year, as_of=as_of)[0]


def alliance_rhythms(
    alliances: Iterable[Alliance], *, year: int, as_of: date | None = None
) -> list[MeetingRhythm]:
    """The rhythm of each alliance, in two queries for any number of them (a list shows many)."""
    alliances = list(alliances)
    as_of = as_of or timezone.localdate()
    tz = timezone.get_current_timezone()
    held_qs = Meeting.objects.filter(
        alliance__in=alliances, status=MeetingStatus.HELD, held_at__isnull=False
    ).order_by()
    in_year: dict[int, list[date]] = defaultdict(list)
    for alliance_id, at in held_qs.filter(
        held_at__gte=datetime.combine(date(year, 1, 1), time.min, tzinfo=tz),
        held_at__lt=datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=tz),
    ).values_list("alliance_id", "held_at"):
        in_year[alliance_id].append(timezone.localdate(at))
    last_of = dict(
        held_qs.values("alliance_id").annotate(last=Max("held_at")).values_list("alliance_id", "last")
    )
    rhythms = []
    for alliance in alliances:
        days = in_year[alliance.pk]
        periods = due_periods(alliance, year, as_of)
        met = sum(any(start <= day < end for day in days) for start, end in periods)
        last = last_of.get(alliance.pk)
        if last is not None:
            next_due = _add_months(timezone.localdate(last).replace(day=1), alliance.meeting_interval)
        else:
            next_due = alliance.founded_on
        rhythms.append(
            MeetingRhythm(
                alliance=alliance,
                year=year,
                expected=len(periods),
                met=met,
                held=len(days),
                last_held=last,
                next_due=next_due if alliance.active else None,
            )
        )
    return rhythms
