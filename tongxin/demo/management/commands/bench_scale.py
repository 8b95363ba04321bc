from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.bench import scale


class Command(BaseCommand):
    help = (
        "Cases at city scale: grow the cases to --cases with the COPY generator (the demo city of "
        f"scale {scale.CITY_SCALE} is generated first when there is no grid), then time the street's "
        "and the community's case lists, the three rates, the annual overview and report at that size."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=20_000)
        parser.add_argument("--repeat", type=int, default=20, help="requests per figure (20 or more)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--workers", type=int, default=1, help="processes writing chunks at once (PostgreSQL)"
        )
        parser.add_argument(
            "--no-pages", action="store_true", help="lists and rates only: no overview or report"
        )
        parser.add_argument("--json", default="", help="also write the figures to this JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        result = scale.run(
            cases=options["cases"],
            repeat=options["repeat"],
            seed=options["seed"],
            workers=options["workers"],
            pages=not options["no_pages"],
            log=self.stdout.write,
        )
        if options["json"]:
            scale.save(result, options["json"])
        self.stdout.write("")
        self.stdout.write(scale.render(result))
