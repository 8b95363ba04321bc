"""Worker throughput on PostgreSQL: deadlines and escalation over a backlog of open cases while new
cases arrive, run by real `tongxin worker` processes; then one of them is killed with SIGKILL while
it holds a claimed task, and the rows are counted: nothing lost, nothing doubled.

Time is not compressed for the workers (they run on the real clock, with the production sweep
interval and heartbeats); the load is: the backlog's deadlines are packed `speed` times denser
than a week of real deadlines, and arrivals come `speed` times faster than 59,000 a day. The lag
of every warning and supervision is the time from the deadline passing to the transition row
being written (a trigger records clock_timestamp(), PostgreSQL only).
"""

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tongxin.cases.escalation import CLOCKED
from tongxin.cases.models import Case, CaseStatus, CaseTransition
from tongxin.demo.bench.city import database_label, machine, percentile, run_generator, write_report
from tongxin.demo.cases.writers import bulk_cases
from tongxin.demo.generator import Options
from tongxin.jobs import registry
from tongxin.jobs.models import TaskKey
from tongxin.regions.models import Level, Region

Log = Callable[[str], None]
DAY = 86_400.0
GENERATED = 20_000  # cases written by the bulk writer; the rest of the backlog copies them
BACKLOG_SPREAD_DAYS = 7  # the open cases' coming deadlines fall over the next week
OVERDUE_SPREAD_DAYS = 30  # and the overdue ones' over the last month
WARN_SHARE = 0.2  # warned when 80 % of the handling time is used
TRIGGER = """
CREATE TABLE IF NOT EXISTS bench_effect (transition_id bigint PRIMARY KEY, at timestamptz NOT NULL);
CREATE OR REPLACE FUNCTION bench_effect_at() RETURNS trigger AS $$
BEGIN INSERT INTO bench_effect VALUES (NEW.id, clock_timestamp()); RETURN NEW; END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS bench_effect_at ON cases_casetransition;
CREATE TRIGGER bench_effect_at AFTER INSERT ON cases_casetransition
  FOR EACH ROW EXECUTE FUNCTION bench_effect_at();
TRUNCATE bench_effect;
"""


@dataclass
class Report:
    backlog: int = 0
    overdue_share: float = 0.0
    per_day: int = 0
    speed: float = 1.0
    seconds: float = 0.0
    load_seconds: float = 0.0
    arrivals: int = 0
    lags: dict[str, list[float]] = field(default_factory=dict)
    tasks_done: int = 0
    transitions: int = 0
    killed_task: str = ""
    killed_task_after: str = ""
    recovered_after: float = 0.0
    kill_load: str = ""
    late_start: float = 0.0
    due_left: int = 0
    doubled: int = 0
    doubled_whistles: int = 0
    notifications_doubled: int = 0
    outbox_left: int = 0
    loads: list[str] = field(default_factory=list)


