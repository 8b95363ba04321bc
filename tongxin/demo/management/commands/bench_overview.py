from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.bench import overview


class Command(BaseCommand):
    help = (
        "The overview of any node: the rates, the annual overview, the children's values and the "
        "annual report of a community, a street, a county and the root, counted live and then read "
        "from the kept figures (run on the database bench_scale grew)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeat", type=int, default=10, help="requests per figure")
        parser.add_argument("--slow-repeat", type=int, default=3, help="requests of the county, root, report")
        parser.add_argument("--only", default="", help="some of: community,street,county,root")
        parser.add_argument("--phases", default="live,kept", help="live, kept or both (in this order)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = overview.run(
            repeat=options["repeat"],
            slow_repeat=options["slow_repeat"],
            only=tuple(w for w in options["only"].split(",") if w),
            phases=tuple(p for p in options["phases"].split(",") if p),
            log=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(overview.render(result))
