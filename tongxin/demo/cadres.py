"""The cadre roster of the demo district, shaped like seed 003's "234" system: the 两委 of every
community and village (with 交叉任职 and the village 一肩挑), 四员 where none were kept, profiles
(≈44% 大专以上, a few 致富能手, 大学生村干部, 学历提升 in progress), 第一书记 and 驻村工作队 in the
township's villages, the 2021 terms, the 2026 换届 recorded and taken office where it was held, and
two units whose terms end within the warning window — written through the services, as the system."""

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tongxin.cadres.composition import age_on
from tongxin.cadres.models import (
    COLLEGE_LEVELS,
    COMMITTEE_POSITIONS,
    TIERS,
    Committee,
    Education,
    PoliticalStatus,
    StationedKind,
    Term,
    Tier,
)
from tongxin.cadres.selectors import held_on, on_roster
from tongxin.cadres.services import (
    CandidateRow,
    add_years,
    election_record,
    profile_save,
    stationed_create,
    take_office,
    term_open,
    term_rule_set,
)
from tongxin.core.actors import SYSTEM
from tongxin.demo.generator.population import PeopleFactory
from tongxin.demo.generator.staffing import CADRE_WOMEN_TAKEN, CADRE_YOUNG_AGE, CADRE_YOUNG_TAKEN
from tongxin.demo.tally import Tally
from tongxin.lib.tree import subtree_range
from tongxin.organisations.models import PartyOrganisation
from tongxin.partners.models import PartnerUnit, UnitKind
from tongxin.people.models import Gender, Person, Position, PositionKind
from tongxin.people.services import person_create, position_create
from tongxin.regions.models import Kind, Level, Region

FOUR = [
    PositionKind.POLICY_PROMOTER,
    PositionKind.INFORMATION_COLLECTOR,
    PositionKind.MEDIATOR,
    PositionKind.STARTUP_ADVISER,
]
SENDING_UNITS = ["区农业农村局", "区财政局", "区人民医院", "黔源职业技术学院", "区供销社"]
SCHOOLS = ["黔源开放大学", "黔源广播电视大学", "贵州农业职业学院"]


CadresSummary = Tally


def generate_cadres(*, rng: random.Random, now: datetime) -> CadresSummary:
    with transaction.atomic():
        return _Writer(rng, now).run()


