"""A simulated province (`tongxin bench_province`, docs/scaling.md): which part of one server
saturates first when 10 cities × 2,000,000 cases a year share it, and what to add.

Two steps. `measure()` takes the per-request costs on this machine, in process on the database in
use (PostgreSQL for the WAL): CPU milliseconds in the web process (`time.process_time`) and in the
PostgreSQL server (every postgres process's CPU from /proc, before and after), WAL bytes
(`pg_current_wal_lsn()` before and after) for a resident's report, one case action, a street's case
list and a street's overview; and the bytes a case occupies with its rows. `model()` multiplies
those costs by a province's load at its peak hour and divides by what one server offers. The
model's inputs are printed beside its result, so a reader can redo the sum with their own.
"""

import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from tongxin.cases.models import Case, CaseStatus
from tongxin.cases.services import case_transition
from tongxin.core.roles import Role
from tongxin.demo.bench.cases import Log, _bench_user, ensure_cases, list_users, measure_intake
from tongxin.demo.bench.city import database_label, machine, write_report
from tongxin.regions.models import Region


@dataclass
class Costs:
    """What one request costs on this machine (milliseconds of CPU, bytes)."""

    intake_web_ms: float = 0.0
    intake_db_ms: float = 0.0
    intake_wal_bytes: float = 0.0
    action_web_ms: float = 0.0
    action_db_ms: float = 0.0
    action_wal_bytes: float = 0.0
    list_web_ms: float = 0.0
    list_db_ms: float = 0.0
    overview_web_ms: float = 0.0
    overview_db_ms: float = 0.0
    bytes_per_case: float = 0.0
    notes: dict[str, str] = field(default_factory=dict)


def _postmaster() -> int:
    """The pid of the server this process talks to (the parent of its backend), so a neighbour's
    PostgreSQL on the same machine is not counted."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    status = Path(f"/proc/{backend}/status").read_text()
    return int(re.search(r"^PPid:\s*(\d+)", status, re.M).group(1))  # type: ignore[union-attr]


def _postgres_cpu_seconds() -> float:
    """CPU seconds of the server's postmaster and every process it started (backends, WAL writer…)."""
    postmaster = _postmaster()
    if not postmaster:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(pid) == postmaster or int(fields[1]) == postmaster:  # fields[1]: the parent's pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _wal_lsn() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
        return int(cursor.fetchone()[0])


class Meter:
    """Web CPU, database CPU and WAL bytes spent inside a `with` block."""

    def __enter__(self) -> "Meter":
        self.wal0, self.db0, self.web0 = _wal_lsn(), _postgres_cpu_seconds(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.web_ms = (time.process_time() - self.web0) * 1000
        self.db_ms = (_postgres_cpu_seconds() - self.db0) * 1000
        self.wal = _wal_lsn() - self.wal0


def _bytes_per_case() -> float:
    """Tables and indexes of the cases app per case (transitions, counts, photos' rows included)."""
    cases = Case.objects.count()
    if connection.vendor != "postgresql" or not cases:
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'cases\\_%%'"
        )
        return float(cursor.fetchone()[0] or 0) / cases


