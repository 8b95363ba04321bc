"""The overview of any node (issue 17, part overview): `tongxin bench_overview` times, on the
database as it is (after `bench_scale`), the three rates, the annual overview page, the children's
values API and the annual report (.docx) of a community, a street, a county and the city root —
first counted live (the path every page took before the kept figures: `live=1`, or no kept row),
then read from the kept figures the worker computes (statistics/kept.py), with the time the worker
took to keep each node's year. p50 / p95 and the queries of one request, through Django's test
client in process; the first request of each series warms the caches and is not counted.
"""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.core.roles import Role
from tongxin.demo.bench.cases import percentile
from tongxin.demo.bench.city import database_label
from tongxin.demo.bench.scale import _busiest, _user
from tongxin.regions.models import Level, Region
from tongxin.statistics import kept, selectors
from tongxin.statistics.models import KeptFigures
from tongxin.statistics.periods import year
from tongxin.statistics.services import figures_keep

Log = Callable[[str], None]
ROLES = {"community": Role.COMMUNITY_SECRETARY, "street": Role.STREET_OFFICIAL, "county": Role.COUNTY_ORG}


@dataclass
class Row:
    what: str
    live: list[float] = field(default_factory=list)
    kept: list[float] = field(default_factory=list)
    live_queries: int = 0
    kept_queries: int = 0

    def cells(self) -> str:
        def p(samples: list[float], q: float) -> str:
            return f"{percentile(samples, q) * 1000:,.0f}" if samples else "—"

        return (
            f"| {self.what} | {p(self.live, 0.5)} / {p(self.live, 0.95)} | {self.live_queries or '—'} | "
            f"{p(self.kept, 0.5)} / {p(self.kept, 0.95)} | {self.kept_queries or '—'} |"
        )


class _Counter:
    """Counts the queries of a request (Django's query log keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def _timed(client: Client, url: str, repeat: int) -> tuple[list[float], int]:
    samples: list[float] = []
    queries = 0
    for i in range(repeat + 1):
        counter = _Counter()
        with connection.execute_wrapper(counter):
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        if i:
            samples.append(elapsed)
        queries = counter.n
    return samples, queries


def _nodes() -> dict[str, Region]:
    street = _busiest(Level.STREET)
    root = Region.objects.filter(parent__isnull=True).order_by("path").first()
    assert street.parent is not None and root is not None
    return {
        "community": _busiest(Level.COMMUNITY, under=street),
        "street": street,
        "county": street.parent,
        "root": root,
    }


def run(
    *,
    repeat: int = 10,
    slow_repeat: int = 3,
    only: tuple[str, ...] = (),
    phases: tuple[str, ...] = ("live", "kept"),
    log: Log,
) -> dict[str, Any]:
    nodes = {who: node for who, node in _nodes().items() if not only or who in only}
    period = year(timezone.localdate().year)
    clients: dict[str, Client] = {}
    for who, node in nodes.items():
        user = _user(f"bench-scale-{who}", ROLES.get(who, Role.COUNTY_ORG), node)
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].force_login(user)
    # what the benchmark keeps: each node's year and the year before, and its children's year
    wanted = [(node, p) for node in nodes.values() for p in (period, period.previous())]
    wanted += [
        (c, period)
        for who in ("street", "county", "root")
        if who in nodes
        for c in selectors.children_of(nodes[who])
    ]
    KeptFigures.objects.filter(
        node__in=[n for n, _p in wanted], since__in=[period.since, period.previous().since]
    ).delete()
    q = {who: f"node={node.pk}&period=year&year={period.since.year}" for who, node in nodes.items()}
    docx = reverse("statistics:report_docx")
    since, until = timezone.localdate() - timedelta(days=364), timezone.localdate()
    rows: list[Row] = []
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())

    def series(what: str, who: str, url: str, phase: str) -> None:
        times = slow_repeat if who in {"county", "root"} or "report" in what else repeat
        samples, queries = _timed(clients[who], url, times)
        row = next((r for r in rows if r.what == what), None)
        if row is None:
            row = Row(what)
            rows.append(row)
        setattr(row, phase, samples)
        setattr(row, f"{phase}_queries", queries)
        log(f"  {what} ({phase}): p95 {percentile(samples, 0.95) * 1000:,.0f} ms, {queries} queries")

    for phase in phases:
        if phase == "kept":
            started = time.perf_counter()
            for node, p in wanted:
                figures_keep(node=node, period=p)
            keep_seconds = time.perf_counter() - started
            log(f"  kept {len(wanted)} rows in {keep_seconds:.0f} s")
        for who in nodes:
            rates = f"/api/v1/cases/rates?node={nodes[who].pk}&since={since}&until={until}"
            if phase == phases[0]:
                series(f"rates {who}", who, rates, phase)
            extra = "&live=1" if phase == "live" else ""
            series(f"overview {who}", who, f"/statistics/?{q[who]}{extra}", phase)
            if who != "community":
                children = f"/api/v1/statistics/children?{q[who]}{'&live=true' if extra else ''}"
                series(f"children API {who}", who, children, phase)
                series(f"report (.docx) {who}", who, f"{docx}?{q[who]}", phase)
    seconds = {
        level: sorted(r.seconds for r in KeptFigures.objects.filter(node__level=level, since=period.since))
        for level in kept.KEEP_LEVELS
    }
    return {
        "database": database_label()[1],
        "nodes": {who: node.name for who, node in nodes.items()},
        "rows": rows,
        "keep_seconds": seconds,
        "load": f"load average {load_before} before, {', '.join(f'{x:.2f}' for x in os.getloadavg())} after",
    }


def render(result: dict[str, Any]) -> str:
    nodes = ", ".join(f"{who} {name}" for who, name in result["nodes"].items())
    lines = [
        f"{result['database']}; {nodes}; {result['load']}.",
        "",
        "| what (a year) | counted live p50 / p95 ms | queries | kept figures p50 / p95 ms | queries |",
        "|---|--:|--:|--:|--:|",
    ]
    lines += [r.cells() for r in result["rows"]]
    lines += [
        "",
        "| worker: keeping one node's year (s) | nodes measured | median | max |",
        "|---|--:|--:|--:|",
    ]
    for level, found in result["keep_seconds"].items():
        if found:
            lines.append(f"| {level} | {len(found)} | {found[len(found) // 2]:.2f} | {found[-1]:.2f} |")
    return "\n".join(lines) + "\n"
