from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.demo.bench import worker


class Command(BaseCommand):
    help = (
        "Worker throughput on PostgreSQL: two `tongxin worker` processes sweep the deadlines of a "
        "backlog of open cases while new ones arrive (the load packed --speed times denser), one is "
        "killed with SIGKILL mid-task; reports the lag and counts lost or doubled effects."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--backlog", type=int, default=500_000, help="open cases")
        parser.add_argument(
            "--overdue-share",
            type=float,
            default=0.3,
            help="share of the backlog already overdue (supervised before the run)",
        )
        parser.add_argument("--per-day", type=int, default=59_000, help="new cases a day")
        parser.add_argument("--speed", type=float, default=10.0, help="the load's compression")
        parser.add_argument("--seconds", type=float, default=240.0, help="the measured window")
        parser.add_argument("--kill-after", type=float, default=90.0, help="seconds into the window")
        parser.add_argument("--drain", type=float, default=180.0, help="seconds allowed to catch up")
        parser.add_argument(
            "--lead", type=float, default=600.0, help="seconds between placing the deadlines and the first"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--output", default="")
        parser.add_argument("--command-line", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command_line"] or (
            f"tongxin bench_worker --backlog {options['backlog']} --speed {options['speed']:g} "
            f"--seconds {options['seconds']:g}"
        )
        try:
            section = worker.run(
                backlog=options["backlog"],
                overdue_share=options["overdue_share"],
                per_day=options["per_day"],
                speed=options["speed"],
                seconds=options["seconds"],
                kill_after=options["kill_after"],
                drain=options["drain"],
                lead=options["lead"],
                seed=options["seed"],
                output=options["output"],
                command=command,
                log=self.stdout.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(section)
