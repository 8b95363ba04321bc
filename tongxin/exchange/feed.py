"""The collector: reads what happened in Tongxin (case transitions, needs claimed, meetings called)
after it committed and turns it into messages, one per event and receiver: a `HotlineEvent` for a
case that came from a 12345 ticket, a `RobotDelivery` for each robot that chose the event.

Each source table is read from a cursor; the last `LAG` ids behind it are read again, so a
transaction that committed after a later one is still seen. Reading twice is harmless: an event is
kept once (a transition has one HotlineEvent; a robot one delivery per event key).
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongxin.cases.models import CaseStatus, CaseTransition, Rating, Whistle
from tongxin.cases.workflow import Action
from tongxin.exchange.messages import GroupMessage, body_for, when
from tongxin.exchange.models import (
    FeedCursor,
    HotlineEvent,
    Robot,
    RobotDelivery,
    RobotEvent,
)
from tongxin.lists.models import NeedTransition
from tongxin.meetings.models import Meeting

LAG = 1000
BATCH = 2000
# a meeting is looked at again for this long after it was called
MEETING_LAG = timedelta(hours=1)

CASE_EVENTS: dict[str, RobotEvent] = {Action.INTAKE: RobotEvent.CASE_NEW, Action.WHISTLE: RobotEvent.WHISTLE}
# what a 12345 platform hears of: every change of status, the result and the rating
RESULT_ACTIONS = {Action.RESOLVE}
RATING_ACTIONS = {Action.RATE, Action.FOLLOW_UP}


def collect(*, now: datetime | None = None) -> int:
    """Turn new events into messages; returns how many messages were made."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        robots = [
            r for r in Robot.objects.select_related("region").filter(active=True, revoked_at__isnull=True)
        ]
        made = _cases(robots, now)
        if robots:
            made += _needs(robots, now) + _meetings(robots, now)
    return made


def _cursor(source: str) -> FeedCursor:
    cursor, _created = FeedCursor.objects.get_or_create(source=source)
    return cursor


def _advance(cursor: FeedCursor, position: int) -> None:
    if position > cursor.position:
        FeedCursor.objects.filter(pk=cursor.pk, position__lt=position).update(position=position)


def _listening(robots: list[Robot], event: str, path: str, at: datetime) -> list[Robot]:
    """The robots that chose `event`, whose area holds `path`, and that existed when it happened."""
    return [
        r
        for r in robots
        if event in r.events and path.startswith(r.region.path) and r.created_at <= at + timedelta(minutes=1)
    ]


def _deliver(robots: Iterable[Robot], event: str, key: str, message: GroupMessage, now: datetime) -> int:
    rows = [
        RobotDelivery(
            robot=robot,
            event=event,
            event_key=key,
            title=message.title[:120],
            body=body_for(robot.vendor, message),
            next_attempt_at=now,
            created_at=now,
        )
        for robot in robots
    ]
    if not rows:
        return 0
    known = set(
        RobotDelivery.objects.filter(event_key=key, robot__in=[r.robot for r in rows]).values_list(
            "robot_id", flat=True
        )
    )
    fresh = [row for row in rows if row.robot.pk not in known]
    RobotDelivery.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


# --- cases ---------------------------------------------------------------------------------------


def _cases(robots: list[Robot], now: datetime) -> int:
    cursor = _cursor("case-transition")
    wanted = Q(case__hotline_link__isnull=False) & ~Q(action=Action.INTAKE)
    if robots:
        wanted |= Q(action__in=list(CASE_EVENTS)) | Q(action=Action.SUPERVISE, data__overdue=True)
    rows = list(
        CaseTransition.objects.filter(wanted, id__gt=max(cursor.position - LAG, 0))
        .select_related("case", "case__category", "case__category__parent", "case__grid", "case__community")
        .select_related("case__hotline_link")
        .order_by("id")[:BATCH]
    )
    last = CaseTransition.objects.aggregate(last=Max("id"))["last"] or 0
    made = _hotline_events([t for t in rows if t.action != Action.INTAKE and _has_ticket(t)], now)
    for transition in rows:
        made += _case_to_robots(robots, transition, now)
    # a full batch: go on from its end next time; else everything up to the newest row was read
    _advance(cursor, rows[-1].pk if len(rows) == BATCH else last)
    return made


def _has_ticket(transition: CaseTransition) -> bool:
    return hasattr(transition.case, "hotline_link")


