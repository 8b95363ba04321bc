"""What each start page lists, in which order, and never beyond the user's part of the tree."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tongxin.accounts.services import role_grant
from tongxin.activities.services import signup_create
from tongxin.cases.services import case_transition
from tongxin.cases.testing import report_case
from tongxin.cases.tests.pages import IN_COMMUNITY_A2, IN_GRID_11, IN_GRID_12, make_cast, move, resolved
from tongxin.core.roles import Role
from tongxin.lists.models import NeedCategory, NeedSource
from tongxin.lists.services import need_create
from tongxin.members.testing import future_activity, make_post, make_report
from tongxin.partners.models import AllianceKind
from tongxin.partners.services import alliance_create
from tongxin.testing import make_member, make_user
from tongxin.workbench import selectors
from tongxin.workbench.selectors import Item, community_inbox, grid_tasks, member_start, start_page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree)


def section(sections, key):
    return next(s for s in sections if s.key == key)


def codes(items):
    return [i.title.split(" · ")[0] for i in items]


# ---- the start page of each role ------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "where", "page"),
    [
        (Role.COMMUNITY_SECRETARY, "community_a1", "workbench:inbox"),
        (Role.COMMUNITY_STAFF, "community_a1", "workbench:inbox"),
        (Role.GRID_WORKER, "1.1", "workbench:tasks"),
        (Role.GRID_LEADER, "1.1", "workbench:tasks"),
        (Role.MEMBER, "1.1", "workbench:member"),
        (Role.STREET_OFFICIAL, "street_a", "statistics:overview"),
        (Role.COUNTY_ORG, "county", "statistics:overview"),
        (Role.PARTNER_LIAISON, "street_a", "lists:needs"),
        (Role.HOTLINE_OPERATOR, "county", "cases:hotline"),
        (Role.SECURITY_ADMIN, "city", "accounts:list"),
        (Role.AUDITOR, "city", "audit:list"),
        (Role.SYSTEM_ADMIN, "city", "structure"),
    ],
)
def test_each_role_starts_from_its_own_page(tree, role, where, page):
    region = tree.grids[where] if where in tree.grids else getattr(tree, where)
    assert start_page_of(make_user(role, region)) == page


def test_the_most_working_role_wins(tree):
    user = make_user(Role.MEMBER, tree.grids["1.1"])
    role_grant(user=user, role=Role.COMMUNITY_SECRETARY, region=tree.community_a1, granted_by=None)
    assert start_page_of(user) == "workbench:inbox"


def test_a_party_member_without_a_role_starts_as_a_member_and_nobody_at_the_tree(tree):
    member = make_user(None, None)
    member.person = make_member(tree.grids["1.1"], tree.orgs["grid_branch"])
    member.save()
    assert start_page_of(member) == "workbench:member"
    assert start_page_of(make_user(None, None)) == "structure"


# ---- the community's inbox ------------------------------------------------------------------


def test_inbox_lists_new_cases_oldest_first_and_only_of_the_community(cast):
    now = timezone.now()
    older = report_case(cast.tree, at=IN_GRID_11, now=now - timedelta(hours=5))
    newer = report_case(cast.tree, at=IN_GRID_12, now=now - timedelta(hours=1))
    elsewhere = report_case(cast.tree, at=IN_COMMUNITY_A2)
    new = section(community_inbox(cast.secretary), "new")
    assert codes(new.items) == [older.tracking_code, newer.tracking_code]
    assert new.count == 2
    assert new.items[0].url == f"/cases/{older.pk}/"
    neighbour = section(community_inbox(cast.neighbour), "new")
    assert codes(neighbour.items) == [elsewhere.tracking_code]
    assert section(community_inbox(cast.other), "new").count == 0


def test_inbox_puts_the_most_overdue_first_and_counts_supervised_cases(cast):
    now = timezone.now()
    late = move(
        report_case(cast.tree),
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_user": cast.staff}),
    )
    later = move(
        report_case(cast.tree),
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_user": cast.staff}),
    )
    supervised = case_transition(case=later.pk, action="supervise", actor=cast.street, reason="请加快")
    # seen a month on: both are overdue, the first dispatched the most
    overdue = section(community_inbox(cast.secretary, now=now + timedelta(days=30)), "overdue")
    assert overdue.count >= 2
    assert codes(overdue.items)[:2] == [late.tracking_code, supervised.tracking_code]
    # today only the supervised one is there, with its unanswered note
    today = section(community_inbox(cast.secretary, now=now), "overdue")
    assert supervised.tracking_code in codes(today.items)
    assert late.tracking_code not in codes(today.items)
    assert section(community_inbox(cast.other, now=now + timedelta(days=30)), "overdue").count == 0


def test_inbox_lists_follow_ups_and_needs_waiting_for_a_claim(cast):
    case = move(resolved(cast), ("verify_pass", cast.worker, {}))
    need = need_create(
        title="楼道灯坏了",
        description="三楼楼道灯不亮",
        category=NeedCategory.FACILITIES,
        source=NeedSource.RESIDENT,
        region=cast.tree.community_a1,
        actor=cast.secretary,
    )
    sections = community_inbox(cast.secretary)
    assert codes(section(sections, "follow_up").items) == [case.tracking_code]
    needs = section(sections, "needs")
    assert [i.title for i in needs.items] == [need.title] and needs.items[0].url == f"/lists/needs/{need.pk}/"
    other = community_inbox(cast.neighbour)
    assert section(other, "follow_up").count == 0 and section(other, "needs").count == 0


def test_inbox_lists_members_whose_reporting_is_due(cast):
    person = make_member(cast.tree.grids["1.1"], cast.tree.orgs["grid_branch"], name="张报到")
    report = make_report(
        person, make_post(cast.tree.community_a1), on=timezone.localdate() - timedelta(days=400)
    )
    reports = section(community_inbox(cast.secretary), "reports")
    assert [i.url for i in reports.items] == [f"/members/reports/{report.pk}/"]
    assert reports.items[0].due is not None and reports.items[0].due < timezone.now()
    assert section(community_inbox(cast.neighbour), "reports").count == 0


def test_inbox_says_which_三会一课_are_due_this_month(cast):
    meetings = section(community_inbox(cast.secretary), "meetings")
    assert "滚绣坊社区第1网格党支部" in [i.title for i in meetings.items]
    assert all(i.due is not None for i in meetings.items)
    assert "滚绣坊社区第1网格党支部" not in [
        i.title for i in section(community_inbox(cast.neighbour), "meetings").items
    ]


# ---- the grid's tasks -----------------------------------------------------------------------


def test_grid_tasks_order_by_deadline_across_kinds(cast):
    to_verify = resolved(cast)  # handled: the worker checks it on site before it closes
    fresh = move(
        report_case(cast.tree),
        ("accept", cast.secretary, {}),
        ("dispatch", cast.secretary, {"to_user": cast.worker}),
    )
    items = grid_tasks(cast.worker)
    assert [i.kind for i in items] == ["respond", "verify"]
    assert codes(items) == [fresh.tracking_code, to_verify.tracking_code]
    assert items[0].due == fresh.response_due and items[1].due == to_verify.closure_due
    assert fresh.response_due < to_verify.closure_due


def test_grid_tasks_leave_out_other_grids_and_communities(cast):
    resolved(cast, at=IN_GRID_12)
    neighbour = make_user(Role.COMMUNITY_SECRETARY, cast.tree.community_a2)
    case = report_case(cast.tree, at=IN_COMMUNITY_A2)
    move(case, ("accept", neighbour, {}))
    assert grid_tasks(cast.worker) == []


def test_sort_key_puts_deadlines_first_then_the_longest_waiting():
    now = timezone.now()
    waiting = Item("new", "", "", "", since=now - timedelta(days=9))
    soon = Item("respond", "", "", "", due=now + timedelta(hours=2))
    late = Item("verify", "", "", "", due=now - timedelta(days=1))
    assert sorted([waiting, soon, late], key=Item.sort_key) == [late, soon, waiting]


# ---- the member ------------------------------------------------------------------------------


def test_member_start_shows_orders_taken_and_the_pool(cast):
    pooled = move(report_case(cast.tree), ("accept", cast.secretary, {}), ("pool", cast.secretary, {}))
    taken = move(report_case(cast.tree), ("accept", cast.secretary, {}), ("pool", cast.secretary, {}))
    move(taken, ("take", cast.member, {}))
    start = member_start(cast.member)
    assert start is not None
    assert codes(start.orders) == [taken.tracking_code]
    assert start.pool == 1 and pooled.pk != taken.pk
    assert start.entries == 0
    assert member_start(make_user(None, None)) is None


def test_period_end_follows_the_meeting_periods():
    assert selectors._period_end(date(2026, 12, 7), 3) == date(2026, 12, 31)
    assert selectors._period_end(date(2026, 2, 7), 3) == date(2026, 3, 31)
    assert selectors._period_end(date(2026, 2, 7), 1) == date(2026, 2, 28)
    assert selectors._period_end(date(2026, 7, 1), 6) == date(2026, 12, 31)


def test_inbox_lists_a_joint_meeting_that_falls_due(cast):
    today = timezone.localdate()
    alliance = alliance_create(
        name="滚绣坊社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=cast.tree.community_a1,
        actor=cast.secretary,
        founded_on=date(today.year, 1, 1),
        meeting_interval=1,
    )
    meetings = section(community_inbox(cast.secretary), "meetings")
    joint = [i for i in meetings.items if i.kind == "joint_meeting"]
    assert [i.title for i in joint] == [alliance.name]
    assert joint[0].url == f"/meetings/new/?alliance={alliance.pk}"
    assert joint[0].due is not None and timezone.localdate(joint[0].due) == selectors._period_end(today, 1)
    assert not [
        i for i in section(community_inbox(cast.neighbour), "meetings").items if i.kind == "joint_meeting"
    ]


def test_member_start_lists_the_activities_signed_up_for(cast):
    coming = future_activity(cast.secretary, cast.tree.community_a1, title="关爱独居老人")
    signup_create(activity=coming, user=cast.member, quiet=True)
    start = member_start(cast.member)
    assert start is not None and [s.activity.title for s in start.signups] == ["关爱独居老人"]
