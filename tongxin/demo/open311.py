"""Open311 in the demo: the security administrator issues a key to the street's 随手拍 mini
program, which reports a few problems of the last days through GeoReport (so they wait to be
accepted like any fresh report), and a revoked key of a retired kiosk — written through the
services, as anquan, with a moving clock."""

import random
from datetime import datetime, timedelta

from django.db.models import Q

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.roles import Role
from tongxin.demo.tally import Tally
from tongxin.open311.keys import client_key_issue, client_key_revoke
from tongxin.open311.models import ClientKey
from tongxin.open311.selectors import services
from tongxin.open311.services import Submission, service_request_create
from tongxin.regions.models import Level, Region
from tongxin.regions.selectors import grid_at

REPORTS = 6
# what the mini program's users write, by category
PROBLEMS = {
    "0101": ["垃圾桶满了没人清运", "小区门口垃圾两天没收"],
    "0102": ["楼道口堆着装修垃圾", "绿化带里有人乱扔垃圾"],
    "0401": ["人行道地砖松动翘起", "路口有个大坑，雨天积水"],
    "0402": ["窨井盖缺了一角", "路边井盖松动，踩上去会响"],
    "0403": ["路灯晚上不亮", "小区东门的路灯一直闪"],
}


Open311Summary = Tally


def _street() -> Region | None:
    grant = (
        RoleAssignment.objects.filter(role=Role.STREET_OFFICIAL, region__level=Level.STREET)
        .select_related("region")
        .order_by("id")
        .first()
    )
    return grant.region if grant is not None else None


def generate_open311(*, rng: random.Random, now: datetime) -> Open311Summary:
    summary = Open311Summary()
    admin = User.objects.filter(username="anquan").first()
    street = _street()
    if admin is None or street is None or ClientKey.objects.exists():
        return summary
    kiosk, _secret = client_key_issue(client_name="街道便民自助机（已停用）", region=street, issued_by=admin)
    client_key_revoke(key=kiosk, revoked_by=admin)
    key, _secret = client_key_issue(
        client_name="“随手拍”小程序", region=street, issued_by=admin, requests_per_hour=600
    )
    grids = list(
        Region.objects.filter(level=Level.GRID, path__startswith=street.path)
        .filter(~Q(geometry=None), min_lng__isnull=False)
        .order_by("path")
    )
    categories = [c for c in services() if c.code in PROBLEMS]
    if not grids or not categories:
        return summary
    summary.counts["keys"] = 2
    for n in range(REPORTS):
        point = _point(rng.choice(grids), street, rng)
        if point is None:
            continue
        category = rng.choice(categories)
        moment = now - timedelta(days=3) + timedelta(hours=10 * n + rng.randint(0, 5))
        submission = Submission(
            service_code=category.code,
            description=f"{rng.choice(PROBLEMS[category.code])}，麻烦尽快处理。",
            lat=point[1],
            long=point[0],
            attributes={"kind": "complaint"},
            client_ref=f"ssp-{n + 1:04d}",
        )
        service_request_create(key=key, category=category, submission=submission, now=min(moment, now))
        summary.counts["requests"] = summary.counts.get("requests", 0) + 1
    return summary


def _point(grid: Region, street: Region, rng: random.Random) -> tuple[float, float] | None:
    """A point inside the grid's box that lies in one of the street's grids."""
    for _attempt in range(50):
        lng = round(rng.uniform(grid.min_lng, grid.max_lng), 6)  # type: ignore[arg-type]
        lat = round(rng.uniform(grid.min_lat, grid.max_lat), 6)  # type: ignore[arg-type]
        found = grid_at(lng, lat)
        if found is not None and found.path.startswith(street.path):
            return lng, lat
    return None
