"""Cases for a demo district or a city-scale benchmark, with timelines that are real.

One planner decides, from a seeded `random.Random`, what happens to each case and when: who
reports it, who accepts, dispatches, responds, whistles, resolves, verifies, rates, follows up and
archives it, and when the worker warns and supervises. Two writers carry the plans out:

- `generate_cases()` applies every step through `case_intake` and `case_transition` with the
  clock set to the step's moment (steps of all cases interleaved in time order), so each rule is
  checked.
- `bulk_cases()` applies the same transition effects to unsaved objects and writes Case,
  CaseTransition, Whistle and Supervision rows with `bulk_create`: the city-scale path (a million
  cases in minutes). `demo/tests/test_cases.py` checks that both give the same rows for the same
  plans.

`tongxin demo` writes its cases with `year.generate_demo_cases()`: the same planner and the
services writer, cast with the demo accounts of their community (the secretary dispatches to the
staff member, the grid worker verifies, the member takes pooled orders).

Cases only happen where someone can act on them: each community needs an account that manages
cases there and one that verifies them. `ensure_duty_accounts()` creates such accounts (no
password: nobody logs in with them) where the district has none, e.g. in a bulk-written city.
"""

from tongxin.demo.cases.planner import (
    CasePlan,
    Place,
    Planner,
    Step,
    ensure_duty_accounts,
    places,
    plan_cases,
)
from tongxin.demo.cases.writers import (
    CasesSummary,
    _Codes,
    _Phones,
    _Simulator,
    apply_with_services,
    bulk_cases,
    generate_cases,
    simulate,
)

__all__ = [
    "CasePlan",
    "CasesSummary",
    "Place",
    "Planner",
    "Step",
    "_Codes",
    "_Phones",
    "_Simulator",
    "apply_with_services",
    "bulk_cases",
    "ensure_duty_accounts",
    "generate_cases",
    "places",
    "plan_cases",
    "simulate",
]
