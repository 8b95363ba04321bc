from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.assurance.backups import restore_drill


class Command(BaseCommand):
    help = (
        "Restore a backup (the newest by default) into a scratch copy, check its checksums, the audit "
        "chain, the seals and the row counts, and record the drill; exit with status 1 on failure."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--backup", help="the backup's id (its directory name)")

    def handle(self, *args: Any, **options: Any) -> None:
        drill = restore_drill(backup_id=options["backup"], ran_by="command")
        for name, state in drill.checks.items():
            self.stdout.write(f"{name}: {state}")
        if drill.problems:
            for problem in drill.problems:
                self.stderr.write(problem)
            raise CommandError(f"restore drill of backup {drill.backup_id!r} failed ({drill.duration_ms} ms)")
        self.stdout.write(f"restore drill of backup {drill.backup_id} passed ({drill.duration_ms} ms)")
