from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.demo.bench import cases as bench
from tongxin.regions.models import Level, Region


class Command(BaseCommand):
    help = (
        "Measure case intake through the API, the case list with filters and the three rates at city "
        "scale. Tops the database up to --cases cases first (bulk writer); needs the demo city."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--intake", type=int, default=2000, help="API intake requests to time")
        parser.add_argument("--repeat", type=int, default=20, help="requests per list filter")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--pages-only",
            action="store_true",
            help="only the first page against a deep page by OFFSET and by cursor (after the top-up)",
        )
        parser.add_argument("--page", type=int, default=2000, help="the deep page measured (50 a page)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Region.objects.filter(level=Level.GRID).exists():
            raise CommandError("No grids: generate the demo city first (tongxin demo --scale N).")
        if options["pages_only"]:
            bench.ensure_cases(options["cases"], seed=options["seed"], log=self.stdout.write)
            runs = bench.measure_pages(options["repeat"], page=options["page"], log=self.stdout.write)
            self.stdout.write("")
            self.stdout.write(bench.render_pages(runs))
            return
        report = bench.run_all(
            cases=options["cases"],
            intake_requests=options["intake"],
            repeat=options["repeat"],
            seed=options["seed"],
            log=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(bench.render(report))
