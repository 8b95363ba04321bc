"""Cases at 20,000,000 (`tongxin bench_scale`): grow the cases to a size with the COPY generator
(demo.cases.scale) and time, at that size, what officials open every day:

- the busiest street's case list as its street official, and its busiest community's as the
  community secretary (GET /api/v1/cases: roles, count and first page), every filter but words;
- the three rates (GET /api/v1/cases/rates, a year) of that community, that street and the root;
- the annual overview page (/statistics/?period=year) of the same three nodes;
- the annual report (.docx) of the street and of the root.

p50 / p95 over `repeat` requests each (the first, warming caches, is not counted), through Django's
test client in process. The same command run at 20 k, 1 M and 20 M on one database gives the
table of BENCHMARKS.md "Cases at 20,000,000"; `--json` keeps each run's figures.
"""

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.models import RoleAssignment, User
from tongxin.cases.models import OPEN_STATUSES, Case, CaseFlowMonth, CaseTransition
from tongxin.core.roles import Role
from tongxin.demo.bench.cases import list_filters, percentile
from tongxin.demo.bench.city import database_label, machine
from tongxin.demo.cases.scale import copy_cases, database_size
from tongxin.demo.generator import Options, generate
from tongxin.regions.models import Level, Region

Log = Callable[[str], None]
# a city of 120 streets (scale 40): at 20,000,000 cases over three years, 8,000,000 in the last
# one, a street receives about 67,000 cases a year, as Beijing's 343 streets and towns do
# (21.43 million 12345 requests in 2023)
CITY_SCALE = 40
CITY_PEOPLE = 20_000
TARGETS_MS = {"list": 50, "rates": 100, "overview": 100, "report": 2000}


@dataclass
class ScaleResult:
    database: str
    cases: int
    transitions: int
    open_cases: int
    generated: int
    steps: dict[str, float]
    sizes: dict[str, int]
    load: str
    nodes: dict[str, str]
    timings: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def p(self, name: str, q: float) -> float:
        return percentile(self.timings[name], q) * 1000


def _user(name: str, role: str, region: Region) -> User:
    """The benchmark's account with this one role only: a run at another size may pick another
    busiest node, and two roles would measure two subtrees (an OR of two ranges)."""
    user, _created = User.objects.get_or_create(username=name)
    RoleAssignment.objects.filter(user=user).exclude(role=role, region=region).delete()
    RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    return user


def _busiest(level: str, under: Region | None = None) -> Region:
    """The node of the level with the most cases received, from the kept month counts."""
    rows = CaseFlowMonth.objects.filter(node__level=level)
    if under is not None:
        rows = rows.filter(node__path__startswith=under.path)
    top = rows.values("node").annotate(n=Sum("received")).order_by("-n", "node").first()
    if top is None:
        raise ValueError(f"no cases in any {level}")
    return Region.objects.get(pk=top["node"])


