"""What waits for each role on their start page, read through the apps' own selectors.

Every list here comes from a selector that already takes the user and scopes by it; this module
only picks the rows that need someone now, gives each a deadline and orders them by it. No rule
is decided twice: overdue is `handling_due` passed (cases), a meeting is due when the meetings or
Party-life rules say so (`alliance_rhythms`, `compliance`), a re-report when `reports_due` says so.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.activities.selectors import my_signups
from tongxin.cases.models import OPEN_STATUSES, Case, CaseStatus
from tongxin.cases.selectors import (
    cases_assigned_to,
    cases_in_pool,
    cases_to_verify,
    cases_visible,
    cases_whistled_to,
    pending_supervision_counts,
    supervisions_to_answer,
)
from tongxin.core.roles import Capability, Role
from tongxin.core.scope import has_capability, roles
from tongxin.lists.models import NeedStatus
from tongxin.lists.selectors import needs_visible
from tongxin.meetings.selectors import alliance_rhythms
from tongxin.members import selectors as members
from tongxin.partners.selectors import alliances_visible
from tongxin.partylife.models import PartyMeetingKind
from tongxin.partylife.selectors import compliance

# rows shown per section; the count says how many there are in all
SECTION_LIMIT = 8
# rows of the grid's task list (each source is read up to this many)
TASK_LIMIT = 50

CASE_RELATED = ("category", "category__parent", "community", "grid")


@dataclass(frozen=True)
class Item:
    """One thing to do: what it is, what it concerns, where to act and by when."""

    kind: str
    label: str
    title: str
    url: str
    due: datetime | None = None  # the deadline, if the thing has one
    since: datetime | None = None  # how long it has waited, if it has no deadline
    detail: str = ""

    @classmethod
    def of_case(cls, kind: str, label: str, case: Case, **when: Any) -> "Item":
        """A thing to do about a case: titled by its code, category and place, linked to its page."""
        return cls(kind, label, _case_title(case), _case_url(case), **when)

    def sort_key(self) -> tuple[int, datetime]:
        """Deadlines first, the nearest (or the most overdue) first; then the longest waiting."""
        if self.due is not None:
            return (0, self.due)
        return (1, self.since or datetime.max.replace(tzinfo=timezone.get_current_timezone()))


@dataclass
class Section:
    key: str
    title: str
    count: int
    items: list[Item] = field(default_factory=list)
    more_url: str = ""


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())


def _case_title(case: Case) -> str:
    place = case.grid.name if case.grid_id else case.community.name  # type: ignore[union-attr]
    return f"{case.tracking_code} · {case.category.name} · {place}"


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _note_item(supervision: Any) -> Item:
    """A supervision note (督办意见) waiting for the holder's answer."""
    case = supervision.case
    return Item.of_case(
        "note",
        _("Supervision note to answer"),
        case,
        due=case.handling_due,
        since=supervision.created_at,
        detail=supervision.note,
    )


def _cases(qs: QuerySet[Case], *order: str, limit: int = SECTION_LIMIT) -> list[Case]:
    return list(qs.select_related(*CASE_RELATED).order_by(*order)[:limit])


# ---- the role's start page -------------------------------------------------------------------

# the most "working" role first: a secretary who is also a Party member lands on the inbox
START_BY_ROLE: list[tuple[str, str]] = [
    (Role.COMMUNITY_SECRETARY, "workbench:inbox"),
    (Role.COMMUNITY_STAFF, "workbench:inbox"),
    (Role.GRID_WORKER, "workbench:tasks"),
    (Role.GRID_LEADER, "workbench:tasks"),
    (Role.HOTLINE_OPERATOR, "cases:hotline"),
    (Role.STREET_OFFICIAL, "statistics:overview"),
    (Role.COUNTY_ORG, "statistics:overview"),
    (Role.PARTNER_LIAISON, "lists:needs"),
    (Role.MEMBER, "workbench:member"),
    (Role.SECURITY_ADMIN, "accounts:list"),
    (Role.AUDITOR, "audit:list"),
    (Role.SYSTEM_ADMIN, "structure"),
]


def is_party_member(user: Any) -> bool:
    """A Party member with a branch: the one who takes orders from the pool and keeps a record."""
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    return bool(person is not None and person.party_status and person.branch_id)


def start_page_of(user: Any) -> str:
    """The URL name of the page the user starts from."""
    held = roles(user)
    for role, name in START_BY_ROLE:
        if role in held:
            return name
    return "workbench:member" if is_party_member(user) else "structure"


# ---- community secretary and staff: the inbox (待办) ------------------------------------------


