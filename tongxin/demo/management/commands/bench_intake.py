from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.bench import intake


class Command(BaseCommand):
    help = (
        "Residents' reports through the real server: scripts/serve.sh (gunicorn and the worker, as "
        "`make run`) on this database, loaded by locust (headless, 127.0.0.1), first the bare endpoint "
        "then POST /api/v1/cases/public; counts each 201 against the new rows; writes its section of "
        "BENCHMARKS.md with --output."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", type=int, default=8, help="concurrent clients")
        parser.add_argument("--seconds", type=int, default=20, help="length of each phase")
        parser.add_argument("--warmup", type=float, default=3, help="seconds of each phase not timed")
        parser.add_argument("--rounds", type=int, default=1, help="pairs of bare and intake phases")
        parser.add_argument(
            "--max-per-user", type=int, default=20_000, help="requests a client sends at most"
        )
        parser.add_argument(
            "--workers", default="", help="gunicorn workers (default: serve.sh's WEB_WORKERS, 3)"
        )
        parser.add_argument("--no-worker", action="store_true", help="gunicorn alone, without the worker")
        parser.add_argument("--output", default="")
        parser.add_argument("--command-line", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        report = intake.run(
            users=options["users"],
            seconds=options["seconds"],
            warmup=options["warmup"],
            rounds=options["rounds"],
            workers=options["workers"],
            worker=not options["no_worker"],
            max_per_user=options["max_per_user"],
            log=self.stdout.write,
        )
        command = options["command_line"] or "tongxin bench_intake"
        self.stdout.write(intake.write(report, output=options["output"], command=command))