def _load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _sql(sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []


def ensure_backlog(backlog: int, *, seed: int, log: Log) -> tuple[float, int]:
    """At least `backlog` cases (bulk writer over the last 30 days), the newest `backlog` of them
    open; returns the seconds taken and the first id of the backlog."""
    started = time.monotonic()
    if not Region.objects.filter(level=Level.GRID).exists():
        run_generator("a city (grids only)", Options(seed=seed, grids=300, grids_only=True), log)
    have = Case.objects.count()
    if have < GENERATED:
        bulk_cases(GENERATED - have, rng=random.Random(seed), days=30, log=log)
    _clone_up_to(backlog, log)
    # the newest `backlog` cases open and dispatched (the bench measures the worker, not the cases'
    # history); any other open case has no deadline, so the backlog is exactly what is swept
    newest = Case.objects.order_by("-id").values_list("id", flat=True)[backlog - 1 : backlog]
    floor = newest[0] if newest else 0
    Case.objects.filter(id__gte=floor).exclude(status__in=CLOCKED).update(status=CaseStatus.DISPATCHED)
    Case.objects.filter(id__lt=floor, status__in=CLOCKED).update(warn_at=None, handling_due=None)
    return time.monotonic() - started, floor


def _clone_up_to(n: int, log: Log) -> None:
    """Copy cases in SQL (another tracking code each) until there are `n`: the bulk writer makes
    ~100 cases a second on this shared machine, a copy ~100,000."""
    columns = [str(f.column) for f in Case._meta.concrete_fields if f.column not in ("id", "tracking_code")]
    names = ", ".join(columns)
    while (have := Case.objects.count()) < n:
        _sql(
            f"""INSERT INTO cases_case ({names}, tracking_code)
                SELECT {names}, substr(md5(random()::text || id::text), 1, 16)
                FROM cases_case ORDER BY id LIMIT %s""",
            [n - have],
        )
        log(f"  cases copied: {Case.objects.count():,} of {n:,}")


def place_deadlines(*, t0: datetime, speed: float, seed: int, floor: int, overdue_share: float) -> None:
    """The backlog's handling deadlines: `overdue_share` of it already overdue (deadlines over the
    last month, warned and supervised before the run, as cases open for days are), the rest spread
    evenly over a week compressed `speed` times; a case whose warning time is already past was
    warned (the worker kept up before the run). One UPDATE (each is minutes at 500,000 rows)."""
    span = BACKLOG_SPREAD_DAYS * DAY / speed
    past = OVERDUE_SPREAD_DAYS * DAY
    limit = DAY / speed  # a day's handling time, compressed alike
    _sql("SELECT setseed(%s)", [(seed % 1000) / 1000])
    _sql(
        """WITH placed AS (
             SELECT id, CASE WHEN random() < %(share)s
                             THEN %(t0)s - (1 + random() * %(past)s) * interval '1 second'
                             ELSE %(t0)s + (random() * %(span)s) * interval '1 second' END AS due
             FROM cases_case WHERE status = ANY(%(clocked)s) AND id >= %(floor)s)
           UPDATE cases_case c SET
             handling_due = p.due,
             warn_at = p.due - %(warn)s * interval '1 second',
             warned_at = CASE WHEN p.due - %(warn)s * interval '1 second' < %(t0)s
                              THEN p.due - %(warn)s * interval '1 second' END,
             overdue_at = CASE WHEN p.due < %(t0)s THEN p.due END,
             supervised = p.due < %(t0)s
           FROM placed p WHERE c.id = p.id""",
        {
            "share": overdue_share,
            "t0": t0,
            "past": past,
            "span": span,
            "warn": limit * WARN_SHARE,
            "clocked": list(CLOCKED),
            "floor": floor,
        },
    )
    _sql("ANALYZE cases_case")


def quiet_housekeeping(now: datetime) -> None:
    """Hourly and daily housekeeping (retention, audit seals, archive…) counts as run and not due
    again during the run: the window measures the sweeps that run every few seconds (deadlines,
    outbox, exchange). Tasks an earlier run or the copied database left queued or running are
    dropped, and transitions written before the run count as delivered, so the window starts with
    an empty queue (an audit seal over a million unsealed rows held a worker for 20 minutes)."""
    registry.load_all()
    DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).delete()
    for periodic in registry.PERIODIC.values():
        if periodic.every >= timedelta(minutes=5):
            TaskKey.objects.update_or_create(
                key=f"periodic:{periodic.kind}", defaults={"enqueued_at": now + timedelta(hours=1)}
            )
    CaseTransition.objects.filter(processed_at__isnull=True).update(processed_at=now)


class Arrivals:
    """New cases at `per_day` × speed a day: copies of an open case, reported now, with the
    handling limits of the categories (a fifth urgent: 4 working hours; else 3 days), compressed."""

    def __init__(self, per_day: int, speed: float, seed: int) -> None:
        self.rate = per_day * speed / DAY
        self.speed = speed
        self.rng = random.Random(seed)
        self.template = Case.objects.filter(status=CaseStatus.DISPATCHED).order_by("id").first()
        self.owed = 0.0
        self.count = 0
        self.run = int(time.time()) % 10_000_000

    def feed(self, elapsed: float) -> None:
        due = self.rate * elapsed - self.count
        n = int(due)
        if n <= 0 or self.template is None:
            return
        now = timezone.now()
        rows = []
        for _ in range(n):
            case = Case(**{f.attname: getattr(self.template, f.attname) for f in Case._meta.concrete_fields})
            limit = (4 * 3600 if self.rng.random() < 0.2 else 3 * DAY) / self.speed
            case.pk = None
            case.tracking_code = f"W{self.run:07d}{self.count:08d}"  # another run's are kept
            case.reported_at = case.dispatched_at = now
            case.handling_due = now + timedelta(seconds=limit)
            case.warn_at = now + timedelta(seconds=limit * (1 - WARN_SHARE))
            case.warned_at = case.overdue_at = None
            case.supervised = False
            case.version = 1
            rows.append(case)
            self.count += 1
        Case.objects.bulk_create(rows)


