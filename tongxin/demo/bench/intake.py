"""Intake through the real server (`tongxin bench_intake`): residents' reports sent by locust to
gunicorn started by scripts/serve.sh — as `make run` starts it, with its background worker — on
the database this process uses (PostgreSQL in `make bench`: scripts/with-postgres.sh).

Side by side in one run of one server: first the bare endpoint (`POST /api/v1/bench/intake`, the
same middleware, Ninja and schema writing one row, routed only with TONGXIN_BENCH_ENDPOINTS=1), then
the resident's `POST /api/v1/cases/public` with an Idempotency-Key on each report; `rounds` repeats
the pair, so a neighbour's load on the machine falls on both. Every 201 must be one new row
(counted in the database after each phase); the rows are counted, not assumed.

The server's hourly limit of reports per address (TONGXIN_PUBLIC_INTAKE_PER_HOUR, 10 by default)
is set to a billion for the run: the limit is still counted on every report, in the same cache,
but no report is refused, so the figure is not one of 429s.
"""

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone

from tongxin.cases.models import Case, CaseCategory
from tongxin.demo.bench.cases import percentile
from tongxin.demo.bench.city import database_label, machine, write_report
from tongxin.demo.cases import places
from tongxin.demo.models import BenchReport
from tongxin.regions.models import Level, Region

Log = Callable[[str], None]

BARE = "/api/v1/bench/intake"
PUBLIC = "/api/v1/cases/public"
ROOT = Path(__file__).resolve().parents[3]  # the checkout: scripts/serve.sh
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
RATE_LIMIT = 1_000_000_000  # reports per address and hour during the run (see the module's text)


@dataclass
class Phase:
    """One endpoint under load for one bounded locust run."""

    name: str
    path: str
    statuses: dict[int, int]
    timed: list[tuple[float, float, int]]  # (start, seconds, status) after the warm-up
    rows: int  # new rows in the endpoint's table

    @property
    def answered_201(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def seconds(self) -> float:
        if not self.timed:
            return 0.0
        return max(s + d for s, d, _ in self.timed) - min(s for s, _, _ in self.timed)

    @property
    def per_second(self) -> float:
        created = sum(1 for _, _, status in self.timed if status == 201)
        return created / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        return percentile([d for _, d, _ in self.timed], q) * 1000

    def summary(self) -> str:
        return (
            f"{self.per_second:.0f}/s, p50 {self.ms(0.5):.1f} ms, p95 {self.ms(0.95):.1f} ms, "
            f"p99 {self.ms(0.99):.1f} ms; answers {dict(sorted(self.statuses.items()))}, new rows {self.rows}"
        )


@dataclass
class IntakeReport:
    users: int
    seconds: int
    warmup: float
    workers: str
    worker: bool
    load: list[str] = field(default_factory=list)  # `uptime`'s load averages around the phases
    phases: list[Phase] = field(default_factory=list)

    def of(self, path: str) -> list[Phase]:
        return [p for p in self.phases if p.path == path]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def bodies(n: int = 500, *, seed: int = 1) -> list[dict[str, Any]]:
    """Residents' reports at points inside the city's grids, in its second-level categories."""
    rng = random.Random(seed)
    slots = [pt for place in places(None, rng, points_per_grid=3) for _grid, pts in place.grids for pt in pts]
    codes = list(
        CaseCategory.objects.filter(active=True, parent__isnull=False).values_list("code", flat=True)
    )
    if not slots or not codes:
        raise RuntimeError("the city has no grid with an outline or no category: run `tongxin demo` first")
    result = []
    for _ in range(n):
        lng, lat = rng.choice(slots)
        result.append(
            {
                "kind": "complaint",
                "category": rng.choice(codes),
                "description": "楼下垃圾桶已满两天无人清运",
                "lng": lng,
                "lat": lat,
                "reporter_phone": "",  # each request draws its own (locustfile)
            }
        )
    return result


class Server:
    """scripts/serve.sh (collectstatic, the supervised worker, gunicorn) in a session of its own,
    stopped with its whole process group; or gunicorn alone with serve.sh's command line."""

    def __init__(self, *, port: int, workers: str, worker: bool, log_path: Path):
        self.port, self.workers, self.worker, self.log_path = port, workers, worker, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            BIN=str(Path(sys.executable).parent),
            PORT=str(self.port),
            TONGXIN_SECURITY_PROFILE=env.get("TONGXIN_SECURITY_PROFILE", "demo"),  # as `make run`
            TONGXIN_BENCH_ENDPOINTS="1",
            TONGXIN_PUBLIC_INTAKE_PER_HOUR=str(RATE_LIMIT),
        )
        if self.workers:
            env["WEB_WORKERS"] = self.workers
        return env

    def command(self) -> list[str]:
        if self.worker:
            return ["sh", str(ROOT / "scripts" / "serve.sh")]
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        return [gunicorn, "tongxin.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers",
                self.workers or "3", "--access-logfile", "-", "--log-level", "warning"]  # fmt: skip

    def __enter__(self) -> "Server":
        out = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300  # collectstatic, demo_logins and the boot, on a busy machine
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped; see {self.log_path}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return self
            except urllib.error.HTTPError:
                return self  # it answers (503 while the worker's first heartbeat is due)
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"the server did not answer within 300 s; see {self.log_path}")

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        with contextlib.suppress(ProcessLookupError):  # a worker still stopping after its shell left
            os.killpg(self.process.pid, signal.SIGKILL)


