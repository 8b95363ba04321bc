"""People of the demo city, their Party membership, their posts and the demo accounts."""

import random
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from tongxin.demo import names
from tongxin.demo.generator.personas import PERSONA_BY_USERNAME
from tongxin.demo.generator.places import (
    City,
    CommunityInfo,
    CountyInfo,
    GrandCommittee,
    GridInfo,
    StreetInfo,
)
from tongxin.demo.generator.plan import AccountSpec, PersonSpec, Plan, PositionSpec
from tongxin.demo.generator.population import REFERENCE_DATE, PeopleFactory, age_on
from tongxin.people.models import PartyStatus, PositionKind
from tongxin.regions.models import Level

MEMBER_SHARE = 0.09  # drawn at random, on top of three full members guaranteed per branch
PROBATIONARY_SHARE = 0.07
IN_SERVICE_SHARE = 0.55  # members of working age employed outside the community (在职党员)
EMPLOYED_SHARE = 0.4
BRANCH_COMMITTEE_FROM = 7
A_CONCURRENT = [2, 2, 2, 2, 1, 1]  # 兼职委员 of the six communities (seed 000: 12 with the street's)
# the cadre roster's shape: how often a woman, or someone aged 35 or under, who fits a "234" post is
# taken (seed 003: 472 women and 115 aged 35 or under among 1,357 people; the residents are half
# women and about a fifth of the adults of working age are 35 or under)
CADRE_WOMEN_TAKEN = 0.3
CADRE_YOUNG_TAKEN = 0.05
CADRE_YOUNG_AGE = 35
PARTNER_DEPARTMENTS = ["农业农村局", "工业和信息化局", "水务局", "民政局", "卫生健康局"]

Pick = Callable[[PersonSpec, int], bool]


