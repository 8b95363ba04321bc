import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tongxin.demo.bench import partitions


class Command(BaseCommand):
    help = (
        "PostgreSQL: measure monthly range partitioning of cases and transitions, and archiving old "
        "closed cases, on copies built in SQL (schema bench_parts, dropped afterwards)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--months", type=int, default=36, help="months of history the cases span")
        parser.add_argument("--repeat", type=int, default=40, help="runs of each read")
        parser.add_argument("--keep", action="store_true", help="keep the schema for a look")
        parser.add_argument(
            "--service",
            type=int,
            default=0,
            help="instead: this many bulk cases over two years, archived by the service (any database)",
        )
        parser.add_argument("--batch", type=int, default=500, help="the service's cases per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        if options["service"]:
            found = partitions.service(
                cases=options["service"], seed=2026, batch=options["batch"], log=self.stdout.write
            )
            self.stdout.write(f"archiving service on {connection.vendor} (load average before: {load})")
            for key, value in found.items():
                self.stdout.write(f"| {key} | {value:,.1f} |")
            return
        if connection.vendor != "postgresql":
            raise CommandError("bench_partitions measures PostgreSQL: set DATABASE_URL.")
        if options["cases"] < 1000 or options["months"] < 14:
            raise CommandError("--cases at least 1000, --months at least 14 (a year to archive)")
        report = partitions.run(
            cases=options["cases"],
            months=options["months"],
            repeat=options["repeat"],
            keep=options["keep"],
            log=self.stdout.write,
        )
        command = f"tongxin bench_partitions --cases {options['cases']} --months {options['months']}"
        self.stdout.write(partitions.render(report, load=load, command=command))
