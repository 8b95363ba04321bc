from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.bench import gridwork as bench
from tongxin.demo.generator import DEFAULT_SEED


class Command(BaseCommand):
    help = (
        "Top the grid-work log up to --entries (over a year and every grid; a city of --grids grids is "
        "generated on an empty database), then time a grid worker's 'my grid' and a street's monthly "
        "log figures; writes its section of BENCHMARKS.md with --output."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--entries", type=int, default=5_000_000)
        parser.add_argument("--grids", type=int, default=5_000)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--output", default="")
        parser.add_argument("--command-line", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command_line"] or f"tongxin bench_gridwork --entries {options['entries']}"
        section = bench.run(
            entries=options["entries"],
            grids=options["grids"],
            repeat=options["repeat"],
            seed=options["seed"],
            output=options["output"],
            command=command,
            log=self.stdout.write,
        )
        self.stdout.write(section)
