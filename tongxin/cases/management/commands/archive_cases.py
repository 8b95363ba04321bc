"""`tongxin archive_cases --before 2025-01-01 [--dry-run]`: archive the history of cases closed
before that day (cases/archive.py), as the monthly job does; safe to rerun or interrupt."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongxin.cases.archive import BATCH, cases_archive
from tongxin.core.actors import SYSTEM


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--before wants a day as YYYY-MM-DD, not {text!r}") from error


class Command(BaseCommand):
    help = "Archive the transitions of cases closed before a day into their archived history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, type=_day, help="archive cases closed before this day")
        parser.add_argument("--dry-run", action="store_true", help="count what would move, write nothing")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"cases per transaction ({BATCH})")
        parser.add_argument("--limit", type=int, default=None, help="stop after this many cases")

    def handle(
        self, *args: Any, before: date, dry_run: bool, batch: int, limit: int | None, **options: Any
    ) -> None:
        if batch < 1 or (limit is not None and limit < 1):
            raise CommandError("--batch and --limit must be at least 1")
        done = cases_archive(before=before, actor=SYSTEM, batch=batch, limit=limit, dry_run=dry_run)
        verb = "would archive" if dry_run else "archived"
        self.stdout.write(
            f"{verb} {done.cases:,} cases closed before {before:%Y-%m-%d} "
            f"({done.transitions:,} transitions, {done.batches:,} batches)"
        )
