"""The two writers of planned cases: through the services, and in bulk (see the package doc)."""

import hashlib
import heapq
import random
import string
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongxin.cases import clock, daily_counts, effects, flow_counts, services
from tongxin.cases.models import (
    Case,
    CaseSource,
    CaseStatus,
    CaseTransition,
    RejectReason,
    Supervision,
    Whistle,
    WhistleRouteStep,
)
from tongxin.cases.workflow import RULES
from tongxin.core.actors import Actor, is_user, user_or_none
from tongxin.demo.cases.planner import (
    TRACKING_ALPHABET,
    CasePlan,
    Log,
    Step,
    ensure_duty_accounts,
    places,
    plan_cases,
)
from tongxin.lib import crypto
from tongxin.notifications.outbox import outbox_mark_processed
from tongxin.regions.models import Level, Region


@dataclass
class CasesSummary:
    cases: int = 0
    transitions: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    sample_links: list[tuple[str, str]] = field(default_factory=list)  # (tracking code, token)

    def lines(self) -> list[str]:
        states = ", ".join(f"{k} {v:,}" for k, v in sorted(self.statuses.items()))
        return [f"cases {self.cases:,}, transitions {self.transitions:,} in {self.seconds:.1f} s", states]


# --- writer 1: through the services -----------------------------------------------------------------


def generate_cases(
    *,
    rng: random.Random,
    now: datetime | None = None,
    communities: Iterable[Region] | None = None,
    days: int = 365,
    per_grid_per_month: float = 2.0,
    duty_accounts: bool = False,
    mark_notified_before_days: int = 3,
) -> CasesSummary:
    """A year (`days`) of cases in every state in the communities (default: all), written through
    case_intake and case_transition with the clock at each step's moment.

    About `per_grid_per_month` cases a month in each grid. Cases need accounts to act on them: with
    `duty_accounts`, communities without one get them (see ensure_duty_accounts). Transitions older
    than `mark_notified_before_days` are marked notified, so the inbox starts with recent news only.
    """

    started = time.monotonic()
    now = now or timezone.now()
    communities = list(communities) if communities is not None else None
    if duty_accounts:
        ensure_duty_accounts(communities or Region.objects.filter(level=Level.COMMUNITY))
    summary = CasesSummary()
    with clock.calendar_held():
        where = places(communities, rng)
        grids = sum(len(p.grids) for p in where)
        total = round(grids * per_grid_per_month * days / 30.4)
        plans = list(plan_cases(rng=rng, where=where, now=now, days=days, total=total, references=True))
        apply_with_services(plans, summary)
    outbox_mark_processed(before=now - timedelta(days=mark_notified_before_days))
    summary.seconds = time.monotonic() - started
    return summary


def apply_with_services(plans: list[CasePlan], summary: CasesSummary | None = None) -> list[Case]:
    """Carry the plans out through the services, every case's steps interleaved in time order."""
    summary = summary if summary is not None else CasesSummary()
    cases: list[Case | None] = [None] * len(plans)
    queue: list[tuple[datetime, int, int, int]] = []  # (moment, order, plan, step); -1 = intake
    for i, plan in enumerate(plans):
        heapq.heappush(queue, (plan.reported_at, i, i, -1))
    order = len(plans)
    while queue:
        _at, _order, i, s = heapq.heappop(queue)
        plan = plans[i]
        if s == -1:
            with transaction.atomic():
                case, token = services.case_intake(
                    source=plan.source,
                    kind=plan.kind,
                    category=plan.category,
                    description=plan.description,
                    lng=plan.lng,
                    lat=plan.lat,
                    reporter_name=plan.reporter_name,
                    reporter_phone=plan.reporter_phone,
                    hotline_ticket=plan.hotline_ticket,
                    reported_by=plan.reported_by,
                    now=plan.reported_at,
                )
            cases[i] = case
            summary.cases += 1
            summary.transitions += 1
            if plan.source == CaseSource.RESIDENT and len(summary.sample_links) < 5:
                summary.sample_links.append((case.tracking_code, token))
        else:
            step = plan.steps[s]
            params = {
                key: (cases[value] if key in {"into", "original"} else value)
                for key, value in step.params.items()
            }
            case_id = cases[i].pk  # type: ignore[union-attr]
            try:
                services.case_transition(
                    case=case_id,
                    action=step.action,
                    actor=step.actor,
                    reason=step.reason,
                    now=step.at,
                    **params,
                )
            except ValidationError:
                if step.action != "merge":
                    raise
                # the original was settled meanwhile: refused as a duplicate of it instead
                services.case_transition(
                    case=case_id,
                    action="reject",
                    actor=step.actor,
                    reason="与已办结的诉求重复",
                    now=step.at,
                    why=RejectReason.DUPLICATE,
                    original=params["into"],
                )
            summary.transitions += 1
        if s + 1 < len(plan.steps):
            order += 1
            heapq.heappush(queue, (plan.steps[s + 1].at, order, i, s + 1))
    found = [c for c in cases if c is not None]
    summary.statuses.update(
        Case.objects.filter(pk__in=[c.pk for c in found]).values_list("status", flat=True)
    )
    return found


