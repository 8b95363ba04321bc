"""Every time rule of 《中国共产党发展党员工作细则》 with its edge dates (the pure rule engine)."""

from datetime import date
from decimal import Decimal

import pytest

from tongxin.lib.workclock import Calendar
from tongxin.partylife.development import DEFAULT_RULES, DevelopmentRules, Step, Training, evaluate

BIRTH = date(2000, 3, 15)
ENOUGH = Training(days=3, hours=Decimal(24))


def codes(findings):
    return {f.code for f in findings}


def run(steps, *, today, birth=BIRTH, training=ENOUGH, calendar=None, rules=DEFAULT_RULES):
    return evaluate(
        [Step(s[0], s[1], dict(s[2]) if len(s) > 2 else {}) for s in steps],
        birth_date=birth,
        rules=rules,
        today=today,
        training=training,
        calendar=calendar or Calendar(),
    )


# a file that keeps every rule, used as the base of the edge cases below
APPLICATION = ("application", date(2023, 3, 1))
TALK = ("talk", date(2023, 3, 20))
ACTIVIST = ("activist", date(2023, 4, 10), {"mentors": ["王芳", "李强"]})
ASSESS_1 = ("assessment", date(2023, 10, 9))
ASSESS_2 = ("assessment", date(2024, 4, 8))
TARGET = ("target", date(2024, 4, 10))
REVIEW = ("political_review", date(2024, 5, 6))
PRE_REVIEW = ("pre_review", date(2024, 5, 20))
NOTICE = ("public_notice", date(2024, 5, 27), {"until": "2024-05-31"})  # Monday to Friday
MEETING = ("branch_meeting", date(2024, 6, 11), {"votes_for": 6, "entitled": 9})
APPROVAL = ("approval", date(2024, 7, 15))
CLEAN = [
    APPLICATION,
    TALK,
    ACTIVIST,
    ASSESS_1,
    ASSESS_2,
    TARGET,
    REVIEW,
    PRE_REVIEW,
    NOTICE,
    MEETING,
    APPROVAL,
]


def test_a_clean_file_breaks_nothing_and_waits_for_full_membership():
    result = run(CLEAN, today=date(2024, 8, 1))
    assert result.broken == []
    assert result.stage == "approval"
    assert result.probation_ends == date(2025, 6, 11)  # a year from the branch meeting
    kinds = {s.kind: s for s in result.next_steps}
    assert kinds["full_membership"].earliest == date(2025, 6, 11)
    assert kinds["extension"].latest == date(2025, 6, 11)


# 1. age at application ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applied", "broken"),
    [(date(2018, 3, 14), True), (date(2018, 3, 15), False), (date(2018, 3, 16), False)],
)
def test_application_at_eighteen_or_older(applied, broken):
    result = run([("application", applied)], today=applied)
    assert ("age" in codes(result.broken)) is broken


def test_unknown_birth_date_warns():
    result = run([APPLICATION], today=date(2023, 3, 2), birth=None)
    assert "age_unknown" in codes(result.warnings)


# 2. talk within one month ---------------------------------------------------------------------


@pytest.mark.parametrize(("talk", "broken"), [(date(2023, 4, 1), False), (date(2023, 4, 2), True)])
def test_talk_within_a_month(talk, broken):
    result = run([APPLICATION, ("talk", talk)], today=talk)
    assert ("talk_within" in codes(result.broken)) is broken


def test_talk_due_warns_then_breaks_when_missed():
    # application 1 March: the talk is due by 1 April
    assert "talk_within" in codes(run([APPLICATION], today=date(2023, 3, 20)).warnings)
    assert run([APPLICATION], today=date(2023, 3, 1)).warnings == []  # 31 days away: no warning yet
    missed = run([APPLICATION], today=date(2023, 4, 2))
    assert "talk_within" in codes(missed.broken)
    assert missed.next_deadline == date(2023, 4, 1)


def test_month_end_is_clamped():
    # 31 January + one month = 28 February (2023)
    ok = run([("application", date(2023, 1, 31)), ("talk", date(2023, 2, 28))], today=date(2023, 3, 1))
    assert "talk_within" not in codes(ok.broken)
    late = run([("application", date(2023, 1, 31)), ("talk", date(2023, 3, 1))], today=date(2023, 3, 1))
    assert "talk_within" in codes(late.broken)


def test_talk_before_application_is_out_of_order():
    result = run([APPLICATION, ("talk", date(2023, 2, 27))], today=date(2023, 3, 2))
    assert "order_talk" in codes(result.broken)


# 3. activists: mentors, assessments every six months ------------------------------------------


def test_one_or_two_mentors():
    three = ("activist", date(2023, 4, 10), {"mentors": ["甲", "乙", "丙"]})
    assert "mentors" in codes(run([APPLICATION, TALK, three], today=date(2023, 5, 1)).broken)
    assert "mentors" not in codes(run([APPLICATION, TALK, ACTIVIST], today=date(2023, 5, 1)).broken)