def community_inbox(user: Any, *, now: datetime | None = None) -> list[Section]:
    """The community's inbox in order of urgency, each section with its count and first rows."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sections = [
        _overdue_section(user, now),
        _new_cases_section(user),
        _follow_up_section(user),
        _meetings_section(user, today),
        _reports_section(user, today),
        _needs_section(user),
    ]
    return [s for s in sections if s is not None]


def _managed_open(user: Any) -> QuerySet[Case]:
    return cases_visible(user, capability=Capability.CASES_MANAGE).filter(status__in=OPEN_STATUSES)


def _overdue_section(user: Any, now: datetime) -> Section | None:
    if not has_capability(user, Capability.CASES_MANAGE):
        return None
    qs = _managed_open(user).filter(Q(supervised=True) | Q(handling_due__lt=now))
    rows = _cases(qs, "handling_due", "reported_at")
    notes = pending_supervision_counts([c.pk for c in rows])
    # a note to answer on a case that is neither overdue nor supervised any more still waits
    answer = supervisions_to_answer(user).exclude(case__in=qs.values("pk"))
    extra = list(answer[:SECTION_LIMIT])
    items = [
        Item(
            "overdue",
            str(_("Supervised (督办)") if c.supervised else _("Overdue")),
            _case_title(c),
            _case_url(c),
            due=c.handling_due,
            since=c.reported_at,
            detail=_("A supervision note waits for your answer.") if notes.get(c.pk) else "",
        )
        for c in rows
    ] + [_note_item(s) for s in extra]
    items.sort(key=Item.sort_key)
    return Section(
        "overdue",
        _("Overdue and supervised"),
        qs.count() + answer.count(),
        items[:SECTION_LIMIT],
        reverse("cases:list") + "?status=open&overdue=1",
    )


def _new_cases_section(user: Any) -> Section | None:
    if not has_capability(user, Capability.CASES_MANAGE):
        return None
    qs = _managed_open(user).filter(status__in=[CaseStatus.REPORTED, CaseStatus.ACCEPTED])
    labels = {
        CaseStatus.REPORTED: _("New: accept (受理)"),
        CaseStatus.ACCEPTED: _("Accepted: dispatch (派单)"),
    }
    items = [
        Item.of_case("new", str(labels[c.status]), c, since=c.reported_at)  # type: ignore[index]
        for c in _cases(qs, "reported_at", "id")
    ]
    return Section(
        "new",
        _("New cases to accept and dispatch"),
        qs.count(),
        items,
        reverse("cases:list") + "?status=reported",
    )


def _follow_up_section(user: Any) -> Section | None:
    if not has_capability(user, Capability.CASES_MANAGE):
        return None
    follow = _managed_open(user).filter(status=CaseStatus.VERIFIED)
    verify = cases_to_verify(user)
    items = [
        Item.of_case(
            "follow_up",
            _("Follow up (回访)"),
            c,
            due=c.closure_due,
            since=c.verified_at,
        )
        for c in _cases(follow, "closure_due", "id")
    ] + [
        Item.of_case(
            "verify",
            _("Verify on site (核查)"),
            c,
            due=c.closure_due,
            since=c.resolved_at,
        )
        for c in _cases(verify, "closure_due", "id")
    ]
    items.sort(key=Item.sort_key)
    return Section(
        "follow_up",
        _("Cases to verify or follow up"),
        follow.count() + verify.count(),
        items[:SECTION_LIMIT],
        reverse("cases:list") + "?status=verified",
    )


def _meetings_section(user: Any, today: date) -> Section | None:
    """Joint meetings whose next one falls due by the end of the month, and 三会一课 this month."""
    month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    items: list[Item] = []
    if has_capability(user, Capability.PARTNERS_MANAGE):
        alliances = alliances_visible(user).filter(active=True).order_by("name")
        for rhythm in alliance_rhythms(alliances, year=today.year, as_of=today):
            if rhythm.next_due is None or rhythm.next_due > month_end:
                continue
            interval = rhythm.alliance.meeting_interval
            items.append(
                Item(
                    "joint_meeting",
                    _("Joint meeting due"),
                    rhythm.alliance.name,
                    reverse("meetings:create") + f"?alliance={rhythm.alliance.pk}",
                    due=_end_of_day(_period_end(max(rhythm.next_due, today), interval)),
                    detail=_("%(n)s meetings missed this year") % {"n": rhythm.missing}
                    if rhythm.missing
                    else "",
                )
            )
    if has_capability(user, Capability.PARTYLIFE_MANAGE):
        kinds = dict(PartyMeetingKind.choices)
        for row in compliance(user, year=today.year, view="month", today=today):
            cell = next((c for c in row.cells if c.first <= today <= c.last), None)
            if cell is None or cell.state not in {"pending", "behind"} or not cell.missing:
                continue
            items.append(
                Item(
                    "party_meeting",
                    _("三会一课 due this month"),
                    row.branch.name,
                    reverse("partylife:meeting_create"),
                    due=_end_of_day(cell.last),
                    detail="、".join(str(kinds.get(k, k)) for k in cell.missing),
                )
            )
    if not items and not (
        has_capability(user, Capability.PARTNERS_MANAGE) or has_capability(user, Capability.PARTYLIFE_MANAGE)
    ):
        return None
    items.sort(key=Item.sort_key)
    return Section(
        "meetings", _("Meetings due"), len(items), items[:SECTION_LIMIT], reverse("partylife:compliance")
    )


def _period_end(day: date, months: int) -> date:
    """The last day of the period of `months` months, counted from 1 January, that holds `day`
    (the periods of meetings.selectors.due_periods)."""
    first = (day.month - 1) // months * months  # months since January at the period's start
    end = first + months  # the month after the period, counted from January (0-based)
    return date(day.year + end // 12, end % 12 + 1, 1) - timedelta(days=1)


def _reports_section(user: Any, today: date) -> Section | None:
    if not has_capability(user, Capability.MEMBERS_MANAGE):
        return None
    qs = members.reports_due(members.reports_visible(user, capability=Capability.MEMBERS_MANAGE), today=today)
    items = [
        Item(
            "report",
            _("Re-report (报到) due"),
            f"{r.person.name} · {r.community.name}",
            reverse("members:report", args=[r.pk]),
            due=_end_of_day(r.next_due_on),
        )
        for r in qs.order_by("next_due_on", "id")[:SECTION_LIMIT]
    ]
    return Section(
        "reports", _("Members whose reporting is due"), qs.count(), items, reverse("members:reports")
    )


def _needs_section(user: Any) -> Section | None:
    if not has_capability(user, Capability.PARTNERS_MANAGE):
        return None
    qs = needs_visible(user).filter(status=NeedStatus.OPEN)
    items = [
        Item(
            "need",
            _("Need waiting for a claim"),
            n.title,
            reverse("lists:need", args=[n.pk]),
            since=n.created_at,
        )
        for n in qs.order_by("created_at", "id")[:SECTION_LIMIT]
    ]
    return Section(
        "needs", _("Needs waiting for a claim"), qs.count(), items, reverse("lists:needs") + "?status=open"
    )


# ---- grid worker and grid leader: the grid's tasks by deadline -------------------------------


def _whistle_due(qs: QuerySet[Case]) -> QuerySet[Case]:
    waiting = Q(whistles__reported_at__isnull=True, whistles__superseded_at__isnull=True)
    return qs.annotate(report_due=Min("whistles__report_due", filter=waiting))


# a case its holder still works on; once handled it waits for the verifier and the community
ACTIVE = (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS)


def _held(c: Case) -> Item:
    """A case the user holds: respond to a dispatch, handle one in progress, or wait for others."""
    if c.status == CaseStatus.DISPATCHED:
        return Item.of_case("respond", _("Dispatched to me: respond"), c, due=c.response_due)
    if c.status == CaseStatus.IN_PROGRESS:
        return Item.of_case("handle", _("Handle and report the result"), c, due=c.handling_due)
    return Item.of_case("waiting", str(c.get_status_display()), c)


def grid_tasks(user: Any) -> list[Item]:
    """Everything waiting for the user, across kinds, the nearest deadline first: a dispatch due in
    hours comes before a check on site due next week."""
    items: list[Item] = []
    for c in _cases(
        cases_assigned_to(user).filter(status__in=ACTIVE), "handling_due", "id", limit=TASK_LIMIT
    ):
        items.append(_held(c))
    for c in _cases(_whistle_due(cases_whistled_to(user)), "id", limit=TASK_LIMIT):
        due = getattr(c, "report_due", None) or c.handling_due
        items.append(Item.of_case("whistle", _("Whistled to my team: report (报到)"), c, due=due))
    for c in _cases(cases_to_verify(user), "closure_due", "id", limit=TASK_LIMIT):
        items.append(Item.of_case("verify", _("Verify on site (核查)"), c, due=c.closure_due))
    items += [_note_item(s) for s in supervisions_to_answer(user)[:TASK_LIMIT]]
    items.sort(key=Item.sort_key)
    return items


def grid_open_count(user: Any) -> int:
    return cases_visible(user).filter(status__in=OPEN_STATUSES).count()


# ---- Party member: orders, activities, service record ---------------------------------------


@dataclass
class MemberStart:
    orders: list[Item]
    pool: int
    signups: list[Any]
    entries: int
    hours: Any
    points: Any
    stars: int
    report: Any
    report_due_soon: bool


def member_start(user: Any, *, now: datetime | None = None) -> MemberStart | None:
    """The member's orders (taken from the pool), activities they signed up for, and this year's
    service record; None for an account without a person."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    person = user.person if getattr(user, "person_id", None) else None
    if person is None:
        return None
    orders = sorted(
        (_held(c) for c in _cases(cases_assigned_to(user), "handling_due", "id")), key=Item.sort_key
    )
    signups = list(
        my_signups(user).filter(activity__ends_at__gte=now).order_by("activity__starts_at")[:SECTION_LIMIT]
    )
    report = members.active_report_of(person)
    book = members.RulesBook(report.community if report else person.region.community())
    entries = list(members.entries_of(person, first=date(today.year, 1, 1), last=today))
    totals = members.totals_of(entries, book)
    rules = book.at(today)
    return MemberStart(
        orders=orders,
        pool=cases_in_pool(user).count(),
        signups=signups,
        entries=totals.count,
        hours=totals.hours,
        points=totals.points,
        stars=rules.stars_for(totals.points),
        report=report,
        report_due_soon=bool(report and (report.next_due_on - today).days <= rules.rereport_warn_days),
    )