def _hotline_events(transitions: list[CaseTransition], now: datetime) -> int:
    if not transitions:
        return 0
    known = set(
        HotlineEvent.objects.filter(transition__in=transitions).values_list("transition_id", flat=True)
    )
    rows = []
    for t in transitions:
        if t.pk in known:
            continue
        payload = hotline_payload(t)
        if payload is None:
            continue
        rows.append(
            HotlineEvent(
                ticket=t.case.hotline_link,
                transition=t,
                kind=payload["type"],
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
        )
    HotlineEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def hotline_payload(t: CaseTransition) -> dict[str, Any] | None:
    """What a platform is told of one transition of its ticket's case, or None if nothing."""
    case = t.case
    if t.action in RESULT_ACTIONS:
        kind = HotlineEvent.Kind.RESULT
    elif t.action in RATING_ACTIONS and t.data.get("rating"):
        kind = HotlineEvent.Kind.RATING
    elif t.from_status != t.to_status:
        kind = HotlineEvent.Kind.STATUS
    else:
        return None
    payload: dict[str, Any] = {
        "event_id": f"tongxin-case-transition-{t.pk}",
        "type": str(kind),
        "ticket_number": case.hotline_link.number,
        "case": case.tracking_code,
        "action": t.action,
        "status": t.to_status,
        "status_text": str(CaseStatus(t.to_status).label)
        if t.to_status in CaseStatus.values
        else t.to_status,
        "closed": t.to_status not in _OPEN,
        "at": t.at.isoformat(),
    }
    if kind == HotlineEvent.Kind.RESULT:
        payload["result"] = t.reason
    if kind == HotlineEvent.Kind.RATING:
        rating = t.data["rating"]
        payload["rating"] = rating
        payload["rating_text"] = str(Rating(rating).label) if rating in Rating.values else rating
        payload["comment"] = str(t.data.get("comment") or "")
        payload["solved"] = t.data.get("solved")
    elif t.reason and kind == HotlineEvent.Kind.STATUS:
        payload["note"] = t.reason
    return payload


_OPEN = {
    CaseStatus.REPORTED,
    CaseStatus.ACCEPTED,
    CaseStatus.POOLED,
    CaseStatus.DISPATCHED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WHISTLED,
    CaseStatus.RESOLVED,
    CaseStatus.VERIFIED,
}


def _case_to_robots(robots: list[Robot], t: CaseTransition, now: datetime) -> int:
    if not robots:
        return 0
    event = CASE_EVENTS.get(t.action)
    if t.action == Action.SUPERVISE and t.data.get("overdue"):
        event = RobotEvent.OVERDUE
    if event is None:
        return 0
    listening = _listening(robots, event, t.case.region_path, t.at)
    if not listening:
        return 0
    return _deliver(listening, event, f"case-transition:{t.pk}", case_message(t, event), now)


def case_message(t: CaseTransition, event: str) -> GroupMessage:
    case = t.case
    place = case.grid.name if case.grid_id else case.community.name  # type: ignore[union-attr]
    lines = [
        (_("Category"), str(case.category)),
        (_("Case"), case.tracking_code),
        (_("Where"), f"{case.community.name} · {place}" if case.grid_id else place),
    ]
    if event == RobotEvent.CASE_NEW:
        title = _("New case: %(category)s") % {"category": case.category.name}
        lines.append((_("Source"), case.get_source_display()))
    elif event == RobotEvent.WHISTLE:
        title = _("Whistle (吹哨): %(category)s") % {"category": case.category.name}
        whistle = (
            Whistle.objects.filter(case_id=case.pk, whistled_at=t.at)
            .select_related("to_responder", "to_region")
            .order_by("-id")
            .first()
        )
        if whistle is not None:
            called = whistle.to_responder or whistle.to_region
            lines.append((_("Called"), str(called)))
            lines.append((_("Report by"), when(whistle.report_due)))
    else:
        title = _("Overdue, under supervision (督办): %(category)s") % {"category": case.category.name}
        lines.append((_("Was due"), when(case.handling_due)))
    lines.append((_("Status"), str(CaseStatus(t.to_status).label)))
    return GroupMessage(
        title=title, lines=lines, url=case.get_absolute_url(), urgent=event != RobotEvent.CASE_NEW
    )


# --- needs and meetings --------------------------------------------------------------------------


def _needs(robots: list[Robot], now: datetime) -> int:
    cursor = _cursor("need-transition")
    rows = list(
        NeedTransition.objects.filter(action="claim", id__gt=max(cursor.position - LAG, 0))
        .select_related("need", "need__region", "need__claimed_by_unit")
        .order_by("id")[:BATCH]
    )
    last = NeedTransition.objects.aggregate(last=Max("id"))["last"] or 0
    made = 0
    for t in rows:
        need = t.need
        listening = _listening(robots, RobotEvent.NEED_CLAIMED, need.region.path, t.at)
        if not listening:
            continue
        unit = need.claimed_by_unit
        message = GroupMessage(
            title=_("Need claimed: %(title)s") % {"title": need.title},
            lines=[
                (_("Where"), need.region.name),
                (_("Claimed by"), unit.name if unit is not None else "—"),
                (_("When"), when(t.at)),
            ],
            url=need.get_absolute_url(),
        )
        made += _deliver(listening, RobotEvent.NEED_CLAIMED, f"need-transition:{t.pk}", message, now)
    _advance(cursor, rows[-1].pk if len(rows) == BATCH else last)
    return made


def _meetings(robots: list[Robot], now: datetime) -> int:
    cursor = _cursor("meeting-called")
    since = datetime.fromtimestamp(cursor.position, tz=timezone.get_current_timezone()) - MEETING_LAG
    rows = list(
        Meeting.objects.filter(called_at__gte=since, called_at__isnull=False)
        .select_related("region")
        .order_by("called_at", "id")[:BATCH]
    )
    made = 0
    for meeting in rows:
        listening = _listening(robots, RobotEvent.MEETING_CALLED, meeting.region.path, meeting.called_at)  # type: ignore[arg-type]
        if not listening:
            continue
        message = GroupMessage(
            title=_("Meeting called: %(title)s") % {"title": meeting.title},
            lines=[
                (_("When"), when(meeting.scheduled_at)),
                (_("Where"), meeting.place or meeting.region.name),
                (_("Called by"), meeting.region.name),
            ],
            url=meeting.get_absolute_url(),
        )
        made += _deliver(listening, RobotEvent.MEETING_CALLED, f"meeting-called:{meeting.pk}", message, now)
    if rows:
        _advance(cursor, int(rows[-1].called_at.timestamp()))  # type: ignore[union-attr]
    return made