@pytest.mark.parametrize(("assessed", "broken"), [(date(2023, 10, 10), False), (date(2023, 10, 11), True)])
def test_assessment_every_six_months(assessed, broken):
    result = run([APPLICATION, TALK, ACTIVIST, ("assessment", assessed)], today=assessed)
    assert ("assessment_gap" in codes(result.broken)) is broken


def test_next_assessment_is_due_six_months_after_the_last():
    result = run([APPLICATION, TALK, ACTIVIST, ASSESS_1], today=date(2024, 3, 30))
    due = {s.kind: s for s in result.next_steps}
    assert due["assessment"].latest == date(2024, 4, 9)
    assert "assessment_due" in codes(result.warnings)
    assert "assessment_due" in codes(
        run([APPLICATION, TALK, ACTIVIST, ASSESS_1], today=date(2024, 4, 10)).broken
    )


# 4. development target after at least one year ------------------------------------------------


@pytest.mark.parametrize(("target", "broken"), [(date(2024, 4, 9), True), (date(2024, 4, 10), False)])
def test_target_after_a_full_year(target, broken):
    steps = [APPLICATION, TALK, ACTIVIST, ASSESS_1, ("assessment", date(2024, 4, 1)), ("target", target)]
    result = run(steps, today=target)
    assert ("target_too_early" in codes(result.broken)) is broken


def test_target_earliest_date_is_offered():
    result = run([APPLICATION, TALK, ACTIVIST], today=date(2023, 5, 1))
    assert {s.kind: s.earliest for s in result.next_steps}["target"] == date(2024, 4, 10)


# 5. public notice of five working days --------------------------------------------------------


def test_notice_of_five_working_days():
    base = CLEAN[:8]
    four = ("public_notice", date(2024, 5, 27), {"until": "2024-05-30"})
    assert "notice_days" in codes(run([*base, four], today=date(2024, 6, 1)).broken)
    assert "notice_days" not in codes(run([*base, NOTICE], today=date(2024, 6, 1)).broken)


def test_notice_counts_working_days_with_holidays():
    base = CLEAN[:8]
    # Wednesday 29 May made a holiday: Monday to Friday is four working days, Monday to Monday five
    holiday = Calendar(holidays=frozenset({date(2024, 5, 29)}))
    assert "notice_days" in codes(run([*base, NOTICE], today=date(2024, 6, 5), calendar=holiday).broken)
    longer = ("public_notice", date(2024, 5, 27), {"until": "2024-06-03"})
    assert "notice_days" not in codes(run([*base, longer], today=date(2024, 6, 5), calendar=holiday).broken)


def test_meeting_waits_for_the_notice_to_end():
    result = run(CLEAN[:9], today=date(2024, 6, 1))
    meeting = {s.kind: s for s in result.next_steps}["branch_meeting"]
    assert meeting.earliest == date(2024, 6, 1)
    assert meeting.latest == date(2024, 6, 20)  # a month after the pre-review
    early = ("branch_meeting", date(2024, 5, 31), {"votes_for": 6, "entitled": 9})
    assert "meeting_during_notice" in codes(run([*CLEAN[:9], early], today=date(2024, 6, 1)).broken)


# 6. training of three days or 24 class hours --------------------------------------------------


@pytest.mark.parametrize(
    ("training", "broken"),
    [
        (Training(days=2, hours=Decimal(16)), True),
        (Training(days=3, hours=Decimal(12)), False),
        (Training(days=2, hours=Decimal(24)), False),
        (Training(days=2, hours=Decimal("23.5")), True),
    ],
)
def test_training_three_days_or_24_hours(training, broken):
    result = run(CLEAN[:10], today=date(2024, 6, 12), training=training)
    assert ("missing_training" in codes(result.broken)) is broken


def test_missing_steps_before_the_branch_meeting():
    steps = [APPLICATION, TALK, ACTIVIST, ASSESS_1, ASSESS_2, TARGET, MEETING]
    found = codes(run(steps, today=date(2024, 6, 12)).broken)
    assert {"missing_political_review", "missing_pre_review", "missing_public_notice"} <= found
    waiting = run([APPLICATION, TALK, ACTIVIST, ASSESS_1, ASSESS_2, TARGET], today=date(2024, 4, 20))
    meeting = {s.kind: s for s in waiting.next_steps}["branch_meeting"]
    assert set(meeting.missing) == {"political_review", "pre_review", "public_notice"}


# 7. the branch meeting within a month of the pre-review, more than half in favour -------------


@pytest.mark.parametrize(("held", "broken"), [(date(2024, 6, 20), False), (date(2024, 6, 21), True)])
def test_branch_meeting_within_a_month_of_pre_review(held, broken):
    meeting = ("branch_meeting", held, {"votes_for": 6, "entitled": 9})
    result = run([*CLEAN[:9], meeting], today=held)
    assert ("branch_meeting_within" in codes(result.broken)) is broken


