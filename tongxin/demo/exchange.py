"""The 12345 exchange in the demo: the security administrator configures the county's hotline
platform, which has handed a few tickets down to the demo community over the last days (cases
made through the exchange's own intake, with a moving clock). The platform's callback is left
empty — the demo reaches no outside system — so its page shows the messages waiting for one."""

import random
from datetime import datetime, timedelta

from tongxin.accounts.models import RoleAssignment, User
from tongxin.cases.models import Case
from tongxin.cases.services import case_transition
from tongxin.core.roles import Role
from tongxin.demo.tally import Tally
from tongxin.exchange.feed import collect
from tongxin.exchange.models import HotlinePeer
from tongxin.exchange.services import peer_create, ticket_receive
from tongxin.regions.models import Level

TICKETS = [
    ("0101", "市民来电反映：小区东门垃圾桶满溢两天无人清运，气味很大。"),
    ("0201", "市民来电反映：3号楼电梯停运半天无人维修，老人上下楼困难。"),
    ("0102", "市民来电反映：小区后巷卫生死角长期无人清扫。"),
    ("0101", "市民来电反映：绿化带内建筑垃圾堆放多日。"),
]


ExchangeSummary = Tally


def generate_exchange(*, rng: random.Random, now: datetime) -> ExchangeSummary:
    summary = ExchangeSummary()
    admin = User.objects.filter(username="anquan").first()
    grant = (
        RoleAssignment.objects.filter(role=Role.COMMUNITY_SECRETARY, region__level=Level.COMMUNITY)
        .select_related("user", "region", "region__parent__parent")
        .order_by("id")
        .first()
    )
    if admin is None or grant is None or HotlinePeer.objects.exists():
        return summary
    community = grant.region
    county = community.parent.parent if community.parent is not None else None
    if county is None or county.level != Level.COUNTY:
        return summary
    peer, _secret = peer_create(
        actor=admin, name=f"{county.name}12345政务服务便民热线", code="demo-12345", region=county
    )
    # points of earlier cases in the community's grids, so each ticket is located to its grid
    spots = list(
        Case.objects.filter(region_path__startswith=community.path, grid__isnull=False, lng__isnull=False)
        .values_list("lng", "lat")
        .order_by("id")[:50]
    )
    made = 0
    for n, (category, text) in enumerate(TICKETS):
        moment = now - timedelta(days=4 - n, hours=rng.randint(0, 6))
        place = rng.choice(spots) if spots else None
        data = {
            "ticket_number": f"12345-{moment:%Y%m%d}-{rng.randint(1000, 9999)}",
            "category": category,
            "description": text,
            "deadline": (moment + timedelta(days=3)).isoformat(),
            **({"lng": place[0], "lat": place[1]} if place else {"community": community.code}),
        }
        ticket, created = ticket_receive(peer=peer, data=data, now=moment)
        made += created
        if n < len(TICKETS) - 1:  # the community has accepted all but the newest
            case_transition(
                case=ticket.case, action="accept", actor=grant.user, now=moment + timedelta(hours=1)
            )
    collect(now=now)
    summary.counts["12345 platforms"] = 1
    summary.counts["12345 tickets"] = made
    return summary