class _Writer:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.today = timezone.localdate(now)
        self.summary = CadresSummary()
        self.factory = PeopleFactory(rng, home_area="529002")
        self.taken: set[int] = set()

    def run(self) -> CadresSummary:
        if Term.objects.exists():
            return self.summary
        units = list(Region.objects.filter(level=Level.COMMUNITY).order_by("path"))
        if not units:
            return self.summary
        # the county keeps the national rule as its own version (five years, warned 90 days ahead)
        for county in Region.objects.filter(level=Level.COUNTY).order_by("path"):
            term_rule_set(actor=SYSTEM, region=county, years=5, warn_days=90, valid_from=date(2021, 1, 1))
        held = set(held_on(Position.objects.all(), self.today).values_list("person_id", flat=True))
        self.taken |= held
        # two units wait for their 换届: their terms end within the warning window
        villages = [u for u in units if u.kind == Kind.VILLAGE]
        waiting = {units[2].pk, (villages[1] if len(villages) > 1 else units[-1]).pk}
        for unit in units:
            self.unit(unit, waiting=unit.pk in waiting)
        self.profiles(units)
        self.stationed(villages)
        return self.summary

    # -- people --------------------------------------------------------------------------------

    def pool(self, unit: Region, *, women_first: bool = False, young: bool = False) -> Person | None:
        """An adult living in the unit who holds no post yet."""
        low, high = subtree_range(unit.path)
        rows = list(
            Person.objects.filter(region__path__gte=low, region__path__lt=high, birth_date__isnull=False)
            .exclude(pk__in=self.taken)
            .order_by("pk")[:400]
        )
        rows = [p for p in rows if 23 <= age_on(p.birth_date, self.today) <= 62]  # type: ignore[arg-type]
        if women_first and any(p.gender == Gender.FEMALE for p in rows):
            rows = [p for p in rows if p.gender == Gender.FEMALE]
        if young and any(age_on(p.birth_date, self.today) <= 35 for p in rows):  # type: ignore[arg-type]
            rows = [p for p in rows if age_on(p.birth_date, self.today) <= 35]  # type: ignore[arg-type]
        if not rows:
            return None
        # shaped like the roster of seed 003 (≈35% women, ≈8% aged 35 or under), as staffing does
        weights = [
            (1.0 if women_first or p.gender != Gender.FEMALE else CADRE_WOMEN_TAKEN)
            * (1.0 if young or age_on(p.birth_date, self.today) > CADRE_YOUNG_AGE else CADRE_YOUNG_TAKEN)  # type: ignore[arg-type]
            for p in rows
        ]
        person = self.rng.choices(rows, weights)[0]
        self.taken.add(person.pk)
        return person

    def post(
        self, person: Person, kind: str, unit: Region, starts_on: date, org: PartyOrganisation | None
    ) -> None:
        position_create(
            person=person,
            kind=kind,
            starts_on=starts_on,
            region=unit,
            organisation=org if kind in COMMITTEE_POSITIONS[Committee.PARTY] else None,
        )
        self.summary.add("posts added")

    # -- one community or village --------------------------------------------------------------

    def unit(self, unit: Region, *, waiting: bool) -> None:
        rng = self.rng
        org = PartyOrganisation.objects.filter(region=unit).order_by("depth", "pk").first()
        if waiting:
            start = add_years(self.today + timedelta(days=rng.choice([30, 45, 60])), -5)
        else:
            start = date(2021, rng.randint(3, 6), rng.randint(1, 28))
        current = list(held_on(Position.objects.filter(region=unit), self.today))
        party = [p for p in current if p.kind in COMMITTEE_POSITIONS[Committee.PARTY]]
        residents = [p for p in current if p.kind in COMMITTEE_POSITIONS[Committee.RESIDENTS]]
        secretary = next((p for p in party if p.kind == PositionKind.SECRETARY), None)
        # the residents' committee: the village secretary is also its director (一肩挑); a deputy
        # from the Party committee (交叉任职) and two members from the residents
        seated = [p.person for p in residents]
        if not any(p.kind == PositionKind.RESIDENTS_DIRECTOR for p in residents):
            director = secretary.person if secretary and unit.kind == Kind.VILLAGE else self.pool(unit)
            if director is not None:
                self.post(director, PositionKind.RESIDENTS_DIRECTOR, unit, start, org)
                seated.append(director)
        deputies = [p for p in party if p.kind != PositionKind.SECRETARY]
        deputy = rng.choice(deputies).person if deputies and rng.random() < 0.7 else self.pool(unit)
        if deputy is not None:
            self.post(deputy, PositionKind.RESIDENTS_DEPUTY_DIRECTOR, unit, start, org)
            seated.append(deputy)
        # the villagers' committee has a woman member (村民委员会组织法 art. 6)
        for _i in range(2):
            woman = any(p.gender == Gender.FEMALE for p in seated)
            person = self.pool(unit, women_first=not woman)
            if person is not None:
                self.post(person, PositionKind.RESIDENTS_MEMBER, unit, start, org)
                seated.append(person)
        # 四员 where the unit kept none
        if not any(p.kind in TIERS[Tier.FOUR_ASSISTANTS] for p in current):
            for kind in FOUR:
                person = self.pool(unit)
                if person is not None:
                    self.post(person, kind, unit, start + timedelta(days=rng.randint(20, 90)), org)
        terms = {
            committee: term_open(actor=SYSTEM, region=unit, committee=committee, starts_on=start, number=11)
            for committee in Committee.values
        }
        self.summary.add("terms", len(terms))
        if waiting:
            return
        held = date(2026, rng.randint(3, 8), rng.randint(1, 28))
        held = min(held, self.today - timedelta(days=20))
        for committee, term in terms.items():
            if committee == Committee.PARTY and org is None:
                continue
            self.election(unit, term, committee, held)

    def election(self, unit: Region, term: Term, committee: str, held: date) -> None:
        """The 2026 换届: most of the committee re-elected, one stands down, a 三长/四员 holder and
        sometimes a newcomer elected."""
        rng = self.rng
        seats = list(
            held_on(
                Position.objects.filter(region=unit, kind__in=COMMITTEE_POSITIONS[committee]), held
            ).select_related("person")
        )
        if not seats:
            return
        ballots = rng.randint(300, 1800) if unit.kind == Kind.VILLAGE else rng.randint(800, 3000)
        rows: list[CandidateRow] = []
        people: set[int] = set()
        leaving = rng.choice(
            [s for s in seats if s.kind not in {PositionKind.SECRETARY, PositionKind.RESIDENTS_DIRECTOR}]
            or [None]
        )
        for seat in seats:
            if seat.person_id in people:
                continue
            people.add(seat.person_id)
            elected = seat is not leaving
            votes = int(ballots * (rng.uniform(0.82, 0.97) if elected else rng.uniform(0.3, 0.45)))
            rows.append(CandidateRow(person=seat.person, kind=seat.kind, votes=votes, elected=elected))
        member = (
            PositionKind.COMMITTEE_MEMBER if committee == Committee.PARTY else PositionKind.RESIDENTS_MEMBER
        )
        low, high = subtree_range(unit.path)
        promoted = (
            held_on(Position.objects.filter(on_roster(), region__path__gte=low, region__path__lt=high), held)
            .filter(kind__in=TIERS[Tier.THREE_HEADS] | TIERS[Tier.FOUR_ASSISTANTS])
            .exclude(person_id__in=people)
            .select_related("person")
            .order_by("pk")
        )
        if committee == Committee.PARTY:
            promoted = promoted.exclude(person__party_status="")
        choice = rng.choice(list(promoted[:30]) or [None])
        if choice is not None:
            people.add(choice.person_id)
            rows.append(
                CandidateRow(
                    person=choice.person,
                    kind=member,
                    votes=int(ballots * rng.uniform(0.7, 0.9)),
                    elected=True,
                )
            )
        loser = self.pool(unit)
        if loser is not None and committee == Committee.RESIDENTS:
            rows.append(CandidateRow(person=loser, kind=member, votes=int(ballots * rng.uniform(0.2, 0.4))))
        election = election_record(
            actor=SYSTEM,
            region=unit,
            committee=committee,
            held_on=held,
            candidates=rows,
            eligible_voters=int(ballots / rng.uniform(0.88, 0.96)),
            ballots_cast=ballots,
        )
        take_office(term, election, actor=SYSTEM, starts_on=held)
        self.summary.add("elections held and taken office")

    # -- profiles --------------------------------------------------------------------------------

    def profiles(self, units: list[Region]) -> None:
        rng = self.rng
        village_ids = {u.pk for u in units if u.kind == Kind.VILLAGE}
        rows = (
            Position.objects.filter(on_roster())
            .select_related("person", "region")
            .order_by("person_id", "pk")
        )
        seen: set[int] = set()
        paths = {u.pk: u.path for u in units}
        for position in rows:
            person = position.person
            if person.pk in seen:
                continue
            seen.add(person.pk)
            age = age_on(person.birth_date, self.today) if person.birth_date else 45
            in_village = any(position.region.path.startswith(paths[v]) for v in village_ids)
            college = rng.random() < (0.72 if age <= 35 else 0.47 if age <= 50 else 0.3)
            if college:
                education = rng.choices(
                    [Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE], [5, 4, 1]
                )[0]
            else:
                education = rng.choices([Education.JUNIOR, Education.SENIOR], [2, 3])[0]
            upgrading = not college and age < 50 and rng.random() < 0.12
            profile_save(
                actor=SYSTEM,
                person=person,
                education=education,
                upgrade_level=Education.COLLEGE if upgrading else "",
                upgrade_school=rng.choice(SCHOOLS) if upgrading else "",
                upgrade_expected_on=date(self.today.year + 1, 7, 1) if upgrading else None,
                political_status=PoliticalStatus.LEAGUE
                if age < 28 and not person.party_status
                else PoliticalStatus.MASSES,
                wealth_leader=in_village and rng.random() < 0.1,
                college_graduate_cadre=in_village
                and education in COLLEGE_LEVELS
                and age <= 35
                and rng.random() < 0.6,
                veteran=person.gender == Gender.MALE and rng.random() < 0.05,
            )
            self.summary.add("profiles")

    # -- 第一书记 and 驻村工作队 ---------------------------------------------------------------------

    def stationed(self, villages: list[Region]) -> None:
        rng = self.rng
        units = list(PartnerUnit.objects.filter(kind=UnitKind.COUNTY_DEPARTMENT).order_by("pk")[:5])
        county = villages[0].parent.parent if villages and villages[0].parent else None
        for i, village in enumerate(villages):
            if i % 3 == 2:
                continue  # not every village has a first secretary
            start = date(self.today.year - 1, rng.randint(4, 9), 1)
            unit = units[i % len(units)] if units else None
            members = [StationedKind.FIRST_SECRETARY] + (
                [StationedKind.TEAM_MEMBER] * 2 if i % 2 == 0 else []
            )
            for kind in members:
                gender = rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE])
                birth = self.factory.birth_date(min_age=26, max_age=50)
                person = person_create(
                    name=self.factory.surname() + self.factory.given_name(gender, birth.year),
                    gender=gender,
                    birth_date=birth,
                    region=county or village,
                    employer=unit.name if unit else SENDING_UNITS[i % len(SENDING_UNITS)],
                    party_status="full",
                    party_joined_on=add_years(birth, 24),
                    party_full_on=add_years(birth, 25),
                )
                stationed_create(
                    actor=SYSTEM,
                    person=person,
                    kind=kind,
                    village=village,
                    starts_on=start,
                    ends_on=add_years(start, 2),
                    sending_unit=unit,
                    sending_unit_name="" if unit else SENDING_UNITS[i % len(SENDING_UNITS)],
                )
                self.summary.add("first secretaries and work team members")
