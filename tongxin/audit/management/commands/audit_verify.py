from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.audit.models import AuditEvent
from tongxin.audit.services import audit_verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit with status 1 if an event was changed or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        intact, first_broken = audit_verify()
        if not intact:
            raise CommandError(
                f"audit chain broken at event {first_broken}: it or an earlier event was altered"
            )
        self.stdout.write(f"audit chain intact: {AuditEvent.objects.count()} events")
