import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.accounts.models import User
from tongxin.transfer.layouts import KINDS
from tongxin.transfer.reading import MAX_BYTES
from tongxin.transfer.services import transfer_import


class Command(BaseCommand):
    help = (
        "Import an Excel (.xlsx) file of regions, grids, organisations or people as the given user, "
        "with that user's permissions and area. All or nothing; prints the per-row report."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .xlsx file (or .geojson for grids)")
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--user", required=True, help="username whose roles decide what may be imported")
        parser.add_argument("--dry-run", action="store_true", help="check the file and save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        path = Path(options["file"])
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}")
        started = time.monotonic()
        report = transfer_import(
            user=user, kind=options["kind"], data=data, filename=path.name, dry_run=options["dry_run"]
        )
        elapsed = time.monotonic() - started
        self.stdout.write(report.as_text())
        self.stdout.write(f"{report.rows} rows in {elapsed:.1f} s")
        if not report.ok:
            raise CommandError("nothing was imported")