# --- writer 2: in bulk --------------------------------------------------------------------------------


class _BulkLedger(effects.Ledger):
    """The rows beside unsaved cases, kept in lists for bulk_create (effects.Ledger's reads and
    writes, with the whistle routes read once)."""

    def __init__(self, rows: "_Rows") -> None:
        self.rows = rows
        self.whistles: dict[int, list[Whistle]] = {}
        self.supervisions: dict[int, list[Supervision]] = {}
        self.steps: dict[tuple[int, int], WhistleRouteStep | None] = {}
        self.targets: dict[tuple[int, int | None], tuple[Any, Any]] = {}

    def open_whistle(self, case: Case) -> Whistle | None:
        waiting = [
            w for w in self.whistles.get(id(case), []) if w.reported_at is None and w.superseded_at is None
        ]
        return waiting[-1] if waiting else None

    def route_step(self, whistle_type: Any, step_no: int) -> WhistleRouteStep | None:
        key = (whistle_type.pk, step_no)
        if key not in self.steps:
            self.steps[key] = super().route_step(whistle_type, step_no)
        return self.steps[key]

    def route_target(self, case: Case, step: WhistleRouteStep, chosen: Any) -> tuple[Any, Any]:
        if chosen is not None:
            return super().route_target(case, step, chosen)
        key = (step.pk, case.community_id)
        if key not in self.targets:
            self.targets[key] = super().route_target(case, step, chosen)
        return self.targets[key]

    def add_whistle(self, whistle: Whistle, *, supersedes: Whistle | None) -> None:
        self.rows.whistles.append(whistle)
        self.whistles.setdefault(id(whistle.case), []).append(whistle)
        if supersedes is not None:
            supersedes.superseded_at = whistle.whistled_at

    def whistle_reported(self, whistle: Whistle, *, at: datetime, by: Any) -> None:
        whistle.reported_at, whistle.reported_by = at, by

    def add_supervision(self, supervision: Supervision) -> None:
        self.rows.supervisions.append(supervision)
        self.supervisions.setdefault(id(supervision.case), []).append(supervision)

    def supervisions_answered(self, case: Case, *, answer: str, at: datetime, by: Any) -> None:
        for supervision in self.supervisions.get(id(case), []):
            if supervision.answered_at is None:
                supervision.answer, supervision.answered_at, supervision.answered_by = answer, at, by


class _Simulator:
    """case_transition's bookkeeping on unsaved objects: the rules' own effects, writing the rows
    beside each case to lists (_BulkLedger) instead of the database."""

    def __init__(self) -> None:
        self.labels: dict[Any, str] = {}

    def label(self, actor: Actor) -> str:
        key = actor.pk if is_user(actor) else actor
        if key not in self.labels:
            self.labels[key] = services._label(actor)
        return self.labels[key]

    def apply(self, case: Case, step: Step, rows: "_Rows") -> CaseTransition:
        rule = RULES[step.action]
        if case.status not in rule.sources or step.action == "merge":
            raise AssertionError(f"plan applies {step.action} to a {case.status} case")
        now, actor, reason = step.at, step.actor, step.reason
        from_status = case.status
        with effects.ledger(rows.ledger):
            target = rule.run(
                case, status=from_status, actor=actor, reason=reason, now=now, params=dict(step.params)
            )
        case.status = target or rule.target or from_status
        case.version += 1
        return CaseTransition(
            case=case,
            action=step.action,
            from_status=from_status,
            to_status=case.status,
            actor=user_or_none(actor),
            actor_label=self.label(actor),
            reason=(reason or "").strip(),
            data={**services._jsonable(step.params), **services._holder(case)},
            at=now,
        )


@dataclass
class _Rows:
    cases: list[Case] = field(default_factory=list)
    transitions: list[CaseTransition] = field(default_factory=list)
    whistles: list[Whistle] = field(default_factory=list)
    supervisions: list[Supervision] = field(default_factory=list)
    ledger: _BulkLedger = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = _BulkLedger(self)

    def write(self) -> None:
        Case.objects.bulk_create(self.cases, batch_size=2000)
        CaseTransition.objects.bulk_create(self.transitions, batch_size=5000)
        Whistle.objects.bulk_create(self.whistles, batch_size=5000)
        Supervision.objects.bulk_create(self.supervisions, batch_size=5000)


