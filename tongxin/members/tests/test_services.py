"""双报到, the service record from verified outcomes only, points by version, the annual check."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.members import selectors, services
from tongxin.members.models import ReportChannel, ServiceEntry, ServiceSource
from tongxin.members.rules import add_months, parse_period
from tongxin.members.testing import attend, make_employer, make_post, make_report, past_activity
from tongxin.notifications.models import Notification
from tongxin.people.models import PositionKind
from tongxin.people.services import position_create, position_end
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def member_account(tree, region=None, **kw):
    person = make_member(region or tree.building, tree.orgs["grid_branch"], **kw)
    user = make_user(Role.MEMBER, tree.community_a1)
    user.person = person
    user.save()
    return person, user


# ---- reporting --------------------------------------------------------------------------------


def test_report_joins_home_community_and_grid_branch(tree):
    post = make_post(tree.community_a1)
    person = make_member(tree.building, tree.orgs["grid_branch"])
    unit = make_employer(tree)
    report = make_report(person, post, unit=unit, on=date(2025, 3, 10))
    assert report.community == tree.community_a1
    assert report.grid_branch == tree.orgs["grid_branch"]  # the building lies in grid 1.1
    assert report.employer_organisation == unit.party_organisation
    assert report.next_due_on == date(2025, 9, 10)
    assert report.rules_version == "tongxin-2026.1"


def test_grid_branch_is_the_nearest_one(tree):
    post = make_post(tree.community_a1)
    elsewhere = make_member(tree.grids["1.2"], tree.orgs["grid_branch"])
    assert make_report(elsewhere, post).grid_branch is None  # grid 1.2 has no branch of its own


@pytest.mark.parametrize(
    ("reported", "due"),
    [
        (date(2025, 1, 15), date(2025, 7, 15)),
        (date(2025, 8, 31), date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2023, 8, 31), date(2024, 2, 29)),  # leap year
        (date(2025, 12, 31), date(2026, 6, 30)),
    ],
)
def test_rereport_due_six_months_later(tree, reported, due):
    post = make_post(tree.community_a1)
    report = make_report(make_member(tree.building, tree.orgs["grid_branch"]), post, on=reported)
    assert report.next_due_on == due
    assert add_months(reported, 6) == due


def test_renewal_moves_the_due_date_and_keeps_history(tree):
    post = make_post(tree.community_a1)
    report = make_report(make_member(tree.building, tree.orgs["grid_branch"]), post, on=date(2025, 1, 15))
    services.member_report_renew(report=report, channel=ReportChannel.ONLINE, on=date(2025, 7, 1))
    report.refresh_from_db()
    assert report.confirmed_on == date(2025, 7, 1) and report.next_due_on == date(2026, 1, 1)
    assert list(report.renewals.values_list("confirmed_on", flat=True)) == [date(2025, 7, 1)]
    with pytest.raises(ValidationError):
        services.member_report_renew(report=report, channel=ReportChannel.ONLINE, on=date(2025, 6, 30))


def test_rereport_interval_follows_the_rules_version_of_the_area(tree):
    services.member_rules_create(
        version="双塔-2025",
        source="街道党工委决定",
        valid_from=date(2025, 1, 1),
        region=tree.street_a,
        rereport_months=3,
    )
    post = make_post(tree.community_a1)
    report = make_report(make_member(tree.building, tree.orgs["grid_branch"]), post, on=date(2025, 2, 1))
    assert report.next_due_on == date(2025, 5, 1) and report.rules_version == "双塔-2025"
    # before the version's first day the default applies
    other = make_report(make_member(tree.building, tree.orgs["grid_branch"]), post, on=date(2024, 12, 1))
    assert other.next_due_on == date(2025, 6, 1)


def test_report_refusals(tree):
    post = make_post(tree.community_a1)
    other_post = make_post(tree.community_a2)
    member = make_member(tree.building, tree.orgs["grid_branch"])
    resident = make_person(tree.building)
    with pytest.raises(ValidationError) as exc:
        make_report(resident, post)
    assert "person" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_report(member, other_post)  # a post of a community where the member does not live
    assert "service_post" in exc.value.message_dict
    make_report(member, post)
    with pytest.raises(ValidationError):
        make_report(member, post)  # reported already
    full = make_post(tree.community_a1, places=1)
    make_report(make_member(tree.building, tree.orgs["grid_branch"]), full)
    with pytest.raises(ValidationError) as exc:
        make_report(make_member(tree.building, tree.orgs["grid_branch"]), full)
    assert "service_post" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_report(
            make_member(tree.building, tree.orgs["grid_branch"]),
            post,
            on=timezone.localdate() + timedelta(days=1),
        )


def test_end_then_report_again(tree):
    post = make_post(tree.community_a1)
    member = make_member(tree.building, tree.orgs["grid_branch"])
    report = make_report(member, post, on=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.member_report_end(report=report, on=date(2025, 2, 1), reason="")
    services.member_report_end(report=report, on=date(2025, 2, 1), reason="搬离社区")
    assert make_report(member, post).pk != report.pk


def test_rereport_reminder_once_per_due_date(tree):
    post = make_post(tree.community_a1)
    person, user = member_account(tree)
    today = timezone.localdate()
    report = make_report(person, post, on=add_months(today, -6) + timedelta(days=20))  # due in 20 days
    assert services.rereport_reminders_send(today=today) == 0  # more than 14 days ahead
    assert services.rereport_reminders_send(today=today + timedelta(days=7)) == 1
    assert services.rereport_reminders_send(today=today + timedelta(days=8)) == 0  # once per event
    note = Notification.objects.get(user=user)
    assert report.next_due_on.isoformat() in note.title
    services.member_report_renew(report=report, channel=ReportChannel.ONLINE, on=today)
    report.refresh_from_db()
    assert services.rereport_reminders_send(today=report.next_due_on) == 1  # a new due date, a new reminder


def test_unit_report_and_units_not_reported(tree):
    unit = make_employer(tree, region=tree.street_a)
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    assert list(selectors.units_not_reported(official)) == [unit]
    with pytest.raises(ValidationError):
        services.unit_report_create(unit=unit, community=tree.community_b1)  # another street
    report = services.unit_report_create(
        unit=unit, community=tree.community_a1, reported_on=date(2025, 1, 10)
    )
    assert report.next_due_on == date(2026, 1, 10)
    assert list(selectors.units_not_reported(official, on=date(2025, 6, 1))) == []
    assert list(selectors.units_not_reported(official, on=date(2026, 1, 11))) == [unit]  # lapsed


# ---- the service record -----------------------------------------------------------------------


def test_only_confirmed_attendance_counts(tree, django_capture_on_commit_callbacks):
    organiser = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    person, user = member_account(tree)
    activity = past_activity(organiser, tree.community_a1, hours=3)
    before = activity.starts_at - timedelta(hours=1)
    from tongxin.activities.services import attendance_confirm, signup_create

    signup = signup_create(activity=activity, user=user, now=before)
    services.service_record_refresh()
    assert not ServiceEntry.objects.exists()  # signed up is not served
    with django_capture_on_commit_callbacks(execute=True):
        attendance_confirm(activity=activity, actor=organiser, attended=[signup.pk])
    entry = ServiceEntry.objects.get(person=person)
    assert (entry.source, entry.hours, entry.on) == (
        ServiceSource.ACTIVITY,
        Decimal(3),
        timezone.localtime(activity.starts_at).date(),
    )
    # the organiser corrects it: absent after all
    with django_capture_on_commit_callbacks(execute=True):
        attendance_confirm(activity=activity, actor=organiser, attended=[])
    assert not ServiceEntry.objects.exists()


def test_sync_is_idempotent_and_watermarked(tree):
    organiser = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    _person, user = member_account(tree)
    attend(past_activity(organiser, tree.community_a1), organiser, user)
    assert services.service_record_refresh()["activity"] == (1, 0)
    assert ServiceEntry.objects.count() == 1
    assert services.service_entries_sync(source="activity", ids=None) == (0, 0)
    assert services.service_record_refresh().get("activity", (0, 0)) == (0, 0)  # re-read, nothing written
    later = timezone.now() + timedelta(hours=1)
    services.service_record_refresh(now=later)
    # past the watermark (less the overlap): not read again
    assert "activity" not in services.service_record_refresh(now=later + timedelta(hours=1))


def _closed_case(tree, member_user, *, solved=True):
    from tongxin.cases.services import case_transition
    from tongxin.cases.testing import report_case

    community = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    verifier = make_user(Role.GRID_WORKER, tree.grids["1.1"])
    case = report_case(tree)
    case_transition(case=case, action="accept", actor=community)
    case_transition(case=case, action="pool", actor=community)
    case_transition(case=case, action="take", actor=member_user)
    case_transition(case=case, action="resolve", actor=member_user, reason="已清运")
    case_transition(case=case, action="verify_pass", actor=verifier)
    return case_transition(case=case, action="follow_up", actor=community, solved=solved), community


def test_a_case_taken_and_solved_counts_and_a_reopened_one_does_not(tree):
    person, user = member_account(tree, region=tree.grids["1.1"])
    case, community = _closed_case(tree, user)
    services.service_record_refresh()
    entry = ServiceEntry.objects.get(person=person, source=ServiceSource.CASE)
    assert entry.hours == Decimal(2) and entry.source_id == str(case.pk)
    from tongxin.cases.services import case_transition

    case_transition(case=case, action="reopen", actor=community, reason="居民反映又堆了")
    services.service_record_refresh()
    assert not ServiceEntry.objects.filter(source=ServiceSource.CASE).exists()


def test_a_case_closed_but_not_fixed_never_counts(tree):
    _person, user = member_account(tree, region=tree.grids["1.1"])
    _closed_case(tree, user, solved=False)
    services.service_record_refresh()
    assert not ServiceEntry.objects.exists()


def test_project_milestone_accepted_counts_for_who_reported_it(tree):
    from tongxin.accounts.services import role_grant
    from tongxin.lists import services as lists
    from tongxin.partners.services import unit_liaisons_set

    unit = make_employer(tree, region=tree.street_a)
    person, liaison = member_account(tree)
    role_grant(user=liaison, role=Role.PARTNER_LIAISON, region=tree.street_a, granted_by=None)
    unit_liaisons_set(unit=unit, liaisons=[liaison], actor=SYSTEM)
    community = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    project = lists.project_create(
        actor=SYSTEM,
        title="加装电梯",
        kind="cobuilding",
        lead_name="王",
        region=tree.community_a1,
        owner_unit=unit,
    )
    milestone = lists.milestone_add(project=project, actor=SYSTEM, title="完成设计")
    lists.milestone_report(milestone=milestone, actor=liaison, progress=100)
    services.service_record_refresh()
    assert not ServiceEntry.objects.filter(source=ServiceSource.PROJECT).exists()  # reported is not accepted
    lists.milestone_accept(milestone=milestone, actor=community)
    services.service_record_refresh()
    entry = ServiceEntry.objects.get(source=ServiceSource.PROJECT)
    assert entry.person == person and entry.hours == Decimal(4)


# ---- points, stars and the minimum ------------------------------------------------------------


def _entries_for(tree, person, user, days):
    organiser = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    for days_ago in days:
        attend(past_activity(organiser, tree.community_a1, days_ago=days_ago, hours=2), organiser, user)
    services.service_record_refresh()
    return list(ServiceEntry.objects.filter(person=person))


def test_points_follow_the_version_in_force_on_each_date(tree):
    person, user = member_account(tree)
    entries = _entries_for(tree, person, user, [40, 10])
    old, new = sorted(entries, key=lambda e: e.on)
    book = selectors.RulesBook(tree.community_a1)
    default = selectors.totals_of(entries, book)
    assert default.points == 2 * (Decimal(2) + Decimal("0.5") * 2)  # 2 per activity + 0.5 per hour
    services.member_rules_create(
        version="滚绣坊-2",
        source="社区党委会议",
        valid_from=new.on,
        region=tree.community_a1,
        points_activity=Decimal(10),
        points_per_hour=Decimal(0),
    )
    book = selectors.RulesBook(tree.community_a1)
    assert book.at(old.on).version == "tongxin-2026.1" and book.at(new.on).version == "滚绣坊-2"
    assert selectors.totals_of(entries, book).points == Decimal(3) + Decimal(10)
    # another community keeps the default
    assert selectors.RulesBook(tree.community_a2).at(new.on).version == "tongxin-2026.1"


def test_stars_from_thresholds():
    from tongxin.members.rules import DEFAULT_RULES

    assert [DEFAULT_RULES.stars_for(Decimal(p)) for p in (0, 3.5, 4, 59, 60, 200)] == [0, 0, 1, 9, 10, 10]


def test_rule_versions_are_validated(tree):
    with pytest.raises(ValidationError) as exc:
        services.member_rules_create(
            version="x", source="", valid_from=date(2025, 1, 1), region=tree.street_a, star_thresholds=[5, 4]
        )
    assert {"source", "star_thresholds"} <= set(exc.value.message_dict)
    services.member_rules_create(version="x", source="s", valid_from=date(2025, 1, 1), region=tree.street_a)
    with pytest.raises(ValidationError):
        services.member_rules_create(
            version="x", source="s", valid_from=date(2025, 2, 1), region=tree.street_a
        )


def test_minimum_services_at_year_end(tree):
    post = make_post(tree.community_a1)
    year = timezone.localdate().year - 1
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    organiser = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    people = []
    for n in (0, 1, 2):
        person, user = member_account(tree)
        make_report(person, post, on=date(year, 1, 5))
        for k in range(n):
            activity = past_activity(organiser, tree.community_a1, days_ago=1)
            # move it into last year: the service counts on the day it took place
            from tongxin.activities.services import activity_update

            starts = timezone.make_aware(timezone.datetime(year, 12, 31 - k, 9, 0))
            activity = activity_update(
                activity=activity, actor=organiser, starts_at=starts, ends_at=starts + timedelta(hours=2)
            )
            attend(activity, organiser, user)
        people.append(person)
    services.service_record_refresh()
    check = selectors.annual_check(official, year=year)
    assert check.members == 3
    assert {c.report.person for c in check.below} == set(people[:2])  # 0 and 1 service: below 2
    services.member_rules_create(
        version="严格", source="s", valid_from=date(year, 1, 1), region=tree.street_a, min_services_per_year=3
    )
    assert len(selectors.annual_check(official, year=year).below) == 3
    assert selectors.annual_check(official, year=year).ranking is None  # rankings are off by default
    services.member_rules_create(
        version="排名", source="s", valid_from=date(year, 6, 1), region=tree.street_a, rankings_enabled=True
    )
    ranking = selectors.annual_check(official, year=year).ranking
    assert ranking is not None and ranking[0].report.person == people[2]
    # another street's official sees none of it
    assert selectors.annual_check(make_user(Role.STREET_OFFICIAL, tree.street_b), year=year).members == 0


# ---- who reads a card -------------------------------------------------------------------------


def test_employer_officials_read_their_members_cards_only(tree):
    post = make_post(tree.community_a1)
    unit, other_unit = make_employer(tree), make_employer(tree, name="县一中")
    ours = make_report(make_member(tree.building, tree.orgs["grid_branch"]), post, unit=unit)
    theirs = make_report(make_member(tree.building, tree.orgs["grid_branch"]), post, unit=other_unit)
    # a liaison of the unit
    from tongxin.partners.services import unit_liaisons_set

    liaison = make_user(Role.PARTNER_LIAISON, tree.county)
    unit_liaisons_set(unit=unit, liaisons=[liaison], actor=SYSTEM)
    assert set(selectors.card_reports(liaison)) == {ours}
    # the secretary of the unit's Party committee, while in office
    secretary_person = make_person(tree.county)
    secretary = make_user(None, None)
    secretary.person = secretary_person
    secretary.save()
    position = position_create(
        person=secretary_person,
        kind=PositionKind.SECRETARY,
        organisation=unit.party_organisation,
        starts_on=date(2020, 1, 1),
    )
    assert set(selectors.card_reports(secretary)) == {ours}
    position_end(position=position, actor=SYSTEM, ends_on=timezone.localdate() - timedelta(days=1))
    assert set(selectors.card_reports(secretary)) == set()
    # a report filed with a branch under the unit's committee is the branch's, not the committee's:
    # a parent committee never reads cards through its subtree (issue 12, item 6)
    from tongxin.members.testing import employer_branch

    branch = employer_branch(unit)
    via_branch = make_report(make_member(tree.building, tree.orgs["grid_branch"]), post, organisation=branch)
    assert set(selectors.card_reports(liaison)) == {ours}
    # the member, their own
    member_user = make_user(None, None)
    member_user.person = ours.person
    member_user.save()
    assert set(selectors.card_reports(member_user)) == {ours}
    # officials: their subtree
    assert set(selectors.card_reports(make_user(Role.COMMUNITY_STAFF, tree.community_a1))) == {
        ours,
        theirs,
        via_branch,
    }
    assert set(selectors.card_reports(make_user(Role.COMMUNITY_STAFF, tree.community_a2))) == set()


def test_cards_for_a_quarter_and_a_year(tree):
    person, user = member_account(tree)
    post = make_post(tree.community_a1)
    report = make_report(person, post, on=date(2020, 1, 1))
    entries = _entries_for(tree, person, user, [1])
    day = entries[0].on
    quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
    label, first, last = parse_period(quarter, today=day)
    card = selectors.cards_for([report], label=label, first=first, last=last)[0]
    assert card.totals.count == 1 and not card.annual and card.stars is None
    label, first, last = parse_period(str(day.year), today=day)
    card = selectors.cards_for([report], label=label, first=first, last=last)[0]
    # rankings are off by default: no stars and no points on the card
    assert card.annual and card.meets_minimum is False and card.stars is None and card.points is None
    with pytest.raises(ValueError):
        parse_period("2025Q5", today=day)
