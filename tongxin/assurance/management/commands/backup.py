from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.assurance.backups import BackupError, backup_create, backup_dir


class Command(BaseCommand):
    help = (
        "Back up the database into TONGXIN_BACKUP_DIR (PostgreSQL: pg_dump -Fc of one snapshot; "
        "SQLite: the online backup API) with a manifest of sizes, SHA-256 and row counts. "
        "The keys in TONGXIN_DATA_DIR are never copied: back them up apart."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create()
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = sum(f["size"] for f in manifest["files"])
        self.stdout.write(f"backup {manifest['id']} in {backup_dir() / manifest['id']}: {size} bytes")
