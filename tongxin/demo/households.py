"""Households of the demo streets and township: one per dwelling its residents already name
(兰庭家园1栋2单元101室), with a believable GB/T 39609 address (城东路77号兰庭家园1栋2单元101室);
in the villages, under each village group (村民小组, a grid without buildings) one per house its
villagers name (大寨村一组23号) and the group's other houses, whose people are not on record,
to a believable 25–40 a group;
the residents with their relation to the head, a few tagged households (独居老人, 低保, 残疾…),
十联户 and 党员联户 links in every grid, seed 000's 干部联网格 (3 street leaders, 18 grids) and
1+1 grid workers — written through the services (the households through the bulk writer,
households_bulk_create), as the system."""

import random
import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tongxin.core.actors import SYSTEM
from tongxin.demo.tally import Tally, demo_street
from tongxin.households.models import CareTag, Household, LinkKind, Relation
from tongxin.households.services import NewHousehold, households_bulk_create, link_create
from tongxin.lib.tree import subtree_range
from tongxin.people.models import Person, Position, PositionKind
from tongxin.regions.models import Kind, Level, Region

DWELLING = re.compile(r"(?:(\d+)单元)?(\d+)室$")
VILLAGE_HOUSE = re.compile(r"(第?[一二三四五六七八九十]+组)(\d+)号$")
GROUP_HOUSES = (25, 40)  # households in a village group (村民小组)
LINK_SIZE = 10  # 十联户: about ten households to a 联户长
LEADERS, LEADER_GRIDS = 3, 6  # seed 000: 3 leaders linked to 18 grids


HouseholdsSummary = Tally


def _age(person: Person, today: date) -> int:
    if person.birth_date is None:
        return 40
    return today.year - person.birth_date.year


def _relations(people: list[Person], today: date) -> list[tuple[Person, str]]:
    """The oldest adult heads the household; a partner of about their age is the spouse, those a
    generation younger children, a generation older parents."""
    adults = sorted((p for p in people if _age(p, today) >= 18), key=lambda p: -_age(p, today))
    head = adults[0] if adults else max(people, key=lambda p: _age(p, today))
    result = [(head, str(Relation.HEAD))]
    spouse_taken = False
    for person in people:
        if person is head:
            continue
        gap = _age(head, today) - _age(person, today)
        if gap >= 18:
            relation = Relation.CHILD
        elif gap <= -18:
            relation = Relation.PARENT
        elif (
            not spouse_taken and person.gender and person.gender != head.gender and _age(person, today) >= 18
        ):
            relation, spouse_taken = Relation.SPOUSE, True
        else:
            relation = Relation.OTHER
        result.append((person, str(relation)))
    return result


def _split_building_address(building: Region) -> tuple[str, str]:
    """城东路77号兰庭家园1栋 → ("城东路77号兰庭家园", "1栋"): 街巷院落 and 门楼牌号."""
    address = building.address or building.name
    match = re.search(r"(\d+)(栋|幢|号楼)$", address)
    if match is None:
        return address, ""
    return address[: match.start()], match.group(0)


def generate_households(*, rng: random.Random, now: datetime) -> HouseholdsSummary:
    with transaction.atomic():  # one commit: a few hundred households in a second or two
        return _generate(rng, now)


def _generate(rng: random.Random, now: datetime) -> HouseholdsSummary:
    """Every street's and township's buildings get their households and links; seed 000's
    干部联网格 is the demo street's (the one of the grid-worker account), 1+1 is the demo street's
    and the township's villages' (seed 001)."""
    summary = HouseholdsSummary()
    demo = demo_street()
    if demo is None:
        return summary
    today = timezone.localdate(now)
    tags = {t.code: t for t in CareTag.objects.filter(region__isnull=True)}
    for street in Region.objects.filter(level=Level.STREET).order_by("code"):
        if not Household.objects.filter(region_path__startswith=street.path).exists():
            by_grid = _street_households(rng, street, today, tags, summary)
            start = today - timedelta(days=rng.randint(300, 700))
            _household_links(rng, by_grid, start, summary)
            if street.pk == demo.pk:
                _leader_links(street, start, summary)
                _paired_workers(rng, street, start, summary)
            elif street.kind in (Kind.TOWN, Kind.TOWNSHIP):
                _paired_workers(rng, street, start, summary, villages_only=True)
        by_group = _village_households(rng, street, today, tags, summary)
        if by_group:
            _household_links(rng, by_group, today - timedelta(days=rng.randint(300, 700)), summary)
    return summary


