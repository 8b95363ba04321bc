from typing import Any

from django.core.management.base import BaseCommand

from tongxin.privacy.record import DOC, write_record


class Command(BaseCommand):
    help = "Write the registry of personal-data fields into docs/privacy.md (the processing-activity record)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = write_record()
        self.stdout.write(f"{DOC}: {'updated' if changed else 'already up to date'}")
