import os
import signal
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from tongxin.jobs.services import run_due_jobs


class Command(BaseCommand):
    help = "Run the background worker: deadlines, escalation, notifications and periodic jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run due jobs once and exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        name = f"{socket.gethostname()}:{os.getpid()}"
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not options["once"]:
            self.stdout.write(f"worker {name} started")
        while True:
            if not connection.in_atomic_block:  # (a test runs the command inside its transaction)
                close_old_connections()
            ran = run_due_jobs(worker=name)
            if options["once"] or stopping:
                break
            if not ran:
                time.sleep(options["interval"])
        self.stdout.write(f"worker {name} stopped")