def _street_households(
    rng: random.Random, street: Region, today: date, tags: dict[str, CareTag], summary: HouseholdsSummary
) -> dict[int, list[tuple[Household, list[Person]]]]:
    low, high = subtree_range(street.path)
    buildings = {
        b.pk: b
        for b in Region.objects.filter(path__gte=low, path__lt=high, level=Level.BUILDING).order_by("path")
    }
    dwellers: dict[tuple[int, str], list[Person]] = defaultdict(list)
    for person in Person.objects.filter(region_id__in=buildings).order_by("id"):
        dwellers[(person.region_id, person.address)].append(person)
    rows: list[NewHousehold] = []
    groups: list[list[Person]] = []
    for (building_id, address), people in sorted(dwellers.items(), key=lambda item: (item[0][0], item[0][1])):
        building = buildings[building_id]
        match = DWELLING.search(address)
        if match is None:
            continue
        street_part, number = _split_building_address(building)
        moved_in = today - timedelta(days=rng.randint(200, 365 * 25))
        codes = _care_tags(rng, people, today)
        rows.append(
            NewHousehold(
                building=building,
                street=street_part,
                house_number=number,
                unit=match.group(1) or "",
                room=match.group(2),
                residents=tuple((p, relation, moved_in) for p, relation in _relations(people, today)),
                tags=tuple(tags[c] for c in codes if c in tags),
            )
        )
        groups.append(people)
    made = households_bulk_create(actor=SYSTEM, rows=rows)
    by_grid: dict[int, list[tuple[Household, list[Person]]]] = defaultdict(list)
    for household, row, people in zip(made, rows, groups, strict=True):
        summary.add("households")
        summary.add("residents", len(people))
        if row.tags:
            summary.add("tagged households")
        by_grid[household.grid_id].append((household, people))
    return by_grid


def _village_groups(street: Region) -> list[Region]:
    """The street's village groups (村民小组): leaf grids of its villages, without buildings."""
    low, high = subtree_range(street.path)
    inside = Region.objects.filter(path__gte=low, path__lt=high)
    villages = inside.filter(level=Level.COMMUNITY, kind__in=[Kind.VILLAGE, Kind.GACHA]).values("pk")
    grids = list(inside.filter(level=Level.GRID).order_by("path"))
    parents = set(inside.filter(parent__in=[g.pk for g in grids]).values_list("parent_id", flat=True))
    village_ids = {v["pk"] for v in villages}
    return [
        g
        for g in grids
        if g.pk not in parents and any(int(i) in village_ids for i in g.path.strip("/").split("/"))
    ]


def _group_name(grid: Region, addresses: list[str]) -> str:
    """The 组 of a village group: the one its villagers' addresses name, else from the grid's name
    (大寨村第一网格 → 一组)."""
    for address in addresses:
        match = VILLAGE_HOUSE.search(address)
        if match:
            return match.group(1)
    match = re.search(r"第([一二三四五六七八九十]+)(?:网格|组)", grid.name)
    return f"{match.group(1)}组" if match else "一组"


def _village_households(
    rng: random.Random, street: Region, today: date, tags: dict[str, CareTag], summary: HouseholdsSummary
) -> dict[int, list[tuple[Household, list[Person]]]]:
    """The villages' households, under their village groups: 组 and 门牌号, no unit or room."""
    groups = _village_groups(street)
    if not groups or Household.objects.filter(building__in=groups).exists():
        return {}
    houses: dict[int, dict[str, list[Person]]] = defaultdict(lambda: defaultdict(list))
    addresses: dict[int, list[str]] = defaultdict(list)
    for person in Person.objects.filter(region__in=groups).order_by("id"):
        addresses[person.region_id].append(person.address)
        match = VILLAGE_HOUSE.search(person.address)
        if match:
            houses[person.region_id][match.group(2)].append(person)
    rows: list[NewHousehold] = []
    residents: list[list[Person]] = []
    for grid in groups:
        name = _group_name(grid, addresses[grid.pk])
        known = houses[grid.pk]
        numbers = set(known)
        target = max(len(numbers), rng.randint(*GROUP_HOUSES))
        while len(numbers) < target:  # the group's other houses, their people not on record
            numbers.add(str(rng.randint(1, 3 * target)))
        for number in sorted(numbers, key=int):
            people = known.get(number, [])
            moved_in = today - timedelta(days=rng.randint(365, 365 * 40))
            codes = _care_tags(rng, people, today) if people else []  # tags are known of people on record
            rows.append(
                NewHousehold(
                    building=grid,
                    street=name,
                    house_number=number,
                    residents=tuple((p, r, moved_in) for p, r in _relations(people, today)) if people else (),
                    tags=tuple(tags[c] for c in codes if c in tags),
                )
            )
            residents.append(people)
    made = households_bulk_create(actor=SYSTEM, rows=rows)
    by_group: dict[int, list[tuple[Household, list[Person]]]] = defaultdict(list)
    for household, row, people in zip(made, rows, residents, strict=True):
        summary.add("village households")
        summary.add("residents", len(people))
        if row.tags:
            summary.add("tagged households")
        by_group[household.grid_id].append((household, people))
    return by_group


def _care_tags(rng: random.Random, people: list[Person], today: date) -> list[str]:
    ages = [_age(p, today) for p in people]
    codes = []
    if len(people) == 1 and ages[0] >= 70 and rng.random() < 0.6:
        codes.append("living_alone")
    if any(a < 14 for a in ages) and not any(18 <= a < 55 for a in ages) and rng.random() < 0.7:
        codes.append("left_behind_child")
    draw = rng.random()
    if draw < 0.03:
        codes.append("subsistence")
    elif draw < 0.05:
        codes.append("disability")
    elif draw < 0.07:
        codes.append("veteran")
    elif draw < 0.08:
        codes.append("serious_illness")
    return codes


