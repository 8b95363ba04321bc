from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongxin.demo.generator import DEFAULT_SEED, GRIDS_PER_TRIPLE, Options, generate
from tongxin.demo.history import StepFailed, write_history
from tongxin.demo.selectors import demo_summary, has_regions


class Command(BaseCommand):
    help = (
        "Generate a believable demo district (deterministic: the same seed gives the same data). "
        f"Scale 1 is one city, one county and three streets with {GRIDS_PER_TRIPLE} grids and 2,400 people; "
        "larger scales add sets of three streets, five to a county."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=int, default=1, help="sets of three streets (default 1)")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--people", type=int, help="total number of people instead of 2,400 per scale step"
        )
        parser.add_argument("--grids", type=int, help="at least this many grids (raises the scale)")
        parser.add_argument(
            "--grids-only", action="store_true", help="regions and grids only (look-up benchmark)"
        )
        parser.add_argument(
            "--method",
            choices=["auto", "services", "bulk"],
            default="auto",
            help="write through the services (checks every rule) or in bulk; auto: services at scale 1",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any region exists already")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="structure and people only: no year of cases, co-building and member life",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TONGXIN_SECURITY_PROFILE == "mlps3":
            raise CommandError(
                "The demo's accounts share one published password: not in the mlps3 profile "
                "(run it with TONGXIN_SECURITY_PROFILE=demo on a machine of its own)."
            )
        if has_regions():
            if options["if_empty"]:
                self.stdout.write("Regions exist already: demo data left as it is.")
                return
            raise CommandError("The database already holds regions; the demo needs an empty one.")
        opts = Options(
            scale=options["scale"],
            seed=options["seed"],
            people=options["people"],
            grids=options["grids"],
            grids_only=options["grids_only"],
            method=options["method"],
        )
        verbose = options["verbosity"] >= 2
        try:
            result = generate(
                opts, progress=(lambda step: self.stdout.write(f"  {step}…")) if verbose else None
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Demo data, seed {opts.seed}, scale {opts.triples}, written {result.method} "
            f"in {result.timings['total']:.1f} s:"
        )
        for line in demo_summary().lines():
            self.stdout.write(f"  {line}")
        if result.method == "services" and not opts.grids_only and not options["no_history"]:
            try:
                write_history(seed=opts.seed, log=self.stdout.write)
            except StepFailed as exc:
                raise CommandError(str(exc)) from exc
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items() if k != "total")
        self.stdout.write(f"  time: {steps}")
