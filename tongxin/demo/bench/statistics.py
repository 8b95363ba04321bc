"""City-scale figures of the statistics app: a street's annual overview, its annual report (.docx)
and a county's overview with all its streets, timed through the real pages and selectors."""

import statistics as pystats
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.models import RoleAssignment, User
from tongxin.cases.models import Case
from tongxin.core.roles import Role
from tongxin.regions.models import Level, Region

Log = Callable[[str], None]


@dataclass
class Timing:
    label: str
    samples: list[float]

    def p(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def p50(self) -> float:
        return pystats.median(self.samples) * 1000


def _user(name: str, role: str, region: Region) -> User:
    user, _ = User.objects.get_or_create(username=name)
    RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    return user


def _busiest_street() -> Region:
    best, most = None, -1
    for street in Region.objects.filter(level=Level.STREET):
        n = Case.objects.filter(region_path__gte=street.path, region_path__lt=street.path + "~").count()
        if n > most:
            best, most = street, n
    assert best is not None
    return best


def _time(fn: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        fn()
        if i:  # the first run warms the caches
            samples.append(time.perf_counter() - t0)
    return samples


def run(repeat: int = 10, log: Log | None = None) -> dict[str, Any]:
    street = _busiest_street()
    county = street.parent
    assert county is not None
    year = timezone.localdate().year
    street_cases = Case.objects.filter(
        region_path__gte=street.path, region_path__lt=street.path + "~", reported_at__year=year
    ).count()
    official = _user("bench_street_stats", Role.STREET_OFFICIAL, street)
    county_user = _user("bench_county_stats", Role.COUNTY_ORG, county)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(official)
    county_client = Client(HTTP_HOST="127.0.0.1")
    county_client.force_login(county_user)

    def get(c: Client, url: str) -> None:
        response = c.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])

    q = f"node={street.pk}&period=year&year={year}"
    county_q = f"node={county.pk}&period=year&year={year}"
    timings = [
        Timing("street overview page", _time(lambda: get(client, f"/statistics/?{q}"), repeat)),
        Timing("street values API", _time(lambda: get(client, f"/api/v1/statistics/values?{q}"), repeat)),
        Timing(
            "county overview page",
            _time(lambda: get(county_client, f"/statistics/?{county_q}"), repeat),
        ),
        Timing(
            "county children API (all streets)",
            _time(lambda: get(county_client, f"/api/v1/statistics/children?{county_q}"), repeat),
        ),
    ]
    docx = reverse("statistics:report_docx")
    report_repeat = max(3, repeat // 2)
    timings.append(
        Timing("street annual report (.docx)", _time(lambda: get(client, f"{docx}?{q}"), report_repeat))
    )
    if log:
        for t in timings:
            log(f"  {t.label}: p50 {t.p50:.0f} ms, p95 {t.p(0.95):.0f} ms")
    return {
        "street": street.name,
        "street_cases_this_year": street_cases,
        "county": county.name,
        "streets": Region.objects.filter(parent=county).count(),
        "cases": Case.objects.count(),
        "people": __import__("tongxin.people.models", fromlist=["Person"]).Person.objects.count(),
        "timings": timings,
    }


def render(result: dict[str, Any], command_line: str) -> str:
    lines = [
        f"Measured {timezone.localdate().isoformat()} with `{command_line}` on {result['cases']:,} cases and "
        f"{result['people']:,} people; the busiest street is {result['street']} "
        f"({result['street_cases_this_year']:,} cases this year), its county {result['county']} has "
        f"{result['streets']} streets.",
        "",
        "| what | p50 ms | p95 ms |",
        "|---|--:|--:|",
    ]
    for t in result["timings"]:
        lines.append(f"| {t.label} | {t.p50:.0f} | {t.p(0.95):.0f} |")
    return "\n".join(lines) + "\n"
