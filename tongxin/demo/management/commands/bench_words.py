from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.cases.models import Case
from tongxin.demo.bench import words


class Command(BaseCommand):
    help = (
        "Word search in cases through the bigram index against the old substring scan, as a street "
        "official and a community secretary (on the cases already in the database: run bench_cases first)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeat", type=int, default=20, help="requests per query")
        parser.add_argument("--scan-repeat", type=int, default=5, help="runs of the old scan per query")
        parser.add_argument("--q", action="append", default=[], help="a query (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Case.objects.exists():
            raise CommandError("No cases: run bench_cases (or bench_scale) first.")
        runs = words.measure_words(
            options["repeat"],
            queries=tuple(options["q"]) or words.QUERIES,
            scan_repeat=options["scan_repeat"],
            log=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(words.render(runs))
