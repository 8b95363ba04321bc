import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongxin.audit.fieldkeys import left_under_old_keys, reencrypt
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.core.actors import SYSTEM
from tongxin.lib import crypto
from tongxin.lib.keys import write_key_file


class Command(BaseCommand):
    help = (
        "Rotate the personal-data key: put a new key first in the ring (the file field_key in the data "
        "directory) and re-encrypt every encrypted field in batches; old keys stay readable until "
        "--retire. Restart the web processes and the worker after each step."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resume", action="store_true", help="re-encrypt under the ring's first key, no new key"
        )
        parser.add_argument(
            "--retire", action="store_true", help="drop the old keys once no value needs them"
        )
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.DATA_DIR) / "field_key"
        from_env = bool(os.environ.get("TONGXIN_FIELD_KEY"))
        ring = crypto.ring(settings.FIELD_ENCRYPTION_KEY)
        if options["retire"]:
            left = {k: n for k, n in left_under_old_keys().items() if n}
            if left:
                raise CommandError(f"values still need the old keys: {left}; run --resume first")
            self._store(path, from_env, ring[:1])
            self._record("retired", {"keys_dropped": len(ring) - 1})
            self.stdout.write(f"old keys dropped ({len(ring) - 1}); the ring holds one key")
            return
        if not options["resume"]:
            ring = [Fernet.generate_key().decode(), *ring]
            self._store(path, from_env, ring)
        counts = reencrypt(batch=options["batch"])
        self._record(
            "rotated" if not options["resume"] else "resumed", {"reencrypted": counts, "keys": len(ring)}
        )
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} re-encrypted")
        self.stdout.write(
            "done: restart the web processes and the worker, then run `tongxin rotate_field_key --retire`"
        )

    def _store(self, path: Path, from_env: bool, ring: list[str]) -> None:
        if from_env:
            raise CommandError(
                "TONGXIN_FIELD_KEY is set in the environment: set it to the comma-separated ring "
                "(the new key first) yourself and run with --resume"
            )
        write_key_file(path, "\n".join(ring) + "\n")
        settings.FIELD_ENCRYPTION_KEY = ",".join(ring)

    def _record(self, step: str, detail: dict[str, Any]) -> None:
        audit_record(
            action=Action.KEY_ROTATED, actor=SYSTEM, target="field_key", detail={"step": step, **detail}
        )
