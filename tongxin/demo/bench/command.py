"""The command of a benchmark that tops one table up to a size over a grids-only city and times
its pages (`bench_households`, `bench_gridwork`)."""

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.generator import DEFAULT_SEED


class SizedBenchCommand(BaseCommand):
    size: tuple[str, int]  # the option naming the table's size and its default: ("households", 1_000_000)
    run: Callable[..., str]  # the benchmark's run(), given the size by that name

    def add_arguments(self, parser: Any) -> None:
        name, default = self.size
        parser.add_argument(f"--{name}", type=int, default=default)
        parser.add_argument("--grids", type=int, default=5_000)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--output", default="")
        parser.add_argument("--command-line", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        name, _default = self.size
        command = (
            options["command_line"]
            or f"tongxin {self.__module__.rsplit('.', 1)[-1]} --{name} {options[name]}"
        )
        section = type(self).run(
            **{name: options[name]},
            grids=options["grids"],
            repeat=options["repeat"],
            seed=options["seed"],
            output=options["output"],
            command=command,
            log=self.stdout.write,
        )
        self.stdout.write(section)