@pytest.mark.parametrize(("votes", "broken"), [(4, True), (5, False)])
def test_more_than_half_of_those_entitled(votes, broken):
    meeting = ("branch_meeting", date(2024, 6, 11), {"votes_for": votes, "entitled": 8})
    result = run([*CLEAN[:9], meeting], today=date(2024, 6, 12))
    assert ("votes" in codes(result.broken)) is broken


# 8. approval within three months, six at most ------------------------------------------------


@pytest.mark.parametrize(
    ("approved", "detail", "code"),
    [
        (date(2024, 9, 11), {}, None),
        (date(2024, 9, 12), {}, "approval_within"),
        (date(2024, 9, 12), {"special": "上级党委换届"}, None),
        (date(2024, 12, 11), {"special": "上级党委换届"}, None),
        (date(2024, 12, 12), {"special": "上级党委换届"}, "approval_max"),
    ],
)
def test_approval_limits(approved, detail, code):
    result = run([*CLEAN[:10], ("approval", approved, detail)], today=approved)
    found = codes(result.broken) & {"approval_within", "approval_max"}
    assert found == ({code} if code else set())


def test_pending_approval_warns_past_three_months_and_breaks_past_six():
    assert "approval_within" in codes(run(CLEAN[:10], today=date(2024, 9, 1)).warnings)
    assert "approval_extended" in codes(run(CLEAN[:10], today=date(2024, 10, 1)).warnings)
    assert "approval_max" in codes(run(CLEAN[:10], today=date(2024, 12, 12)).broken)


# 9. probation: a year, extended once by 6 to 12 months ---------------------------------------


@pytest.mark.parametrize(("months", "broken"), [(5, True), (6, False), (12, False), (13, True)])
def test_extension_of_six_to_twelve_months(months, broken):
    result = run([*CLEAN, ("extension", date(2025, 6, 1), {"months": months})], today=date(2025, 6, 2))
    assert ("extension_months" in codes(result.broken)) is broken


def test_extension_moves_the_end_of_probation_and_is_allowed_once():
    result = run([*CLEAN, ("extension", date(2025, 6, 1), {"months": 6})], today=date(2025, 6, 2))
    assert result.probation_ends == date(2025, 12, 11)
    twice = run(
        [
            *CLEAN,
            ("extension", date(2025, 6, 1), {"months": 6}),
            ("extension", date(2025, 12, 1), {"months": 6}),
        ],
        today=date(2025, 12, 2),
    )
    assert "extension_once" in codes(twice.broken)
    late = run([*CLEAN, ("extension", date(2025, 6, 12), {"months": 6})], today=date(2025, 6, 12))
    assert "extension_late" in codes(late.broken)


@pytest.mark.parametrize(("full", "broken"), [(date(2025, 6, 10), True), (date(2025, 6, 11), False)])
def test_full_membership_not_before_probation_ends(full, broken):
    result = run([*CLEAN, ("full_membership", full)], today=full)
    assert ("full_too_early" in codes(result.broken)) is broken
    assert result.stage == "full_membership" and result.next_steps == []


def test_probation_over_warns_the_branch():
    assert "probation_over" in codes(run(CLEAN, today=date(2025, 6, 11)).warnings)


# versions and closed files ------------------------------------------------------------------


def test_rules_by_version():
    strict = DevelopmentRules.from_params(
        version="test-2", source="a local rule", valid_from=date(2024, 1, 1), params={"talk_within_months": 2}
    )
    late_talk = [APPLICATION, ("talk", date(2023, 4, 20))]
    assert "talk_within" in codes(run(late_talk, today=date(2023, 5, 1)).broken)
    assert "talk_within" not in codes(run(late_talk, today=date(2023, 5, 1), rules=strict).broken)
    assert strict.params()["talk_within_months"] == 2 and strict.params()["min_age"] == 18


def test_stopped_file_drops_pending_limits_but_keeps_what_happened():
    late_talk = ("talk", date(2023, 4, 20))
    result = run([APPLICATION, late_talk, ("stopped", date(2023, 5, 1))], today=date(2024, 1, 1))
    assert result.stage == "stopped"
    assert result.next_steps == [] and result.warnings == []
    assert codes(result.broken) == {"talk_within"}


def test_working_day_helpers():
    from tongxin.lib.workclock import add_working_days, working_days_between

    cal = Calendar(holidays=frozenset({date(2024, 10, 1)}), extra_workdays=frozenset({date(2024, 10, 12)}))
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 4), cal) == 4  # 1 October is a holiday
    assert working_days_between(date(2024, 10, 12), date(2024, 10, 12), cal) == 1  # a make-up Saturday
    assert working_days_between(date(2024, 10, 5), date(2024, 10, 4), cal) == 0
    assert add_working_days(date(2024, 9, 30), 5, cal) == date(2024, 10, 7)
    assert add_working_days(date(2024, 9, 30), 0, cal) == date(2024, 9, 30)