def _time(fn: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        fn()
        if i:
            samples.append(time.perf_counter() - t0)
    return samples


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def ensure_city(log: Log) -> None:
    if not Region.objects.filter(level=Level.GRID).exists():
        log(f"generating the city (scale {CITY_SCALE}, {CITY_PEOPLE:,} people, bulk)")
        generate(Options(scale=CITY_SCALE, people=CITY_PEOPLE, method="bulk"))


def grow(cases: int, *, seed: int, workers: int, log: Log) -> tuple[int, dict[str, float]]:
    """Top the cases up to `cases` with the COPY generator; (cases added, seconds per step)."""
    have = Case.objects.count()
    if have >= cases:
        return 0, {}
    run = copy_cases(cases - have, seed=seed + have, workers=workers, log=log)
    return run.cases, run.steps


def measure(
    repeat: int, log: Log, slow_repeat: int = 3, pages: bool = True
) -> tuple[dict[str, list[float]], dict[str, str], dict[str, int]]:
    street = _busiest(Level.STREET)
    community = _busiest(Level.COMMUNITY, under=street)
    root = Region.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None
    official = _user("bench-scale-street", Role.STREET_OFFICIAL, street)
    secretary = _user("bench-scale-community", Role.COMMUNITY_SECRETARY, community)
    city = _user("bench-scale-root", Role.COUNTY_ORG, root)
    clients = {}
    for name, user in (("street", official), ("community", secretary), ("root", city)):
        clients[name] = Client(HTTP_HOST="127.0.0.1")
        clients[name].force_login(user)
    nodes = {"street": street.name, "community": community.name, "root": root.name}
    timings: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    # lists: every filter but word search
    for who, area in (("street", street), ("community", community)):
        filters = {k: v for k, v in list_filters(area, timezone.now()).items() if k != "words"}
        together: list[float] = []
        for label, query in filters.items():
            url = f"/api/v1/cases?limit=50&{query}"
            samples = _time(partial(_get, clients[who], url), repeat)
            timings[f"list {who}: {label}"] = samples
            together += samples
            counts[f"list {who}: {label}"] = _get(clients[who], url).json()["count"]
        timings[f"list {who} (all filters)"] = together
        log(f"  list {who}: p95 {percentile(together, 0.95) * 1000:.1f} ms")
    until = timezone.localdate()
    since = until - timedelta(days=364)
    year = until.year
    docx = reverse("statistics:report_docx")
    for who, node in (("community", community), ("street", street), ("root", root)):
        client = clients[who]
        rates = f"/api/v1/cases/rates?node={node.pk}&since={since}&until={until}"
        timings[f"rates {who}"] = _time(partial(_get, client, rates), repeat)
        counts[f"rates {who}: dispatched"] = _get(client, rates).json().get("dispatched", 0)
        if not pages:
            continue
        overview = f"/statistics/?node={node.pk}&period=year&year={year}"
        # the root's overview computes every figure of every app for the whole city: about a
        # minute a request on this machine at 120 streets, whatever the cases: `slow_repeat` times
        times = repeat if who != "root" else slow_repeat
        timings[f"overview {who}"] = _time(partial(_get, client, overview), times)
        log(
            f"  {who}: rates p95 {percentile(timings[f'rates {who}'], 0.95) * 1000:.1f} ms, "
            f"overview p95 {percentile(timings[f'overview {who}'], 0.95) * 1000:.0f} ms"
        )
        if who != "community":
            report = f"{docx}?node={node.pk}&period=year&year={year}"
            timings[f"report {who}"] = _time(partial(_get, client, report), slow_repeat)
            log(f"  {who}: annual report p95 {percentile(timings[f'report {who}'], 0.95) * 1000:.0f} ms")
    return timings, nodes, counts


def run(
    *, cases: int, repeat: int = 20, seed: int = 2026, workers: int = 1, pages: bool = True, log: Log
) -> ScaleResult:
    ensure_city(log)
    generated, steps = grow(cases, seed=seed, workers=workers, log=log)
    before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    timings, nodes, counts = measure(repeat, log, pages=pages)
    return ScaleResult(
        database=database_label()[1],
        cases=Case.objects.count(),
        transitions=CaseTransition.objects.count(),
        open_cases=Case.objects.filter(status__in=OPEN_STATUSES).count(),
        generated=generated,
        steps=steps,
        sizes=database_size(),
        load=f"load average {before} before, {', '.join(f'{x:.2f}' for x in os.getloadavg())} after",
        nodes=nodes,
        timings=timings,
        counts=counts,
    )


def save(result: ScaleResult, path: str) -> None:
    Path(path).write_text(json.dumps(asdict(result), ensure_ascii=False, indent=1))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def render(result: ScaleResult) -> str:
    lines = [
        f"{result.database}, {result.cases:,} cases ({result.open_cases:,} open), "
        f"{result.transitions:,} transitions; {machine()}; {result.load}.",
        f"Street {result.nodes['street']}, community {result.nodes['community']}, "
        f"root {result.nodes['root']}.",
        "",
    ]
    if result.steps:
        lines += ["| generation step | s |", "|---|--:|"]
        lines += [f"| {name} | {s:.1f} |" for name, s in result.steps.items()]
        lines += [f"| **{result.generated:,} cases in all** | {sum(result.steps.values()):.1f} |", ""]
    lines += ["| size | |", "|---|--:|"] + [f"| {k} | {_mb(v)} |" for k, v in result.sizes.items()] + [""]
    lines += ["| what | p50 ms | p95 ms | target p95 ms | rows |", "|---|--:|--:|--:|--:|"]
    for name in result.timings:
        target = TARGETS_MS.get(name.split(" ", 1)[0], "")
        rows = result.counts.get(name, result.counts.get(f"{name}: dispatched", ""))
        lines.append(
            f"| {name} | {result.p(name, 0.5):.1f} | {result.p(name, 0.95):.1f} | {target} | "
            f"{rows if rows == '' else f'{rows:,}'} |"
        )
    return "\n".join(lines) + "\n"


def load(path: str) -> ScaleResult:
    return ScaleResult(**json.loads(Path(path).read_text()))


def compare(results: list[ScaleResult]) -> str:
    """One table of several runs (sizes × databases): p95 ms of each figure, with the ratio of the
    largest run to the smallest of the same database."""
    heads = [f"{r.database.split(' (')[0]} {r.cases:,}" for r in results]
    lines = [
        "| p95 ms | target | " + " | ".join(heads) + " |",
        "|---|--:|" + "--:|" * len(results),
    ]
    names = [n for n in results[0].timings if all(n in r.timings for r in results)]
    for name in names:
        target = TARGETS_MS.get(name.split(" ", 1)[0], "")
        cells = " | ".join(f"{r.p(name, 0.95):,.1f}" for r in results)
        lines.append(f"| {name} | {target} | {cells} |")
    lines.append(
        "| load average (1, 5, 15 min) before the measurement | | "
        + " | ".join(r.load.split(" before")[0].removeprefix("load average ") for r in results)
        + " |"
    )
    return "\n".join(lines) + "\n"