def apportion(total: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to `weights` that add up to `total` (largest remainder)."""
    if not weights or total <= 0:
        return [0] * len(weights)
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    result = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (result[i] - shares[i], i))
    for i in order[: total - sum(result)]:
        result[i] += 1
    return result


def _date_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


class Staffing:
    def __init__(self, plan: Plan, city: City, *, seed: int, people: int) -> None:
        self.plan = plan
        self.city = city
        self.total = people
        self.rng = random.Random(f"{seed}:people")
        self.posts_rng = random.Random(f"{seed}:posts")
        # the cadre roster's shape (seed 003): its own draws, so the other picks stay as they were
        self.shape_rng = random.Random(f"{seed}:cadre shape")
        self.factory = PeopleFactory(self.rng, home_area=city.counties[0].spec.code[:6])
        self.ages: list[int] = []
        self.busy: set[int] = set()
        self.at_region: dict[str, list[int]] = {}  # residence (building or grid) -> people
        self.in_grid: dict[str, list[int]] = {}  # grid (with the grids inside it) -> people
        self.in_community: dict[str, list[int]] = {}
        self.secretary: dict[str, int] = {}  # organisation -> its secretary
        self.committee: dict[str, list[int]] = {}  # organisation -> its deputies and members
        self.grid_leader: dict[str, int] = {}
        self.grid_worker: dict[str, int] = {}
        self.concurrent: dict[str, list[int]] = {}
        self.org_region = {o.code: o.region for o in plan.organisations}
        self._posts_held: set[tuple[int | None, str, str]] = set()

    def run(self) -> None:
        communities = self.city.communities()
        counts = apportion(self.total, [c.weight for c in communities])
        for community, count in zip(communities, counts, strict=True):
            self._residents(community, count)
            self._members(community)
        for county in self.city.counties:
            self._county_posts(county)
        self._accounts()
        self._residents_committees()

    # -- people ------------------------------------------------------------------------------

    def _person(
        self, *, gender: str, birth: date, surname: str, region: str, address: str, county: str
    ) -> int:
        f = self.factory
        name = surname + f.given_name(gender, birth.year)
        age = age_on(birth)
        employer = ""
        if 22 <= age < 60 and self.rng.random() < EMPLOYED_SHARE:
            employer = self.rng.choice(names.EMPLOYERS).format(county=county)
        spec = PersonSpec(
            name=name,
            gender=gender,
            birth_date=birth,
            region=region,
            address=address,
            ethnicity=f.ethnicity(),
            employer=employer,
            phone=f.phone() if age >= 14 else "",
            id_card=f.id_card(gender, birth),
        )
        self.plan.people.append(spec)
        self.ages.append(age)
        return len(self.plan.people) - 1

    def _household(self, size: int, region: str, address: str, county: str) -> list[int]:
        """A head of household, a spouse, and children (or a parent) sharing the family name."""
        rng, f = self.rng, self.factory
        head_gender = "M" if rng.random() < 0.62 else "F"
        head_birth = f.birth_date(min_age=24)
        head_surname = f.surname()
        head = self._person(
            gender=head_gender,
            birth=head_birth,
            surname=head_surname,
            region=region,
            address=address,
            county=county,
        )
        family = head_surname
        members = [head]
        for k in range(1, size):
            if k == 1 and rng.random() < 0.85:
                gender = "F" if head_gender == "M" else "M"
                birth = head_birth + timedelta(days=rng.randint(-5 * 365, 5 * 365))
                birth = min(birth, REFERENCE_DATE - timedelta(days=20 * 365))
                spouse_surname = f.surname()
                members.append(
                    self._person(
                        gender=gender,
                        birth=birth,
                        surname=spouse_surname,
                        region=region,
                        address=address,
                        county=county,
                    )
                )
                if gender == "M":  # children take the father's family name
                    family = spouse_surname
                continue
            gender = "M" if rng.random() < 0.51 else "F"
            birth = head_birth + timedelta(days=rng.randint(22 * 365, 36 * 365))
            if birth > REFERENCE_DATE:  # too young to have children: a parent lives with them
                birth = head_birth - timedelta(days=rng.randint(22 * 365, 30 * 365))
            members.append(
                self._person(
                    gender=gender, birth=birth, surname=family, region=region, address=address, county=county
                )
            )
        return members

    def _residents(self, community: CommunityInfo, count: int) -> None:
        county = community.street.county
        self.factory.home_area = county.spec.code[:6]
        county_name = county.spec.name
        everyone: list[int] = []
        residences = community.residences
        for residence, n in zip(residences, apportion(count, [r.weight for r in residences]), strict=True):
            people: list[int] = []
            while len(people) < n:
                size = min(n - len(people), self.rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5]))
                if community.village:
                    address = f"{residence.address}{self.rng.randint(1, 160)}号"
                else:
                    unit, floor, room = (
                        self.rng.randint(1, 3),
                        self.rng.randint(1, 18),
                        self.rng.randint(1, 4),
                    )
                    address = f"{residence.address}{unit}单元{floor}{room:02d}室"
                people.extend(self._household(size, residence.region, address, county_name))
            self.at_region[residence.region] = people
            self.in_grid.setdefault(residence.grid, []).extend(people)
            everyone.extend(people)
        # a grid's people include those of the grids inside it (nested grids, seed 003)
        for grid in sorted(community.grids, key=lambda g: -g.tier):
            if grid.parent_grid:
                self.in_grid.setdefault(grid.parent_grid, []).extend(self.in_grid.get(grid.code, []))
        self.in_community[community.spec.code] = everyone

    def _members(self, community: CommunityInfo) -> None:
        """Three full members per branch at least, then about 8% of the adults."""
        by_branch: dict[str, list[int]] = {}
        for residence in community.residences:
            if residence.branch:
                by_branch.setdefault(residence.branch, []).extend(self.at_region.get(residence.region, []))
        county = community.street.county.spec.name
        for branch, residents in by_branch.items():
            adults = [i for i in residents if self.ages[i] >= 25]
            chosen = set(self.rng.sample(adults, min(3, len(adults))))
            for i in residents:
                if i in chosen:
                    self._join(i, branch, full=True, county=county)
                elif self.ages[i] >= 19 and self.rng.random() < MEMBER_SHARE:
                    self._join(i, branch, full=self.rng.random() >= PROBATIONARY_SHARE, county=county)

    def _join(self, i: int, branch: str, *, full: bool, county: str) -> None:
        rng, person, age = self.rng, self.plan.people[i], self.ages[i]
        person.branch = branch
        if full:
            person.party_status = PartyStatus.FULL
            earliest = person.birth_date.replace(year=person.birth_date.year + 18, day=1) + timedelta(days=31)
            latest = min(REFERENCE_DATE - timedelta(days=430), earliest + timedelta(days=30 * 365))
            joined = _date_between(rng, earliest, max(earliest, latest))
            person.party_joined_on = joined
            person.party_full_on = joined + timedelta(days=365 + rng.randint(0, 20))
        else:
            person.party_status = PartyStatus.PROBATIONARY
            person.party_joined_on = REFERENCE_DATE - timedelta(days=rng.randint(30, 330))
        if 22 <= age < 60 and not person.employer and rng.random() < IN_SERVICE_SHARE:
            person.employer = rng.choice(names.EMPLOYERS).format(county=county)

    # -- posts -------------------------------------------------------------------------------

    def _pick(
        self,
        pool: list[int],
        ok: Pick,
        *,
        employer: str | None = None,
        member: bool = False,
        cadre: bool = False,
        strict: bool = False,
    ) -> int | None:
        """A person from `pool` that `ok` accepts, preferring one without a post yet.

        Someone who already holds a post may take another (一肩挑), but keeps their employer.
        Failing that, any free adult will do (a member, for Party posts), then any member.
        A `cadre` post (the "234" roster) is first offered as `_cadre` shapes it, then as usual;
        `strict`: only `ok` as shaped (None when nobody fits: the caller tries a wider pool).
        """
        if not pool:
            return None
        people, ages, busy = self.plan.people, self.ages, self.busy
        start = self.posts_rng.randrange(len(pool))
        order = pool[start:] + pool[:start]

        def relaxed(i: int) -> bool:
            return ages[i] >= 18 and (bool(people[i].party_status) or not member)

        found = None
        if cadre:
            shaped = self._cadre(ok)
            found = next((i for i in order if i not in busy and shaped(people[i], ages[i])), None)
            if found is None and strict:
                return None
            if found is None:
                adult = self._cadre(lambda p, age: age >= 18 and (bool(p.party_status) or not member))
                found = next((i for i in order if i not in busy and adult(people[i], ages[i])), None)
        if found is None:
            found = next((i for i in order if i not in busy and ok(people[i], ages[i])), None)
        if found is None:
            found = next((i for i in order if i not in busy and relaxed(i)), None)
        if found is None and (employer is None or member):
            already = next((i for i in order if ok(people[i], ages[i])), None)
            if already is None and member:
                already = next((i for i in order if relaxed(i)), None)
            return already
        if found is not None:
            busy.add(found)
            if employer is not None:
                people[found].employer = employer
        return found

    def _cadre(self, ok: Pick) -> Pick:
        """`ok`, shaped like seed 003's "234" roster (1,357 people: ≈35% women, ≈8% aged 35 or
        under): a woman or a young candidate is passed over more often than the residents' share
        alone would give. A pool with nobody else still gets its post (_pick relaxes)."""
        rng = self.shape_rng

        def accept(person: PersonSpec, age: int) -> bool:
            if not ok(person, age):
                return False
            if person.gender == "F" and rng.random() >= CADRE_WOMEN_TAKEN:
                return False
            return not (age <= CADRE_YOUNG_AGE and rng.random() >= CADRE_YOUNG_TAKEN)

        return accept

    def _post(
        self,
        person: int | None,
        kind: str,
        starts: date,
        *,
        region: str | None = None,
        org: str | None = None,
    ) -> None:
        if org is not None and region is None:
            region = self.org_region[org]
        # one post per person in an organisation, and no post twice at one place
        key = (person, org or "", "" if org else f"{kind}@{region}")
        if person is None or key in self._posts_held:
            return
        self._posts_held.add(key)
        self.plan.add_position(
            PositionSpec(person=person, kind=kind, starts_on=starts, region=region, organisation=org)
        )

    def _committee(
        self,
        org: str | None,
        pool: list[int],
        *,
        deputies: int,
        members: int,
        starts: date,
        employer: str | None = None,
    ) -> None:
        if org is None:
            return
        secretary = self._pick(pool, _member(35, 60), employer=employer, member=True, cadre=True)
        self._post(secretary, PositionKind.SECRETARY, starts, org=org)
        if secretary is not None:
            self.secretary[org] = secretary
        team: list[int] = []
        for kind, n in ((PositionKind.DEPUTY_SECRETARY, deputies), (PositionKind.COMMITTEE_MEMBER, members)):
            for _ in range(n):
                # one seat each: a member already on this committee is not drawn again
                seated = {secretary, *team}
                person = self._pick(
                    [i for i in pool if i not in seated],
                    _member(28, 60),
                    employer=employer,
                    member=True,
                    cadre=True,
                )
                self._post(person, kind, starts, org=org)
                if person is not None:
                    team.append(person)
        self.committee[org] = team

    def _county_posts(self, county: CountyInfo) -> None:
        rng = self.posts_rng
        everyone = [i for s in county.streets for c in s.communities for i in self.in_community[c.spec.code]]
        members = [i for i in everyone if self.plan.people[i].party_status]
        name = county.spec.name
        if county is self.city.counties[0]:
            self._committee(
                self.city.org,
                members,
                deputies=2,
                members=0,
                starts=_date_between(rng, date(2021, 11, 1), date(2021, 11, 30)),
                employer=f"中共{names.CITY_NAME}委员会",
            )
        self._committee(
            county.org,
            members,
            deputies=2,
            members=5,
            starts=_date_between(rng, date(2021, 10, 1), date(2021, 10, 31)),
            employer=f"中共{name}委员会",
        )
        for i, person in enumerate(self.committee.get(county.org or "", [])):
            if i == 2:  # the head of the organisation department sits on the county committee
                self.plan.people[person].employer = f"中共{name}委员会组织部"
        for street in county.streets:
            self._street_posts(street)

    def _street_posts(self, street: StreetInfo) -> None:
        rng = self.posts_rng
        everyone = [i for c in street.communities for i in self.in_community[c.spec.code]]
        members = [i for i in everyone if self.plan.people[i].party_status]
        county, name = street.county.spec.name, street.spec.name
        office = f"{name}人民政府" if street.type == "B" else f"{name}办事处"
        starts = _date_between(rng, date(2021, 9, 1), date(2021, 9, 30))
        self._committee(
            street.org,
            members,
            deputies=2,
            members=4 if street.type != "B" else 5,
            starts=starts,
            employer=office,
        )
        if street.org and street.type != "B":
            for k in range(2 if street.type == "A" else 1):
                unit = f"{county}{PARTNER_DEPARTMENTS[k]}"
                person = self._pick(members, _member(30, 58), employer=unit, member=True)
                self._post(person, PositionKind.CONCURRENT_MEMBER, starts, org=street.org)
                if person is not None:
                    self.concurrent.setdefault(street.org, []).append(person)
        for c, community in enumerate(street.communities):
            self._community_posts(community, concurrent=A_CONCURRENT[c] if street.type == "A" else 0)
        county_members = [
            i
            for s in street.county.streets
            for c in s.communities
            for i in self.in_community[c.spec.code]
            if self.plan.people[i].party_status
        ]
        for grand in street.grand_committees:
            # unit leaders work at their unit and live anywhere in the county
            self._grand_committee_posts(street, grand, county_members)

    def _residents_committees(self) -> None:
        """The rest of each residents' committee (居委会): a deputy director and two members beside
        the director. Drawn last, so that every earlier draw of the plan stays as it was."""
        for community in self.city.communities():
            if community.village or not community.org:
                continue
            code, everyone = community.spec.code, self.in_community[community.spec.code]
            elected = community.elected_on or date(2021, 5, 1)
            office = f"{community.spec.name}居民委员会"
            deputy = self._pick(everyone, _adult(30, 60), employer=office, cadre=True)
            self._post(deputy, PositionKind.RESIDENTS_DEPUTY_DIRECTOR, elected, region=code)
            for _ in range(2):
                member = self._pick(everyone, _adult(25, 60), employer=office, cadre=True)
                self._post(member, PositionKind.RESIDENTS_MEMBER, elected, region=code)

    def _community_posts(self, community: CommunityInfo, *, concurrent: int) -> None:
        rng, code, name = self.posts_rng, community.spec.code, community.spec.name
        everyone = self.in_community[code]
        members = [i for i in everyone if self.plan.people[i].party_status]
        elected = community.elected_on or date(2021, 5, 1)
        office = f"{name}村民委员会" if community.village else f"{name}居民委员会"
        self._committee(
            community.org,
            members,
            deputies=1,
            members=2 if community.village else 3,
            starts=elected,
            employer=office,
        )
        if community.org and not community.village:
            secretary = self.secretary.get(community.org)
            director = (
                secretary
                if rng.random() < 0.7
                else self._pick(everyone, _adult(30, 60), employer=office, cadre=True)
            )
            self._post(director, PositionKind.RESIDENTS_DIRECTOR, elected, region=code)
        county = community.street.county.spec.name
        for k in range(concurrent):
            unit = f"{county}{PARTNER_DEPARTMENTS[(k + len(self.concurrent)) % len(PARTNER_DEPARTMENTS)]}"
            person = self._pick(members, _member(30, 58), employer=unit, member=True)
            self._post(person, PositionKind.CONCURRENT_MEMBER, elected, org=community.org)
            if person is not None and community.org:
                self.concurrent.setdefault(community.org, []).append(person)
        if community.four_roles:  # 四员 of the "234" system (seed 003)
            for kind in (
                PositionKind.POLICY_PROMOTER,
                PositionKind.INFORMATION_COLLECTOR,
                PositionKind.MEDIATOR,
                PositionKind.STARTUP_ADVISER,
            ):
                person = self._pick(everyone, _adult(25, 65), cadre=True)
                self._post(person, kind, _date_between(rng, date(2021, 6, 1), date(2022, 6, 30)), region=code)
        for grid in community.grids:
            self._grid_posts(community, grid)

    def _grid_posts(self, community: CommunityInfo, grid: GridInfo) -> None:
        rng, people = self.posts_rng, self.plan.people
        in_community = self.in_community[community.spec.code]
        residents = self.in_grid.get(grid.code, []) or in_community
        branch_members = [i for i in residents if people[i].branch == grid.branch and people[i].party_status]
        # members of the same branch living elsewhere, when the grid has none to spare
        branch_pool = [i for i in in_community if people[i].branch == grid.branch and people[i].party_status]
        # a branch on this grid: its secretary, and a committee once it has seven members
        if grid.branch and self.org_region.get(grid.branch) == grid.code:
            starts = _date_between(rng, date(2021, 1, 1), date(2023, 12, 31))
            big = len(branch_members) >= BRANCH_COMMITTEE_FROM
            self._committee(
                grid.branch, branch_members, deputies=1 if big else 0, members=2 if big else 0, starts=starts
            )
        if grid.group:
            # a Party group leader lives on the grid if a member does, else anywhere in the branch
            leader = (
                self._pick(
                    branch_members or branch_pool, _member(25, 75), member=True, cadre=True, strict=True
                )
                or self._pick(branch_pool, _member(25, 75), member=True, cadre=True, strict=True)
                or self._pick(branch_members or branch_pool, _member(25, 75), member=True)
            )
            self._post(
                leader,
                PositionKind.GROUP_LEADER,
                _date_between(rng, date(2021, 1, 1), date(2024, 6, 30)),
                org=grid.group,
            )
        office = f"{community.spec.name}{'村民' if community.village else '居民'}委员会"
        if grid.tier == 1 and not grid.leaf and community.org in self.secretary:
            leader = self.secretary[community.org]  # the first-level grid is led by the secretary
        else:
            leader = self._pick(residents, _adult(28, 62), cadre=True)
        self._post(
            leader,
            PositionKind.GRID_LEADER,
            _date_between(rng, date(2019, 1, 1), date(2024, 6, 30)),
            region=grid.code,
        )
        if leader is not None:
            self.grid_leader[grid.code] = leader
        if grid.leaf:
            starts = _date_between(rng, date(2019, 1, 1), date(2024, 6, 30))
            if grid.villagers:
                # "1+1": one member who has reported (in service) and one member without a post
                pool = branch_members if len(branch_members) >= 2 else branch_pool
                reported = self._pick(pool, lambda p, a: bool(p.employer) and 22 <= a < 60, member=True)
                without_post = self._pick(pool, _member(25, 70), member=True)
                self._post(reported, PositionKind.GRID_WORKER, starts, region=grid.code)
                self._post(without_post, PositionKind.GRID_WORKER, starts, region=grid.code)
                worker = reported
            else:
                worker = self._pick(residents, _adult(22, 50), employer=office) or self._pick(
                    in_community, _adult(22, 50), employer=office
                )
                self._post(worker, PositionKind.GRID_WORKER, starts, region=grid.code)
            if worker is not None:
                self.grid_worker[grid.code] = worker
        for building in grid.buildings:
            residents_here = self.at_region.get(building, [])
            # a head from the building, else from the grid, as the roster's shape wants; else anyone
            prefer = _prefer_members(self.posts_rng)
            head = (
                self._pick(residents_here, prefer, cadre=True, strict=True)
                or self._pick(residents_here, _adult(35, 78), cadre=True, strict=True)
                or self._pick(residents, _adult(35, 78), cadre=True, strict=True)
                or self._pick(residents_here, prefer)
            )
            self._post(
                head,
                PositionKind.BUILDING_HEAD,
                _date_between(rng, date(2020, 1, 1), date(2024, 6, 30)),
                region=building,
            )
            group = grid.building_groups.get(building)
            if group:
                in_building = [i for i in residents_here if people[i].party_status] or branch_members
                leader = self._pick(in_building, _member(25, 80), member=True, cadre=True)
                self._post(
                    leader,
                    PositionKind.GROUP_LEADER,
                    _date_between(rng, date(2021, 1, 1), date(2024, 6, 30)),
                    org=group,
                )

    def _grand_committee_posts(self, street: StreetInfo, grand: GrandCommittee, members: list[int]) -> None:
        """社区大党委: the community's secretary leads; member units send deputies and 兼职委员."""
        rng = self.posts_rng
        community = next(c for c in street.communities if c.spec.code == grand.community)
        starts = community.elected_on or date(2021, 5, 1)
        secretary = self.secretary.get(community.org or "")
        self._post(secretary, PositionKind.SECRETARY, starts, org=grand.code)
        town_team = self.committee.get(street.org or "", [])
        if town_team:
            self._post(town_team[-1], PositionKind.DEPUTY_SECRETARY, starts, org=grand.code)
        for k, (unit_org, unit_name) in enumerate(grand.units):
            leader = self._pick(members, _member(32, 58), employer=unit_name, member=True)
            self._post(
                leader,
                PositionKind.SECRETARY,
                _date_between(rng, date(2019, 1, 1), date(2023, 12, 31)),
                org=unit_org,
            )
            if k == 0:
                self._post(leader, PositionKind.DEPUTY_SECRETARY, starts, org=grand.code)
            elif k <= 6:
                self._post(leader, PositionKind.CONCURRENT_MEMBER, starts, org=grand.code)

    # -- demo accounts -----------------------------------------------------------------------

    def _accounts(self) -> None:
        county = self.city.counties[0]
        street_a, town_b = county.streets[0], county.streets[1]
        community = street_a.communities[0]
        grid = community.grids[0]
        village = next(c for c in town_b.communities if c.village)
        people = self.plan.people
        used: set[int] = set()

        def first_free(
            candidates: Iterable[int | None], fallback: list[int], employer: str | None = None
        ) -> int:
            for i in candidates:
                if i is not None and i not in used:
                    break
            else:
                i = next(j for j in fallback if j not in used and self.ages[j] >= 18)
            used.add(i)
            if employer:
                people[i].employer = employer
            return i

        home = self.in_community[community.spec.code]
        county_people = [
            i for s in county.streets for c in s.communities for i in self.in_community[c.spec.code]
        ]
        in_grid = self.in_grid.get(grid.code, [])
        chosen: dict[str, tuple[int, str]] = {}
        chosen["jiedao"] = (
            first_free([self.secretary.get(street_a.org or "")], county_people),
            street_a.spec.code,
        )
        chosen["lianluoyuan"] = (
            first_free(self.concurrent.get(street_a.org or "", []), county_people),
            street_a.spec.code,
        )
        chosen["shequ_shuji"] = (
            first_free([self.secretary.get(community.org or "")], home),
            community.spec.code,
        )
        chosen["shegong"] = (
            first_free(self.committee.get(community.org or "", []), home),
            community.spec.code,
        )
        chosen["wanggezhang"] = (first_free([self.grid_leader.get(grid.code)], in_grid or home), grid.code)
        chosen["wanggeyuan"] = (first_free([self.grid_worker.get(grid.code)], in_grid or home), grid.code)
        in_service = [
            i
            for i in in_grid
            if people[i].party_status and people[i].employer and i not in self.busy and i not in used
        ]
        members = [i for i in in_grid if people[i].party_status] or [
            i for i in home if people[i].party_status
        ]
        chosen["dangyuan"] = (
            first_free(in_service[:1] or members, home, employer=None if in_service else "黔源建工集团"),
            community.spec.code,
        )
        team = self.committee.get(county.org or "", [])
        chosen["zuzhibu"] = (
            first_free(team[2:3], county_people, employer=f"中共{county.spec.name}委员会组织部"),
            county.spec.code,
        )
        chosen["zhen"] = (first_free([self.secretary.get(town_b.org or "")], county_people), town_b.spec.code)
        chosen["cun_shuji"] = (
            first_free([self.secretary.get(village.org or "")], county_people),
            village.spec.code,
        )
        free = [i for i in county_people if i not in self.busy and 25 <= self.ages[i] < 55]
        city = self.city.spec.code
        chosen["sysadmin"] = (first_free([], free, employer=f"{county.spec.name}大数据发展中心"), city)
        chosen["anquan"] = (
            first_free([], free, employer=f"中共{county.spec.name}委员会网络安全和信息化委员会办公室"),
            city,
        )
        chosen["shenji"] = (first_free([], free, employer=f"{county.spec.name}审计局"), city)
        for username, persona in PERSONA_BY_USERNAME.items():
            person, region = chosen[username]
            self.plan.accounts.append(
                AccountSpec(
                    username=username,
                    persona=str(persona.label),
                    role=persona.role,
                    region=region,
                    person=person,
                )
            )


def _member(low: int, high: int) -> Pick:
    return lambda p, age: bool(p.party_status) and low <= age < high


def _adult(low: int, high: int) -> Pick:
    return lambda p, age: low <= age < high


def _prefer_members(rng: random.Random) -> Pick:
    members_only = rng.random() < 0.5
    return lambda p, age: 35 <= age < 78 and (bool(p.party_status) or not members_only)


def region_levels(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for spec in plan.regions:
        counts[spec.level] = counts.get(spec.level, 0) + 1
    return {level: counts.get(level, 0) for level in Level.values}