def _household_links(
    rng: random.Random,
    by_grid: dict[int, list[tuple[Household, list[Person]]]],
    start: date,
    summary: HouseholdsSummary,
) -> None:
    """十联户 in groups of about ten neighbours, the 联户长 one of them; each Party member living
    in the grid looks after a few households near theirs (党员联户)."""
    for _grid_id, homes in sorted(by_grid.items()):
        grid = homes[0][0].grid
        for i in range(0, len(homes), LINK_SIZE):
            group = homes[i : i + LINK_SIZE]
            adults = [
                p
                for _h, people in group
                for p in people
                if p.birth_date and start.year - p.birth_date.year >= 30
            ]
            if len(group) < 3 or not adults:
                continue
            link_create(
                actor=SYSTEM,
                kind=LinkKind.TEN_HOUSEHOLDS,
                person=rng.choice(adults),
                region=grid,
                starts_on=start,
                households=[h for h, _people in group],
            )
            summary.add("十联户 links")
        members = [(n, p) for n, (_h, people) in enumerate(homes) for p in people if p.party_status][:4]
        for n, member in members:
            near = [h for h, _people in homes[max(0, n - 2) : n + 3]]
            link_create(
                actor=SYSTEM,
                kind=LinkKind.MEMBER_HOUSEHOLDS,
                person=member,
                region=grid,
                starts_on=start + timedelta(days=rng.randint(0, 90)),
                households=near,
            )
            summary.add("党员联户 links")


def _leader_links(street: Region, start: date, summary: HouseholdsSummary) -> None:
    """Seed 000's 干部联网格: three street leaders, six grids each."""
    leaders = list(
        Position.objects.filter(
            region=street,
            kind__in=[PositionKind.SECRETARY, PositionKind.DEPUTY_SECRETARY, PositionKind.COMMITTEE_MEMBER],
            ends_on__isnull=True,
        )
        .select_related("person")
        .order_by("kind", "id")
    )
    order = {PositionKind.SECRETARY: 0, PositionKind.DEPUTY_SECRETARY: 1, PositionKind.COMMITTEE_MEMBER: 2}
    leaders.sort(key=lambda p: order.get(p.kind, 3))  # type: ignore[call-overload]
    low, high = subtree_range(street.path)
    grids = list(Region.objects.filter(path__gte=low, path__lt=high, level=Level.GRID).order_by("path"))
    seen: set[int] = set()
    chosen = []
    for position in leaders:
        if position.person_id not in seen:
            seen.add(position.person_id)
            chosen.append(position.person)
    for i, person in enumerate(chosen[:LEADERS]):
        share = grids[i * LEADER_GRIDS : (i + 1) * LEADER_GRIDS]
        if share:
            link_create(
                actor=SYSTEM,
                kind=LinkKind.CADRE_GRIDS,
                person=person,
                region=street,
                starts_on=start,
                grids=share,
            )
            summary.add("干部联网格 links")


def _paired_workers(
    rng: random.Random,
    street: Region,
    start: date,
    summary: HouseholdsSummary,
    *,
    villages_only: bool = False,
) -> None:
    """1+1: each grid's full-time grid worker with a member of the grid who holds no post (in a
    township, its villages' grids: seed 001)."""
    low, high = subtree_range(street.path)
    workers = (
        Position.objects.filter(
            kind=PositionKind.GRID_WORKER, region__path__gte=low, region__path__lt=high, ends_on__isnull=True
        )
        .select_related("person", "region")
        .order_by("region__path", "id")
    )
    if villages_only:
        villages = Region.objects.filter(path__gte=low, path__lt=high, kind=Kind.VILLAGE).values("pk")
        workers = workers.filter(region__parent__in=villages)
    with_posts = set(
        Position.objects.filter(
            region__path__gte=low, region__path__lt=high, ends_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    for position in workers:
        grid = position.region
        g_low, g_high = subtree_range(grid.path)
        candidates = list(
            Person.objects.filter(Q(region__path__gte=g_low) & Q(region__path__lt=g_high))
            .exclude(party_status="")
            .exclude(pk__in=with_posts)
            .order_by("id")[:20]
        )
        if not candidates and villages_only:  # a village's members often all hold a post: anyone without
            candidates = list(
                Person.objects.filter(Q(region__path__gte=g_low) & Q(region__path__lt=g_high))
                .exclude(pk__in=with_posts)
                .order_by("id")[:20]
            )
        if not candidates:
            continue
        link_create(
            actor=SYSTEM,
            kind=LinkKind.PAIRED_WORKERS,
            person=position.person,
            partner=rng.choice(candidates),
            region=grid,
            starts_on=start,
            grids=[grid],
        )
        summary.add("1+1 links")