def locust(
    *, path: str, port: int, users: int, seconds: int, warmup: float, max_per_user: int, work: Path
) -> tuple[dict[int, int], list[tuple[float, float, int]]]:
    """One headless locust run against 127.0.0.1; the count of each status and the timed requests."""
    result = work / "result.json"
    result.unlink(missing_ok=True)
    env = dict(os.environ)
    env.update(
        BENCH_PATH=path,
        BENCH_BODIES=str(work / "bodies.json"),
        BENCH_MAX=str(max_per_user),
        BENCH_WARMUP=str(warmup),
        BENCH_RESULT=str(result),
    )
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f", str(LOCUSTFILE), "--headless", "--host", f"http://127.0.0.1:{port}",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
        "--stop-timeout", "30", "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    with (work / "locust.log").open("ab") as out:
        subprocess.run(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 120, check=False
        )
    data = json.loads(result.read_text())
    return {int(k): v for k, v in data["statuses"].items()}, [tuple(t) for t in data["timed"]]


def run(
    *,
    users: int = 8,
    seconds: int = 20,
    warmup: float = 3,
    rounds: int = 1,
    workers: str = "",
    worker: bool = True,
    max_per_user: int = 20_000,
    seed: int = 1,
    log: Log | None = None,
) -> IntakeReport:
    say = log or (lambda _line: None)
    if not Region.objects.filter(level=Level.GRID).exists():
        say("No grids: generating the demo city (tongxin demo --scale 1 --no-history)")
        call_command("demo", scale=1, no_history=True, verbosity=0)
    report = IntakeReport(users, seconds, warmup, workers or os.environ.get("WEB_WORKERS", "3"), worker)
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        work = Path(tmp)
        (work / "bodies.json").write_text(json.dumps(bodies(seed=seed)))
        port = _free_port()
        close_old_connections()
        with Server(port=port, workers=workers, worker=worker, log_path=work / "server.log"):
            state = "on" if worker else "off"
            say(f"server up on 127.0.0.1:{port} ({report.workers} gunicorn workers, worker {state})")
            for _round in range(rounds):
                for name, path, table in (("bare", BARE, BenchReport), ("intake", PUBLIC, Case)):
                    report.load.append(load_average())
                    before = table.objects.count()
                    statuses, timed = locust(
                        path=path, port=port, users=users, seconds=seconds, warmup=warmup,
                        max_per_user=max_per_user, work=work,
                    )  # fmt: skip
                    phase = Phase(name, path, statuses, timed, table.objects.count() - before)
                    report.phases.append(phase)
                    say(f"  {name}: {phase.summary()}")
            report.load.append(load_average())
    return report


def _rate(phases: list[Phase]) -> float:
    seconds = sum(p.seconds for p in phases)
    created = sum(1 for p in phases for _, _, status in p.timed if status == 201)
    return created / seconds if seconds else 0.0


def render(report: IntakeReport, *, command: str) -> str:
    key, label = database_label()
    bare, real = report.of(BARE), report.of(PUBLIC)
    bare_rate, real_rate = _rate(bare), _rate(real)
    ratio = real_rate / bare_rate if bare_rate else 0.0
    worker = ", the background worker running" if report.worker else ", no background worker"
    lines = [
        f"<!-- bench:intake-{key} -->",
        f"## Intake through gunicorn ({label}, `{command}`)",
        "",
        f"Measured {timezone.localdate():%Y-%m-%d} on {machine()}; load average (1, 5, 15 min) before "
        f"each phase and after the last: {' → '.join(report.load)}. scripts/serve.sh as `make run` starts it "
        f"({report.workers} gunicorn sync workers{worker}), "
        f"locust {report.users} clients without think time on the same machine, {report.seconds} s a phase, "
        f"the first {report.warmup:g} s not timed; {len(bare)} round(s) of bare endpoint then intake. "
        f"Reports per address and hour raised to {RATE_LIMIT:,} for the run (still counted on each).",
        "",
        "| endpoint | reports/s | p50 ms | p95 ms | p99 ms | answers | 201s | new rows |",
        "|---|--:|--:|--:|--:|---|--:|--:|",
    ]
    for phase in report.phases:
        answers = ", ".join(f"{k}: {v:,}" for k, v in sorted(phase.statuses.items()))
        lines.append(
            f"| `POST {phase.path}` | {phase.per_second:,.0f} | {phase.ms(0.5):.1f} | {phase.ms(0.95):.1f} | "
            f"{phase.ms(0.99):.1f} | {answers} | {phase.answered_201:,} | {phase.rows:,} |"
        )
    real_timed = [d for p in real for _, d, _ in p.timed]
    p99 = percentile(real_timed, 0.99) * 1000
    lines += [
        "",
        f"Intake {real_rate:,.0f} reports/s against the bare endpoint's {bare_rate:,.0f}/s: "
        f"**{ratio:.0%}** (goal ≥ 50 %); intake p99 {p99:.1f} ms (goal < 100 ms at 8 clients, ≥ 300/s). "
        f"Every 201 one new row: {'yes' if all(p.answered_201 == p.rows for p in report.phases) else 'NO'}.",
        f"<!-- /bench:intake-{key} -->",
    ]
    return "\n".join(lines) + "\n"


def write(report: IntakeReport, *, output: str, command: str) -> str:
    section = render(report, command=command)
    if output:
        key = section.split("\n", 1)[0][len("<!-- bench:") : -len(" -->")]
        write_report(Path(output), key, section)
    return section
