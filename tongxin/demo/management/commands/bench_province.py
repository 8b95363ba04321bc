from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.bench import province


class Command(BaseCommand):
    help = (
        "Measure the per-request costs on this machine (web CPU, PostgreSQL CPU, WAL bytes, bytes a "
        "case) and model a province of --cities × --cases-per-city cases a year: which component of "
        "one server saturates first and what to add (docs/scaling.md). --costs-from skips the "
        "measurement and reads the costs as key=value pairs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--requests", type=int, default=300, help="reports and actions measured")
        parser.add_argument("--repeat", type=int, default=20, help="list and overview pages measured")
        parser.add_argument("--cases", type=int, default=20_000, help="top the database up to this")
        parser.add_argument("--cities", type=int, default=10)
        parser.add_argument("--cases-per-city", type=int, default=2_000_000)
        parser.add_argument("--officials-per-city", type=int, default=6_000)
        parser.add_argument("--server-cores", type=int, default=16)
        parser.add_argument("--worker-cases-per-second", type=float, default=0.0)
        parser.add_argument("--costs", nargs="*", default=None, metavar="NAME=VALUE")
        parser.add_argument("--output", default="")
        parser.add_argument("--command-line", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        costs = None
        if options["costs"] is not None:
            costs = province.Costs()
            for pair in options["costs"]:
                name, value = pair.split("=", 1)
                setattr(costs, name, float(value))
        section = province.run(
            requests=options["requests"],
            repeat=options["repeat"],
            cases=options["cases"],
            costs=costs,
            province=province.Province(
                cities=options["cities"],
                cases_per_city_year=options["cases_per_city"],
                officials_per_city=options["officials_per_city"],
            ),
            server=province.Server(
                cores=options["server_cores"], worker_cases_s=options["worker_cases_per_second"]
            ),
            output=options["output"],
            command=options["command_line"] or "tongxin bench_province",
            log=self.stdout.write,
        )
        self.stdout.write(section)
