from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.audit.trail import trail_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail: the keyed hash chain, the signed checkpoints outside the database "
        "(a trimmed tail) and the archives; exit with status 1 on any problem."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = trail_verify()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.intact:
            raise CommandError(f"audit trail not intact: {'; '.join(report.problems)}")
        self.stdout.write(f"audit trail intact: {report.events} events, {report.checkpoints} checkpoints")
