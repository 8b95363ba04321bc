"""The time rules of member development (发展党员), as a pure function of a file's steps.

《中国共产党发展党员工作细则》(2014): application at 18 or older; a talk within one month;
activists assessed every six months and admitted as development targets after at least a
year; for a target a public notice of at least five working days, a political review, training
of at least three days or 24 class hours and the higher committee's pre-review; then the branch
meeting (within a month of the pre-review in Tongxin's default), more than half of the full
members entitled to vote in favour; approval within three months (six at most); a year of
probation counted from the branch meeting, extendable once by six to twelve months.

People decide; this module only checks dates and says what is due, broken or close to a limit.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tongxin.lib.workclock import Calendar, add_working_days, working_days_between
from tongxin.members.rules import add_months
from tongxin.partylife.models import StepKind

DEFAULT_VERSION = "细则-2014"
DEFAULT_SOURCE = "《中国共产党发展党员工作细则》(中共中央办公厅, 2014年6月)"

ORDER = [
    "application",
    "talk",
    "activist",
    "assessment",
    "target",
    "political_review",
    "training",
    "pre_review",
    "public_notice",
    "branch_meeting",
    "approval",
    "extension",
    "full_membership",
]
TARGET_STEPS = ("political_review", "training", "pre_review", "public_notice")


@dataclass(frozen=True)
class DevelopmentRules:
    version: str = DEFAULT_VERSION
    source: str = DEFAULT_SOURCE
    valid_from: date = date(2014, 6, 11)
    min_age: int = 18
    talk_within_months: int = 1
    activist_min_months: int = 12
    assessment_every_months: int = 6
    notice_min_working_days: int = 5
    training_min_days: int = 3
    training_min_hours: Decimal = Decimal(24)
    branch_meeting_within_months: int = 1
    approval_within_months: int = 3
    approval_max_months: int = 6
    probation_months: int = 12
    extension_min_months: int = 6
    extension_max_months: int = 12
    warn_days: int = 14

    @classmethod
    def from_params(
        cls, *, version: str, source: str, valid_from: date, params: dict[str, Any]
    ) -> "DevelopmentRules":
        known = {f.name for f in fields(cls)} - {"version", "source", "valid_from"}
        values: dict[str, Any] = {}
        for key in known:
            if key in params:
                values[key] = Decimal(str(params[key])) if key == "training_min_hours" else int(params[key])
        return replace(cls(version=version, source=source, valid_from=valid_from), **values)

    def params(self) -> dict[str, Any]:
        return {
            f.name: (str(getattr(self, f.name)) if f.name == "training_min_hours" else getattr(self, f.name))
            for f in fields(self)
            if f.name not in {"version", "source", "valid_from"}
        }


DEFAULT_RULES = DevelopmentRules()


@dataclass(frozen=True)
class Step:
    kind: str
    on: date
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Training:
    """Training counted for a development target: days attended and class hours."""

    days: int = 0
    hours: Decimal = Decimal(0)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    limit: date | None = None
    pending: bool = False  # about a step not taken yet (dropped once the file is closed)


@dataclass(frozen=True)
class NextStep:
    kind: str
    earliest: date | None
    latest: date | None
    missing: tuple[str, ...] = ()  # steps still needed before this one


@dataclass
class Evaluation:
    stage: str
    next_steps: list[NextStep] = field(default_factory=list)
    broken: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    probation_ends: date | None = None

    @property
    def next_deadline(self) -> date | None:
        limits = [s.latest for s in self.next_steps if s.latest is not None]
        return min(limits) if limits else None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _fmt(day: date | None) -> str:
    return day.isoformat() if day else ""


class _Checker:
    def __init__(self, steps: list[Step], rules: DevelopmentRules, today: date, cal: Calendar) -> None:
        self.steps = sorted(steps, key=lambda s: (s.on, ORDER.index(s.kind) if s.kind in ORDER else 99))
        self.rules = rules
        self.today = today
        self.cal = cal
        self.result = Evaluation(stage="application")

    def first(self, kind: str) -> Step | None:
        return next((s for s in self.steps if s.kind == kind), None)

    def all(self, kind: str) -> list[Step]:
        return [s for s in self.steps if s.kind == kind]

    def broken(self, code: str, message: str, limit: date | None = None, pending: bool = False) -> None:
        self.result.broken.append(Finding(code, message, limit, pending))

    def warn(self, code: str, message: str, limit: date | None = None, pending: bool = False) -> None:
        self.result.warnings.append(Finding(code, message, limit, pending))

    def deadline(self, kind: str, code: str, limit: date, label: str) -> None:
        """A step not taken yet with a limit: broken once the limit has passed, a warning close to it."""
        if self.today > limit:
            self.broken(
                code,
                _("%(step)s was due by %(limit)s and has not been recorded.")
                % {"step": label, "limit": _fmt(limit)},
                limit,
                pending=True,
            )
        elif (limit - self.today).days <= self.rules.warn_days:
            self.warn(
                code,
                _("%(step)s is due by %(limit)s (in %(days)s days).")
                % {"step": label, "limit": _fmt(limit), "days": (limit - self.today).days},
                limit,
                pending=True,
            )

    def not_before(self, step: Step | None, earlier: Step | None, code: str) -> None:
        if step and earlier and step.on < earlier.on:
            self.broken(
                code,
                _("%(step)s (%(on)s) is dated before %(earlier)s (%(earlier_on)s).")
                % {
                    "step": label_of(step.kind),
                    "on": _fmt(step.on),
                    "earlier": label_of(earlier.kind),
                    "earlier_on": _fmt(earlier.on),
                },
            )


def label_of(kind: str) -> str:

    return str(StepKind(kind).label) if kind in StepKind.values else kind


def evaluate(
    steps: list[Step],
    *,
    birth_date: date | None,
    rules: DevelopmentRules = DEFAULT_RULES,
    today: date,
    calendar: Calendar | None = None,
    training: Training = Training(),
) -> Evaluation:
    """Check a file's dates against `rules` and list the next steps with their earliest/latest dates."""
    c = _Checker(steps, rules, today, calendar or Calendar())
    r, res = rules, c.result
    done = {s.kind for s in c.steps}
    reached = [k for k in ORDER if k in done]
    res.stage = reached[-1] if reached else "application"
    if "stopped" in done:
        res.stage = "stopped"

    application = c.first("application")
    if application is None:
        res.next_steps.append(NextStep("application", None, None))
        return res
    # 1. age at application
    if birth_date is None:
        c.warn(
            "age_unknown", _("The applicant's date of birth is not recorded; the age rule cannot be checked.")
        )
    elif age_on(birth_date, application.on) < r.min_age:
        c.broken(
            "age",
            _("The application (%(on)s) was made before the applicant turned %(age)s.")
            % {"on": _fmt(application.on), "age": r.min_age},
        )

    # 2. talk within a month
    talk = c.first("talk")
    talk_limit = add_months(application.on, r.talk_within_months)
    c.not_before(talk, application, "order_talk")
    if talk is None:
        res.next_steps.append(NextStep("talk", application.on, talk_limit))
        c.deadline("talk", "talk_within", talk_limit, label_of("talk"))
    elif talk.on > talk_limit:
        c.broken(
            "talk_within",
            _("The talk (%(on)s) was more than %(months)s month(s) after the application (limit %(limit)s).")
            % {"on": _fmt(talk.on), "months": r.talk_within_months, "limit": _fmt(talk_limit)},
            talk_limit,
        )

    # 3. activist, mentors, assessments every six months
    activist = c.first("activist")
    c.not_before(activist, talk or application, "order_activist")
    if activist is None:
        if talk is not None:
            res.next_steps.append(NextStep("activist", talk.on, None))
        return _finish(c)
    mentors = activist.detail.get("mentors")
    if mentors is not None and not 1 <= len(mentors) <= 2:
        c.broken("mentors", _("An activist has one or two mentors (培养联系人)."))
    target = c.first("target")
    previous = activist.on
    for assessment in c.all("assessment"):
        if target and assessment.on > target.on:
            break
        limit = add_months(previous, r.assessment_every_months)
        if assessment.on > limit:
            c.broken(
                "assessment_gap",
                _("More than %(months)s months passed between assessments (%(from)s to %(to)s).")
                % {"months": r.assessment_every_months, "from": _fmt(previous), "to": _fmt(assessment.on)},
                limit,
            )
        previous = max(previous, assessment.on)
    next_assessment = add_months(previous, r.assessment_every_months)
    target_earliest = add_months(activist.on, r.activist_min_months)

    # 4. development target after at least a year
    if target is None:
        res.next_steps.append(NextStep("assessment", previous, next_assessment))
        res.next_steps.append(NextStep("target", target_earliest, None))
        c.deadline("assessment", "assessment_due", next_assessment, label_of("assessment"))
        return _finish(c)
    if target.on < target_earliest:
        c.broken(
            "target_too_early",
            _(
                "The activist became a development target on %(on)s, before a full %(months)s months (not "
                "before %(earliest)s)."
            )
            % {"on": _fmt(target.on), "months": r.activist_min_months, "earliest": _fmt(target_earliest)},
        )
    if target.on > next_assessment:
        c.broken(
            "assessment_gap",
            _(
                "More than %(months)s months passed between the last assessment (%(from)s) and the "
                "decision (%(to)s)."
            )
            % {"months": r.assessment_every_months, "from": _fmt(previous), "to": _fmt(target.on)},
            next_assessment,
        )

    # 5. the four things a development target needs before the branch meeting
    for kind in TARGET_STEPS:
        c.not_before(c.first(kind), target, f"order_{kind}")
    notice = c.first("public_notice")
    notice_end: date | None = None
    if notice is not None:
        end_text = notice.detail.get("until")
        notice_end = date.fromisoformat(end_text) if end_text else None
        if notice_end is None:
            c.warn("notice_end_unknown", _("Enter the last day of the public notice."))
        else:
            days = working_days_between(notice.on, notice_end, c.cal)
            if days < r.notice_min_working_days:
                c.broken(
                    "notice_days",
                    _("The public notice lasted %(days)s working day(s); at least %(min)s are needed.")
                    % {"days": days, "min": r.notice_min_working_days},
                )
    training_ok = training.days >= r.training_min_days or training.hours >= r.training_min_hours
    pre_review = c.first("pre_review")
    meeting = c.first("branch_meeting")
    missing = tuple(
        kind
        for kind, ok in (
            ("political_review", c.first("political_review") is not None),
            ("training", training_ok),
            ("pre_review", pre_review is not None),
            ("public_notice", notice is not None),
        )
        if not ok
    )
    meeting_limit = add_months(pre_review.on, r.branch_meeting_within_months) if pre_review else None
    if meeting is None:
        for kind in missing:
            res.next_steps.append(NextStep(kind, target.on, None))
        earliest_candidates = [target.on] + [s.on for s in (pre_review,) if s]
        if notice is not None:
            earliest_candidates.append(
                (notice_end or add_working_days(notice.on, r.notice_min_working_days, c.cal))
                + timedelta(days=1)
            )
        res.next_steps.append(NextStep("branch_meeting", max(earliest_candidates), meeting_limit, missing))
        if meeting_limit is not None:
            c.deadline("branch_meeting", "branch_meeting_within", meeting_limit, label_of("branch_meeting"))
        return _finish(c)

    # 6. the branch meeting: everything before it, on time, more than half in favour
    for kind in missing:
        c.broken(
            f"missing_{kind}",
            _("The branch meeting was held without: %(step)s.") % {"step": label_of(kind)},
        )
    if notice_end is not None and meeting.on <= notice_end:
        c.broken(
            "meeting_during_notice",
            _("The branch meeting (%(on)s) was held before the public notice ended (%(end)s).")
            % {"on": _fmt(meeting.on), "end": _fmt(notice_end)},
        )
    for kind in ("political_review", "training", "pre_review", "public_notice"):
        step = c.first(kind)
        if step is not None and step.on > meeting.on:
            c.broken(
                f"after_meeting_{kind}",
                _("%(step)s (%(on)s) is dated after the branch meeting.")
                % {"step": label_of(kind), "on": _fmt(step.on)},
            )
    if meeting_limit is not None and meeting.on > meeting_limit:
        c.broken(
            "branch_meeting_within",
            _(
                "The branch meeting (%(on)s) was more than %(months)s month(s) after the pre-review (limit "
                "%(limit)s)."
            )
            % {
                "on": _fmt(meeting.on),
                "months": r.branch_meeting_within_months,
                "limit": _fmt(meeting_limit),
            },
            meeting_limit,
        )
    votes_for, entitled = meeting.detail.get("votes_for"), meeting.detail.get("entitled")
    if votes_for is None or entitled is None:
        c.warn(
            "votes_unknown", _("Enter the votes in favour and the number of full members entitled to vote.")
        )
    elif int(votes_for) * 2 <= int(entitled):
        c.broken(
            "votes",
            _("%(for)s of %(entitled)s full members voted in favour: more than half are needed.")
            % {"for": votes_for, "entitled": entitled},
        )

    # 7. approval within three months, six at most
    approval = c.first("approval")
    normal_limit = add_months(meeting.on, r.approval_within_months)
    max_limit = add_months(meeting.on, r.approval_max_months)
    c.not_before(approval, meeting, "order_approval")
    if approval is None:
        res.next_steps.append(
            NextStep("approval", meeting.on, normal_limit if today <= normal_limit else max_limit)
        )
        if today <= normal_limit:
            c.deadline("approval", "approval_within", normal_limit, label_of("approval"))
        else:
            c.warn(
                "approval_extended",
                _(
                    "Approval is past %(months)s months: only allowed in special circumstances, by "
                    "%(limit)s at the latest."
                )
                % {"months": r.approval_within_months, "limit": _fmt(max_limit)},
                max_limit,
                pending=True,
            )
            c.deadline("approval", "approval_max", max_limit, label_of("approval"))
    elif approval.on > max_limit:
        c.broken(
            "approval_max",
            _("The approval (%(on)s) came more than %(months)s months after the branch meeting.")
            % {"on": _fmt(approval.on), "months": r.approval_max_months},
            max_limit,
        )
    elif approval.on > normal_limit and not approval.detail.get("special"):
        c.broken(
            "approval_within",
            _(
                "The approval (%(on)s) came more than %(months)s months after the branch meeting without "
                "special circumstances recorded."
            )
            % {"on": _fmt(approval.on), "months": r.approval_within_months},
            normal_limit,
        )

    # 8. probation from the branch meeting, extended once by 6 to 12 months
    probation_ends = add_months(meeting.on, r.probation_months)
    extensions = c.all("extension")
    if len(extensions) > 1:
        c.broken("extension_once", _("Probation can be extended only once."))
    for extension in extensions[:1]:
        months = int(extension.detail.get("months") or 0)
        if not r.extension_min_months <= months <= r.extension_max_months:
            c.broken(
                "extension_months",
                _("Probation is extended by %(min)s to %(max)s months, not %(months)s.")
                % {"min": r.extension_min_months, "max": r.extension_max_months, "months": months},
            )
        if extension.on > probation_ends:
            c.broken(
                "extension_late",
                _("The extension (%(on)s) was decided after the probation had ended (%(end)s).")
                % {"on": _fmt(extension.on), "end": _fmt(probation_ends)},
            )
        probation_ends = add_months(probation_ends, months)
    res.probation_ends = probation_ends
    full = c.first("full_membership")
    if approval is not None and full is None and "stopped" not in done:
        if not extensions:
            res.next_steps.append(NextStep("extension", None, probation_ends))
        res.next_steps.append(NextStep("full_membership", probation_ends, None))
        if today >= probation_ends:
            c.warn(
                "probation_over",
                _("Probation ended on %(end)s: the branch should discuss full membership now.")
                % {"end": _fmt(probation_ends)},
                probation_ends,
                pending=True,
            )
    if full is not None and full.on < probation_ends:
        c.broken(
            "full_too_early",
            _("Full membership (%(on)s) was decided before the probation ended (%(end)s).")
            % {"on": _fmt(full.on), "end": _fmt(probation_ends)},
        )
    return _finish(c)


def _finish(c: _Checker) -> Evaluation:
    if c.result.stage in {"stopped", "full_membership"}:
        c.result.next_steps = []
        c.result.broken = [f for f in c.result.broken if not f.pending]
        c.result.warnings = [f for f in c.result.warnings if not f.pending]
    return c.result
