from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.bench import households as bench
from tongxin.demo.generator import DEFAULT_SEED


class Command(BaseCommand):
    help = (
        "Top the households up to --households over every grid (a city of --grids grids is generated on "
        "an empty database), then time a grid worker's and a street official's household pages and the "
        "API list; writes its section of BENCHMARKS.md with --output."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--households", type=int, default=1_000_000)
        parser.add_argument("--grids", type=int, default=5_000)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--output", default="")
        parser.add_argument("--command-line", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command_line"] or f"tongxin bench_households --households {options['households']}"
        section = bench.run(
            households=options["households"],
            grids=options["grids"],
            repeat=options["repeat"],
            seed=options["seed"],
            output=options["output"],
            command=command,
            log=self.stdout.write,
        )
        self.stdout.write(section)
