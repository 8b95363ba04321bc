from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.bench import statistics as bench
from tongxin.demo.bench.cases import ensure_cases


class Command(BaseCommand):
    help = "Time the overview, the values API, a county's overview and the annual report on this database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeat", type=int, default=10)
        parser.add_argument("--cases", type=int, default=0, help="top the cases up to this many first")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"]:
            seconds = ensure_cases(options["cases"], log=self.stdout.write)
            self.stdout.write(f"cases topped up in {seconds:.0f} s")
        result = bench.run(options["repeat"], log=self.stdout.write)
        self.stdout.write(bench.render(result, "tongxin bench_statistics"))
