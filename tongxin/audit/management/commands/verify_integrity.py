from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.audit.integrity import seal_missing, verify


class Command(BaseCommand):
    help = (
        "Verify the seals (keyed hashes) of the important tables — the case history and the case "
        "configuration — and say which rows were changed or deleted outside Tongxin; exit with status "
        "1 on any. --seal first seals the rows written in bulk since the job last ran."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seal", action="store_true", help="seal unsealed rows before verifying")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            self.stdout.write(f"sealed {seal_missing()} rows written in bulk")
        report = verify()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.intact:
            raise CommandError(f"{len(report.problems)} rows changed or deleted outside Tongxin")
        self.stdout.write(
            f"integrity intact: {report.checked} sealed rows match; {report.unsealed} not sealed yet"
        )
