"""The annual duty check, with its edges: late joiners, past and running years, rules as data."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tongxin.cobuilding.duty import DONE, MISSED, NOT_DUE, NOT_YET, duty_check
from tongxin.core.actors import SYSTEM
from tongxin.lists.models import ProjectKind
from tongxin.lists.services import milestone_accept, need_claim, project_cancel, project_close, project_create
from tongxin.meetings.services import meeting_record, meeting_schedule
from tongxin.organisations.models import OrgKind
from tongxin.organisations.services import organisation_create
from tongxin.partners.models import AllianceKind, CoBuildingRules, UnitKind
from tongxin.partners.services import alliance_create, pairing_create, unit_create, unit_update
from tongxin.partners.testing import build_cobuilding, publish_need
from tongxin.people.models import PositionKind
from tongxin.people.services import position_create
from tongxin.testing import make_person

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree, joined_on=date(2024, 3, 1))


def deliver(cast, unit, day: date, *, kind=ProjectKind.PRACTICAL, secretary=None, close=True):
    need = publish_need(cast.tree.community_a1, cast.secretary, now=at(day, 8))
    need_claim(need=need, unit=unit, actor=SYSTEM, now=at(day, 9))
    project = project_create(
        actor=SYSTEM,
        need=need,
        title="实事",
        kind=kind,
        lead_name="甲",
        secretary=secretary,
        milestones=[("完成", 1, None)],
        now=at(day, 9),
    )
    if close:
        milestone_accept(milestone=project.milestones.get(), actor=SYSTEM, now=at(day, 11))
        project_close(project=project, actor=SYSTEM, result="完成", beneficiaries_count=10, now=at(day, 12))
    return project


def rows(report, attr="units"):
    return {
        getattr(r, "unit", None) or getattr(r, "person", None) or r.alliance: r.status
        for r in getattr(report, attr)
    }


def test_units_done_not_yet_and_missed(cast):
    deliver(cast, cast.unit_a, date(2025, 5, 10))
    running = duty_check(cast.street, year=2025, today=date(2025, 9, 1))
    assert rows(running)[cast.unit_a] == DONE
    # unit_b is not the street's: the street official does not judge it
    assert cast.unit_b not in rows(running)
    assert rows(duty_check(cast.stranger, year=2025, today=date(2025, 9, 1)))[cast.unit_b] == NOT_YET
    assert rows(duty_check(cast.stranger, year=2025, today=date(2026, 2, 1)))[cast.unit_b] == MISSED
    # last year's 实事 does not count this year; a 书记项目 or an unfinished one is not a 实事
    deliver(cast, cast.unit_b, date(2025, 12, 30))
    deliver(cast, cast.unit_b, date(2026, 2, 1), close=False)
    report = duty_check(cast.stranger, year=2026, today=date(2026, 3, 1))
    assert rows(report)[cast.unit_b] == NOT_YET
    assert [r.unit for r in report.units_behind] == [cast.unit_b]


def test_unit_that_joined_mid_year_is_not_due_until_next_year(cast, tree):
    late = unit_create(
        name="红心物业",
        kind=UnitKind.PROPERTY_FIRM,
        region=tree.community_a1,
        actor=cast.secretary,
        joined_on=date(2025, 7, 2),
    )
    on_time = unit_create(
        name="姑苏区民政局",
        kind=UnitKind.COUNTY_DEPARTMENT,
        region=tree.street_a,
        actor=cast.street,
        joined_on=date(2025, 7, 1),
    )
    report = duty_check(cast.street, year=2025, today=date(2026, 1, 10))
    assert rows(report)[late] == NOT_DUE  # joined after 1 July: due from 2026
    assert rows(report)[on_time] == MISSED  # joined on the cut-off day: due
    assert late not in [r.unit for r in report.units_behind]
    deliver(cast, late, date(2025, 10, 1))
    assert rows(duty_check(cast.street, year=2025, today=date(2026, 1, 10)))[late] == DONE  # counts anyway
    assert rows(duty_check(cast.street, year=2026, today=date(2026, 3, 1)))[on_time] == NOT_YET
    # a unit that joins after the year is not listed for it at all
    unit_update(unit=on_time, actor=cast.street, joined_on=date(2027, 1, 5))
    assert on_time not in rows(duty_check(cast.street, year=2026, today=date(2026, 3, 1)))


def test_the_rules_are_data(cast):
    deliver(cast, cast.unit_a, date(2025, 5, 10))
    assert rows(duty_check(cast.street, year=2025, today=date(2026, 1, 2)))[cast.unit_a] == DONE
    CoBuildingRules.objects.create(version="local-2026", practical_per_unit=2, due_if_joined_by_month=3)
    report = duty_check(cast.street, year=2025, today=date(2026, 1, 2))
    assert report.rules_version == "local-2026"
    assert rows(report)[cast.unit_a] == MISSED


def test_secretaries_claim_a_secretary_project(cast, tree):
    org = organisation_create(
        name="姑苏区水务局机关党支部",
        kind=OrgKind.BRANCH,
        code="ORG-0101",
        region=tree.street_a,
        parent=tree.orgs["street"],
    )
    unit_update(unit=cast.unit_a, actor=cast.street, party_organisation=org)
    early = make_person(tree.community_a1, name="李书记")
    position_create(
        person=early,
        kind=PositionKind.SECRETARY,
        region=tree.street_a,
        organisation=org,
        starts_on=date(2020, 1, 1),
        ends_on=date(2025, 8, 31),
    )
    late = make_person(tree.community_a1, name="周书记")
    position_create(
        person=late,
        kind=PositionKind.SECRETARY,
        region=tree.street_a,
        organisation=org,
        starts_on=date(2025, 9, 1),
    )
    # in the middle of the year the sitting secretary is judged; at its end, the one in office then
    assert rows(duty_check(cast.street, year=2025, today=date(2025, 6, 1)), "secretaries") == {early: NOT_YET}
    assert rows(duty_check(cast.street, year=2025, today=date(2026, 1, 5)), "secretaries") == {late: NOT_DUE}
    project = deliver(
        cast, cast.unit_a, date(2026, 3, 1), kind=ProjectKind.SECRETARY, secretary=late, close=False
    )
    report = duty_check(cast.street, year=2026, today=date(2026, 4, 1))
    assert rows(report, "secretaries") == {late: DONE}
    assert rows(report)[cast.unit_a] == NOT_YET  # a 书记项目 is not the unit's 实事
    project_cancel(project=project, actor=cast.secretary, reason="撤销")
    assert rows(duty_check(cast.street, year=2026, today=date(2026, 4, 1)), "secretaries") == {late: NOT_YET}


def test_alliance_meetings_judged_by_period(cast, tree):
    alliance = alliance_create(
        name="滚绣坊社区大党委",
        kind=AllianceKind.BIG_COMMITTEE,
        region=tree.community_a1,
        actor=cast.secretary,
        founded_on=date(2025, 5, 15),
    )

    def hold(day: date) -> None:
        meeting = meeting_schedule(
            actor=cast.secretary, alliance=alliance, title="联席会议", scheduled_at=at(day)
        )
        meeting_record(meeting=meeting, actor=cast.secretary, minutes="纪要", held_at=at(day))

    # founded mid-Q2: Q3 and Q4 are owed in 2025, nothing before
    report = duty_check(cast.secretary, year=2025, today=date(2025, 9, 15))
    assert [(a.expected, a.met, a.status) for a in report.alliances] == [(0, 0, DONE)]
    hold(date(2025, 8, 20))
    hold(date(2025, 9, 10))  # a second meeting in Q3 does not make up for Q4
    report = duty_check(cast.secretary, year=2025, today=date(2026, 1, 3))
    row = report.alliances[0]
    assert (row.expected, row.met, row.held, row.status) == (2, 1, 2, MISSED)
    assert row.missing == 1
    hold(date(2025, 11, 5))
    assert duty_check(cast.secretary, year=2025, today=date(2026, 1, 3)).alliances[0].status == DONE


def test_area_summaries_per_street_and_community(cast, tree):
    pairing_create(unit=cast.unit_a, region=tree.street_a, actor=cast.street, started_on=date(2024, 1, 1))
    deliver(cast, cast.unit_a, date(2025, 4, 1))
    late = unit_create(
        name="锦帆物业",
        kind=UnitKind.PROPERTY_FIRM,
        region=tree.street_a,
        actor=cast.street,
        joined_on=date(2024, 1, 1),
    )
    pairing_create(unit=late, region=tree.community_a2, actor=cast.neighbour, started_on=date(2024, 1, 1))
    report = duty_check(cast.street, year=2025, today=date(2026, 1, 2))
    summary = {s.region: (s.units, s.units_behind) for s in report.areas}
    assert summary[tree.street_a] == (2, 1)
    assert summary[tree.community_a1] == (1, 0)
    assert summary[tree.community_a2] == (1, 1)
    only_a2 = duty_check(cast.street, year=2025, area=tree.community_a2, today=date(2026, 1, 2))
    assert [r.unit for r in only_a2.units] == [late]
    # the neighbour community's secretary sees only their community's row
    assert {s.region for s in duty_check(cast.neighbour, year=2025, today=date(2026, 1, 2)).areas} == {
        tree.community_a2
    }