class _Codes:
    """Tracking codes as case_intake makes them (date + 5 characters), unique, from the seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self, at: datetime) -> str:
        prefix = f"{timezone.localtime(at):%y%m%d}"
        while True:
            code = prefix + "".join(self.rng.choice(TRACKING_ALPHABET) for _ in range(5))
            if code not in self.used:
                self.used.add(code)
                return code

    def drop_taken(self, cases: list[Case]) -> None:
        """Redraw any code an existing case already has."""
        taken = set(
            Case.objects.filter(tracking_code__in=[c.tracking_code for c in cases]).values_list(
                "tracking_code", flat=True
            )
        )
        for case in cases:
            if case.tracking_code in taken:
                case.tracking_code = self.new(case.reported_at)


class _Phones:
    """Encrypting a million phone numbers one by one is most of the bulk time: each distinct
    number is encrypted once (the ciphertext still decrypts to it)."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, str]] = {}

    def of(self, phone: str) -> tuple[str, str]:
        if phone not in self.seen:
            key = settings.FIELD_ENCRYPTION_KEY
            self.seen[phone] = (
                crypto.encrypt(phone, key=key),
                crypto.lookup_hash(phone, key=key, purpose="phone"),
            )
        return self.seen[phone]


def simulate(plans: list[CasePlan], codes: _Codes, phones: _Phones, simulator: _Simulator) -> _Rows:
    """The rows the services would write for these plans (unsaved)."""
    rows = _Rows()
    for plan in plans:
        case = Case(
            tracking_code=codes.new(plan.reported_at),
            rating_token_hash=hashlib.sha256(
                "".join(codes.rng.choice(string.ascii_letters) for _ in range(24)).encode()
            ).hexdigest(),
            source=plan.source,
            kind=plan.kind,
            category=plan.category,
            hotline_ticket=plan.hotline_ticket.strip(),
            description=plan.description.strip(),
            address="",
            lng=plan.lng,
            lat=plan.lat,
            grid=plan.grid,
            community=plan.place.community,
            region_path=plan.grid.path,
            reporter_name=plan.reporter_name.strip(),
            reported_by=plan.reported_by,
            reported_at=plan.reported_at,
        )
        case.reporter_phone_encrypted, case.reporter_phone_hash = phones.of(plan.reporter_phone.strip())
        rows.cases.append(case)
        rows.transitions.append(
            CaseTransition(
                case=case,
                action="intake",
                from_status="",
                to_status=CaseStatus.REPORTED,
                actor=case.reported_by,
                actor_label=simulator.label(case.reported_by or services.RESIDENT),
                data={"source": plan.source},
                at=plan.reported_at,
            )
        )
        for step in plan.steps:
            rows.transitions.append(simulator.apply(case, step, rows))
    return rows


def bulk_cases(
    n: int,
    *,
    rng: random.Random,
    now: datetime | None = None,
    communities: Iterable[Region] | None = None,
    days: int = 365,
    batch: int = 20_000,
    duty_accounts: bool = True,
    log: Log | None = None,
) -> CasesSummary:
    """`n` cases over the last `days` days in the communities (default: all), written in bulk:
    the rows case_intake and case_transition would write for the same plans, without merges.

    Every transition is marked notified (history, not news). Returns counts and the time taken.
    """

    started = time.monotonic()
    now = now or timezone.now()
    communities = list(communities) if communities is not None else None
    if duty_accounts:
        ensure_duty_accounts(communities or Region.objects.filter(level=Level.COMMUNITY))
    summary = CasesSummary()
    codes, phones = _Codes(random.Random(rng.random())), _Phones()
    with clock.calendar_held():
        where = places(communities, rng)
        if not where:
            return summary
        simulator = _Simulator()
        plans = plan_cases(rng=rng, where=where, now=now, days=days, total=n, references=False)
        chunk: list[CasePlan] = []
        for plan in plans:
            chunk.append(plan)
            if len(chunk) == batch:
                _write(chunk, codes, phones, simulator, summary, now)
                chunk = []
                if log:
                    log(f"  cases: {summary.cases:,} of {n:,} ({time.monotonic() - started:.0f} s)")
        if chunk:
            _write(chunk, codes, phones, simulator, summary, now)
    daily_counts.rebuild([place.community for place in where])  # what case_transition keeps
    flow_counts.rebuild([place.community for place in where])
    summary.seconds = time.monotonic() - started
    return summary


def _write(
    plans: list[CasePlan],
    codes: _Codes,
    phones: _Phones,
    simulator: _Simulator,
    summary: CasesSummary,
    now: datetime,
) -> None:
    rows = simulate(plans, codes, phones, simulator)
    codes.drop_taken(rows.cases)
    for transition in rows.transitions:
        transition.processed_at = now
    with transaction.atomic():
        rows.write()
    summary.cases += len(rows.cases)
    summary.transitions += len(rows.transitions)
    summary.statuses.update(c.status for c in rows.cases)
