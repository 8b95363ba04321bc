"""The deterministic demo generator: `tongxin demo --scale N --seed S`.

The same seed gives the same district: same codes, names, people and posts. Scale 1 is one city,
one county and three streets in the image of seeds 000, 001 and 003, written through the real
services. Larger scales repeat the three streets (five sets to a county) and are written in bulk.
"""

import time
from dataclasses import dataclass, field

from django.db import transaction

from tongxin.demo.generator.places import GRIDS_PER_TRIPLE, PEOPLE_PER_TRIPLE, PlacesBuilder, triples_for
from tongxin.demo.generator.plan import Plan
from tongxin.demo.generator.staffing import Staffing
from tongxin.demo.generator.writers import Progress, Timer, write_in_bulk, write_with_services

DEFAULT_SEED = 2025
# the service path checks every rule but is slow; above this many people the bulk path is used
SERVICES_MAX_PEOPLE = 5000
MIN_PEOPLE_PER_TRIPLE = 300

__all__ = ["DEFAULT_SEED", "GRIDS_PER_TRIPLE", "Options", "Result", "build_plan", "generate"]


@dataclass
class Options:
    scale: int = 1
    seed: int = DEFAULT_SEED
    people: int | None = None  # total; default 2,400 for each set of three streets
    grids: int | None = None  # at least this many grids (adds sets of three streets)
    grids_only: bool = False  # regions and grids only, for the look-up benchmark
    method: str = "auto"  # "services", "bulk" or "auto"

    @property
    def triples(self) -> int:
        return triples_for(self.scale, self.grids)

    @property
    def total_people(self) -> int:
        if self.grids_only:
            return 0
        return self.people if self.people is not None else PEOPLE_PER_TRIPLE * self.triples

    def resolved_method(self) -> str:
        if self.method != "auto":
            return self.method
        small = self.triples == 1 and self.total_people <= SERVICES_MAX_PEOPLE and not self.grids_only
        return "services" if small else "bulk"


@dataclass
class Result:
    method: str
    plan: Plan
    timings: dict[str, float] = field(default_factory=dict)


def build_plan(options: Options) -> Plan:
    if options.scale < 1:
        raise ValueError("scale must be at least 1")
    people = options.total_people
    if people and people < MIN_PEOPLE_PER_TRIPLE * options.triples:
        raise ValueError(f"at least {MIN_PEOPLE_PER_TRIPLE} people are needed for every set of three streets")
    plan = Plan(seed=options.seed)
    city = PlacesBuilder(plan, seed=options.seed, triples=options.triples, with_people=bool(people)).build()
    if people:
        Staffing(plan, city, seed=options.seed, people=people).run()
    return plan


def generate(options: Options, *, progress: Progress | None = None) -> Result:
    timer = Timer(progress)
    timer.step("plan")
    started = time.perf_counter()
    plan = build_plan(options)
    timer.stop()
    method = options.resolved_method()
    with transaction.atomic():
        if method == "services":
            write_with_services(plan, timer)
        elif method == "bulk":
            write_in_bulk(plan, timer)
        else:
            raise ValueError(f"unknown method {method!r}")
    timer.steps["total"] = time.perf_counter() - started
    return Result(method=method, plan=plan, timings=timer.steps)