def _worker(name: str) -> subprocess.Popen[bytes]:
    tongxin = str(Path(sys.executable).parent / "tongxin")
    return subprocess.Popen(
        [tongxin, "worker", "--name", name, "--interval", "0.5"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _running_of(name: str) -> list[str]:
    return [
        str(pk)
        for pk, worker_ids in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
            "id", "worker_ids"
        )
        if worker_ids and worker_ids[-1] == name
    ]


def _due_left(until: datetime) -> int:
    warn = Case.objects.filter(
        status__in=CLOCKED, warn_at__lte=until, warned_at__isnull=True, overdue_at__isnull=True
    ).count()
    overdue = Case.objects.filter(
        status__in=CLOCKED, handling_due__lte=until, overdue_at__isnull=True
    ).count()
    return warn + overdue


def run(
    *,
    backlog: int,
    overdue_share: float,
    per_day: int,
    speed: float,
    seconds: float,
    kill_after: float,
    drain: float,
    lead: float,
    seed: int,
    output: str,
    command: str,
    log: Log,
) -> str:
    if connection.vendor != "postgresql":
        raise RuntimeError("bench_worker measures PostgreSQL (sh scripts/with-postgres.sh …)")
    report = Report(
        backlog=backlog, overdue_share=overdue_share, per_day=per_day, speed=speed, seconds=seconds
    )
    report.load_seconds, floor = ensure_backlog(backlog, seed=seed, log=log)
    log(f"backlog ready: {Case.objects.filter(status__in=CLOCKED).count():,} open cases ({_load()})")
    # the deadlines start at t0, after the UPDATE that places them (minutes on a busy machine)
    t0 = timezone.now() + timedelta(seconds=lead)
    place_deadlines(t0=t0, speed=speed, seed=seed, floor=floor, overdue_share=overdue_share)
    report.late_start = max(0.0, (timezone.now() - t0).total_seconds())
    quiet_housekeeping(timezone.now())
    _sql(TRIGGER)
    first_transition = CaseTransition.objects.order_by("-id").values_list("id", flat=True).first() or 0
    arrivals = Arrivals(per_day, speed, seed)
    workers = {"w1": _worker("w1"), "w2": _worker("w2")}
    time.sleep(max(0.0, (t0 - timezone.now()).total_seconds()))
    started = time.monotonic()
    killed_at: float | None = None
    killed_wall: datetime | None = None
    try:
        while (elapsed := time.monotonic() - started) < seconds:
            arrivals.feed(elapsed)
            if killed_at is None and elapsed >= kill_after:
                held = _running_of("w1")
                if held:  # w1 is mid-task: kill it there
                    workers["w1"].send_signal(signal.SIGKILL)
                    workers["w1"].wait()
                    killed_at = time.monotonic()
                    report.killed_task = held[0]
                    killed_wall = timezone.now()
                    report.kill_load = f"{elapsed:.0f} s into the window, {_load()}"
                    log(f"killed w1 at {elapsed:.0f} s holding task {held[0]}")
                    workers["w1b"] = _worker("w1b")  # supervise.sh starts it again
            if elapsed >= len(report.loads) * 30:
                report.loads.append(f"{elapsed:.0f} s: {_load()}")
            time.sleep(0.5)
        window_end = timezone.now()
        report.arrivals = arrivals.count
        log(f"window over; draining the due work up to its end ({_load()})")
        deadline = time.monotonic() + drain
        while time.monotonic() < deadline and (
            _due_left(window_end)
            or CaseTransition.objects.filter(id__gt=first_transition, processed_at__isnull=True).exists()
        ):
            time.sleep(1)
        if report.killed_task:
            row = DBTaskResult.objects.get(id=report.killed_task)
            report.killed_task_after = f"{row.status} by {', '.join(row.worker_ids)}"
            if row.started_at and killed_wall is not None:
                report.recovered_after = (row.started_at - killed_wall).total_seconds()
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in workers.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
    _count(report, t0=t0, window_end=window_end, first_transition=first_transition)
    section = render(report, command)
    if output:
        write_report(Path(output), "worker", section)
    _sql("DROP TRIGGER IF EXISTS bench_effect_at ON cases_casetransition")
    return section


def _count(report: Report, *, t0: datetime, window_end: datetime, first_transition: int) -> None:
    rows = _sql(
        """SELECT t.action, EXTRACT(EPOCH FROM e.at - CASE t.action WHEN 'warn' THEN c.warn_at
                                                              ELSE c.handling_due END)
           FROM cases_casetransition t JOIN bench_effect e ON e.transition_id = t.id
           JOIN cases_case c ON c.id = t.case_id
           WHERE t.id > %s AND t.actor_label = 'system' AND t.action IN ('warn', 'supervise')
             AND CASE t.action WHEN 'warn' THEN c.warn_at ELSE c.handling_due END BETWEEN %s AND %s""",
        [first_transition, t0, window_end],
    )
    for action, lag in rows:
        report.lags.setdefault(action, []).append(float(lag))
    report.transitions = CaseTransition.objects.filter(id__gt=first_transition).count()
    report.tasks_done = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__gte=t0, finished_at__lte=window_end
    ).count()
    report.due_left = _due_left(window_end)
    report.doubled = _sql(
        """SELECT count(*) FROM (SELECT case_id, action FROM cases_casetransition
             WHERE id > %s AND actor_label = 'system' AND action IN ('warn', 'supervise')
             GROUP BY case_id, action HAVING count(*) > 1) d""",
        [first_transition],
    )[0][0]
    report.doubled_whistles = _sql(
        """SELECT count(*) FROM (SELECT case_id, step FROM cases_whistle GROUP BY case_id, step
             HAVING count(*) > 1) d"""
    )[0][0]
    report.notifications_doubled = _sql(
        "SELECT count(*) - count(DISTINCT (user_id, event_key)) FROM notifications_notification"
    )[0][0]
    report.outbox_left = CaseTransition.objects.filter(
        id__gt=first_transition, processed_at__isnull=True
    ).count()


