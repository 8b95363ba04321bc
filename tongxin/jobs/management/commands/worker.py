import logging
import os
import signal
import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from tongxin.jobs.services import database_backend, heartbeat, run_due_jobs

logger = logging.getLogger(__name__)

BEAT_SECONDS = 5.0


class Command(BaseCommand):
    help = (
        "Run the background worker: the periodic schedule (deadlines, escalation, notifications…) and, "
        "on the database task backend, the tasks themselves."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run due tasks once and exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
        parser.add_argument("--name", default="", help="the worker's name (default host:pid)")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"] or f"{socket.gethostname()}:{os.getpid()}"
        stopping = threading.Event()

        def stop(*_: Any) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        heartbeat(worker=name)  # alive before the first claim: nobody takes it for a dead worker
        if not options["once"]:
            self.stdout.write(
                f"worker {name} started ({'database' if database_backend() else 'scheduler only'})"
            )
            # a long task must not look like a dead worker: the heartbeat has its own thread
            threading.Thread(target=self._beat, args=(name, stopping), daemon=True).start()
        while True:
            if not connection.in_atomic_block:  # (a test runs the command inside its transaction)
                close_old_connections()
            ran = run_due_jobs(worker=name)
            if options["once"] or stopping.is_set():
                break
            if not ran:
                stopping.wait(options["interval"])
        self.stdout.write(f"worker {name} stopped")

    @staticmethod
    def _beat(name: str, stopping: threading.Event) -> None:
        while not stopping.wait(BEAT_SECONDS):
            try:
                heartbeat(worker=name)
            except Exception as exc:  # a busy database: the next beat tries again
                logger.warning("worker %s: heartbeat not written (%s); trying again", name, exc)
            finally:
                connection.close()
