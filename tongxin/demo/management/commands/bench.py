import shlex
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.demo.bench import city as benchmark
from tongxin.demo.generator import DEFAULT_SEED, Options
from tongxin.demo.selectors import has_regions


class Command(BaseCommand):
    help = (
        "Measure the generator, point → grid look-ups and subtree listings at city scale, on an empty "
        "database of its own (scripts/bench.sh provides one), and write BENCHMARKS.md."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--grids", type=int, default=10_000, help="grids of the city with people")
        parser.add_argument("--big-grids", type=int, default=50_000, help="grids of the grids-only city")
        parser.add_argument("--lookups", type=int, default=5_000, help="random points per look-up run")
        parser.add_argument("--repeat", type=int, default=30, help="runs of each listing")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--output", help="Markdown file to write (its section for this database)")
        parser.add_argument("--command-line", help="the command to quote in the report")

    def handle(self, *args: Any, **options: Any) -> None:
        if has_regions():
            raise CommandError("`tongxin bench` needs an empty database: run it through scripts/bench.sh.")
        log = self.stdout.write
        command = options["command_line"] or "tongxin " + shlex.join(sys.argv[1:])
        report = benchmark.Report(command=command, people=options["people"])
        seed = options["seed"]

        big = benchmark.run_generator(
            f"{options['big_grids']:,} grids only",
            Options(seed=seed, grids=options["big_grids"], grids_only=True),
            log,
        )
        report.generators.append(big)
        points = benchmark.city_points(options["lookups"], seed)
        report.lookups += benchmark.measure_lookups(big.grids, points, log)
        benchmark.wipe_regions()

        city = benchmark.run_generator(
            f"{options['people']:,} people",
            Options(seed=seed, grids=options["grids"], people=options["people"], method="bulk"),
            log,
        )
        report.generators.append(city)
        points = benchmark.city_points(options["lookups"], seed)
        report.lookups = benchmark.measure_lookups(city.grids, points, log) + report.lookups
        for label, user in benchmark.listing_users():
            run = benchmark.measure_listing(label, user, options["repeat"])
            log(f"  listing for {label}: {benchmark.percentile(run.total, 0.5) * 1000:.1f} ms (p50)")
            report.listings.append(run)

        key, section = benchmark.render(report)
        self.stdout.write("")
        self.stdout.write(section)
        if options["output"]:
            benchmark.write_report(Path(options["output"]), key, section)
            self.stdout.write(f"Written to {options['output']}.")