def _row(label: str, values: list[float]) -> str:
    if not values:
        return f"| {label} | 0 | – | – | – |"
    return (
        f"| {label} | {len(values):,} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} "
        f"| {max(values):.1f} |"
    )


def render(report: Report, command: str) -> str:
    _key, db_label = database_label()
    rate = report.per_day * report.speed / DAY
    per_second = report.tasks_done / report.seconds if report.seconds else 0
    lines = [
        "<!-- bench:worker -->",
        f"## Worker ({db_label}, `{command}`)",
        "",
        f"Measured {timezone.localdate():%Y-%m-%d} on {machine()}, the machine shared with other "
        "engineers' runs (load below). Two `tongxin worker` processes on the django-tasks database "
        f"backend; a backlog of {report.backlog:,} open cases, {report.overdue_share:.0%} of them already "
        "overdue (supervised before the run, deadlines over the last month) and the rest with deadlines "
        f"over a week packed {report.speed:g}× denser, and {report.per_day:,} new cases a day arriving "
        f"{report.speed:g}× "
        f"faster ({rate:.1f}/s, {report.arrivals:,} in the window), for {report.seconds:.0f} s of real "
        "time. The workers run on the real clock with the production intervals (deadline sweep every "
        "15 s in two shards, heartbeat every 5 s, a worker dead after 30 s without one), so the lag is "
        f"what production would show under {report.speed:g}× its load. Lag = the transition row written "
        "(clock_timestamp() by a trigger) minus the deadline it answers.",
        "",
        "| effect | count | lag p50 s | lag p95 s | lag max s |",
        "|---|---:|---:|---:|---:|",
        _row("deadline warning (warn)", report.lags.get("warn", [])),
        _row("overdue, supervised (督办)", report.lags.get("supervise", [])),
        "",
        f"- tasks run: {report.tasks_done:,} in {report.seconds:.0f} s ({per_second:.1f} tasks/s); "
        f"transition rows written: {report.transitions:,}",
        f"- kill -9 ({report.kill_load}): w1 killed while holding task "
        f"{report.killed_task or '(none held in time)'}; after "
        f"the run it is {report.killed_task_after or '–'}; claimed again "
        f"{report.recovered_after:.0f} s after the kill; a restarted w1b joined at once",
        f"- counted after the drain: due work left undone {report.due_left}, warnings/supervisions "
        f"doubled {report.doubled}, whistles doubled {report.doubled_whistles}, notifications doubled "
        f"{report.notifications_doubled}, transitions the outbox has not processed {report.outbox_left}",
        f"- load: {'; '.join(report.loads[:12])}",
        f"- data: {report.load_seconds:.0f} s to load the backlog ({GENERATED:,} cases by the bulk "
        "writer, the rest SQL copies of them with other tracking codes)"
        + (
            f"; the deadlines began {report.late_start:.0f} s before the workers started (placing "
            "them took longer than the lead): that backlog is in the lags"
            if report.late_start
            else ""
        ),
        "<!-- /bench:worker -->",
    ]
    return "\n".join(lines) + "\n"