def measure(requests: int = 300, repeat: int = 20, cases: int = 20_000, log: Log | None = None) -> Costs:
    ensure_cases(cases, log=log)
    costs = Costs()
    # the hourly limit of reports per address is counted but refuses none (one test client sends all)
    with override_settings(TONGXIN_PUBLIC_INTAKE_PER_HOUR=10**9), Meter() as m:
        intake = measure_intake(requests, seed=int(time.time()))
    costs.intake_web_ms, costs.intake_db_ms = m.web_ms / requests, m.db_ms / requests
    costs.intake_wal_bytes = m.wal / requests
    fresh = list(
        Case.objects.filter(status=CaseStatus.REPORTED)
        .order_by("-pk")
        .values_list("pk", "community_id")[:requests]
    )
    secretaries = {  # accepting is the community's: one benchmark secretary a community
        community: _bench_user(
            f"bench-province-{community}", Role.COMMUNITY_SECRETARY, Region.objects.get(pk=community)
        )
        for community in {c for _pk, c in fresh}
    }
    with Meter() as m:
        for pk, community in fresh:
            case_transition(case=pk, action="accept", actor=secretaries[community])
    costs.action_web_ms, costs.action_db_ms = m.web_ms / len(fresh), m.db_ms / len(fresh)
    costs.action_wal_bytes = m.wal / len(fresh)
    (_label, official, street), *_ = list_users()
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host outside the test runner
    client.force_login(official)
    year = timezone.localdate().year
    for url, prefix in (
        ("/cases/", "list"),
        (f"/statistics/?node={street.pk}&period=year&year={year}", "overview"),
    ):
        assert client.get(url).status_code == 200  # warm
        with Meter() as m:
            for _ in range(repeat):
                assert client.get(url).status_code == 200
        setattr(costs, f"{prefix}_web_ms", m.web_ms / repeat)
        setattr(costs, f"{prefix}_db_ms", m.db_ms / repeat)
    costs.bytes_per_case = _bytes_per_case()
    costs.notes = {
        "cases": f"{Case.objects.count():,}",
        "intake": f"{requests} reports, {intake.per_second:.0f}/s in process",
        "street": street.name,
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    if log:
        log(f"  costs: {asdict(costs)}")
    return costs


# --- the model -----------------------------------------------------------------------------------------


@dataclass
class Province:
    cities: int = 10
    cases_per_city_year: int = 2_000_000
    actions_per_case: float = 7.5  # transitions after intake (the 1,000,000-case bench: 8.5 rows a case)
    intake_peak: float = 3.0  # the busiest hour against the day's mean hour
    officials_per_city: int = 6_000  # street, community and grid staff who open lists and figures
    reads_per_official_day: int = 100  # list and figure pages a working day
    overview_share: float = 0.2  # of those reads, overviews and reports (the rest lists)
    working_hours: float = 8.0
    read_peak: float = 2.0  # the busiest working hour against the mean working hour
    wal_factor: float = 2.0  # full_page_writes=on in production (the throwaway server has it off)
    years_kept: int = 3


@dataclass
class Server:
    """What one database or web host offers (a mid-size host; this machine is 2 cores)."""

    cores: int = 16
    usable: float = 0.7  # plan to 70% of the cores at the peak hour
    wal_mb_s: float = 60.0  # sustained WAL a standby replays and an archive ships comfortably
    connections: int = 200  # max_connections without a pooler
    disk_gb: int = 2_000
    worker_cases_s: float = 0.0  # cases a second the workers' deadline jobs keep up with (measured)


def model(costs: Costs, province: Province, server: Server) -> list[dict[str, Any]]:
    """Demand at the peak hour per component, and the number of cities one server carries."""
    seconds_year = 365 * 86_400
    cases_s = province.cities * province.cases_per_city_year / seconds_year * province.intake_peak
    actions_s = cases_s * province.actions_per_case
    reads_s = (
        province.cities
        * province.officials_per_city
        * province.reads_per_official_day
        / (province.working_hours * 3600)
        * province.read_peak
    )
    lists_s, overviews_s = reads_s * (1 - province.overview_share), reads_s * province.overview_share
    write_web = cases_s * costs.intake_web_ms + actions_s * costs.action_web_ms
    read_web = lists_s * costs.list_web_ms + overviews_s * costs.overview_web_ms
    write_db = cases_s * costs.intake_db_ms + actions_s * costs.action_db_ms
    read_db = lists_s * costs.list_db_ms + overviews_s * costs.overview_db_ms
    wal_mb_s = (
        (cases_s * costs.intake_wal_bytes + actions_s * costs.action_wal_bytes) * province.wal_factor / 1e6
    )
    cores = server.cores * server.usable
    # gunicorn's rule of thumb, two worker processes a web core, each holding one connection to the
    # primary and one to a replica (CONN_MAX_AGE)
    web_processes = 2 * (write_web + read_web) / 1000 / server.usable
    disk_gb = (
        province.cities * province.cases_per_city_year * province.years_kept * costs.bytes_per_case / 1e9
    )
    rows = [
        (
            "web CPU (gunicorn processes)",
            (write_web + read_web) / 1000,
            cores,
            "cores",
            "more web processes and hosts behind the load balancer (stateless)",
        ),
        (
            "primary CPU, reads and writes",
            (write_db + read_db) / 1000,
            cores,
            "cores",
            "read replicas for lists, figures and reports (TONGXIN_REPLICA_URL)",
        ),
        (
            "primary CPU, writes only",
            write_db / 1000,
            cores,
            "cores",
            "partitioning/archiving, then a bigger primary; one primary per province shard",
        ),
        ("replica CPU, the reads", read_db / 1000, cores, "cores", "another replica per this many cities"),
        (
            "WAL (primary → replicas, archive)",
            wal_mb_s,
            server.wal_mb_s,
            "MB/s",
            "faster disks and network; fewer indexes on hot tables",
        ),
        (
            "connections (web processes × 2 databases)",
            web_processes * 2,
            server.connections,
            "connections",
            "PgBouncer in transaction mode in front of each database",
        ),
        (
            f"disk, {province.years_kept} years of cases",
            disk_gb,
            server.disk_gb,
            "GB",
            "archiving closed cases older than a year; partitions by month",
        ),
    ]
    if server.worker_cases_s:
        rows.append(
            (
                "worker (deadlines, escalation, outbox)",
                cases_s,
                server.worker_cases_s,
                "cases/s",
                "a second worker host (or the RQ/Redis backend)",
            )
        )
    out: list[dict[str, Any]] = []
    for name, demand, capacity, unit, add in rows:
        per_city = demand / province.cities
        out.append(
            {
                "component": name,
                "demand": demand,
                "capacity": capacity,
                "unit": unit,
                "use": demand / capacity if capacity else 0.0,
                "cities": capacity / per_city if per_city else float("inf"),
                "add": add,
            }
        )
    out.sort(key=lambda r: float(r["cities"]))
    return [*out, {"load": {"cases_s": cases_s, "actions_s": actions_s, "reads_s": reads_s}}]


def render(costs: Costs, province: Province, server: Server, rows: list[dict[str, Any]], command: str) -> str:
    _key, db = database_label()
    load = rows[-1]["load"]
    lines = [
        "<!-- bench:province -->",
        "## Replica: the per-request costs and a simulated province (`tongxin bench_province`)",
        "",
        f"Measured {timezone.localdate().isoformat()} with `{command}` on {machine()}, {db}; "
        f"load average at the end {costs.notes.get('load', '?')} (the machine is shared). "
        f"{costs.notes.get('cases', '?')} cases; {costs.notes.get('intake', '')}; lists and overview of "
        f"{costs.notes.get('street', '?')} as its street official. In process (Django's test client):"
        " the web figure leaves out gunicorn and the network.",
        "",
        "| request | web CPU ms | PostgreSQL CPU ms | WAL bytes |",
        "|---|--:|--:|--:|",
    ]
    c = costs
    table: list[tuple[str, float, float, float | None]] = [
        (
            "resident's report (`POST /api/v1/cases/public`)",
            c.intake_web_ms,
            c.intake_db_ms,
            c.intake_wal_bytes,
        ),
        ("one case action (`case_transition` accept)", c.action_web_ms, c.action_db_ms, c.action_wal_bytes),
        ("a street's case list page (`/cases/`)", c.list_web_ms, c.list_db_ms, None),
        ("a street's annual overview page (`/statistics/`)", c.overview_web_ms, c.overview_db_ms, None),
    ]
    for label, web, db_ms, wal in table:
        lines.append(f"| {label} | {web:.1f} | {db_ms:.1f} | {'' if wal is None else f'{wal:,.0f}'} |")
    lines += [
        "",
        f"A case with its rows (transitions, kept counts, indexes): {c.bytes_per_case:,.0f} bytes.",
        "",
        f"**The province**: {province.cities} cities × {province.cases_per_city_year:,} cases a year, "
        f"peak hour {province.intake_peak:g}× the mean ({load['cases_s']:.1f} reports/s, "
        f"{load['actions_s']:.1f} actions/s); {province.officials_per_city:,} officials a city opening "
        f"{province.reads_per_official_day} pages a working day, peak {province.read_peak:g}× "
        f"({load['reads_s']:.0f} reads/s, {province.overview_share:.0%} overviews); "
        f"WAL ×{province.wal_factor:g} for full-page writes. One server: {server.cores} cores used to "
        f"{server.usable:.0%}, {server.wal_mb_s:g} MB/s of WAL, {server.connections} connections, "
        f"{server.disk_gb:,} GB.",
        "",
        "| component, in the order it saturates | demand at the peak hour | one server | use "
        "| cities one server carries | what to add |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for r in rows[:-1]:
        lines.append(
            f"| {r['component']} | {r['demand']:,.2f} {r['unit']} | {r['capacity']:,.4g} | {r['use']:.0%} | "
            f"{r['cities']:,.1f} | {r['add']} |"
        )
    lines += ["", "<!-- /bench:province -->", ""]
    return "\n".join(lines)


def run(
    *,
    requests: int,
    repeat: int,
    cases: int,
    costs: Costs | None,
    province: Province,
    server: Server,
    output: str,
    command: str,
    log: Log | None = None,
) -> str:
    measured = costs or measure(requests, repeat, cases, log=log)
    rows = model(measured, province, server)
    section = render(measured, province, server, rows, command)
    if output:
        write_report(Path(output), "province", section)
    return section
