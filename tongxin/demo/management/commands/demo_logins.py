from typing import Any

from django.core.management.base import BaseCommand

from tongxin.demo.generator.personas import DEMO_PASSWORD
from tongxin.demo.selectors import demo_logins


class Command(BaseCommand):
    help = "Print the demo accounts (one per persona), their roles and the shared demo password."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_logins()
        if not rows:
            self.stdout.write("No demo accounts: run `tongxin demo` on an empty database to create them.")
            return
        header = ("username", "persona", "role", "node")
        table = [header] + [(r.username, r.persona, r.role, r.node) for r in rows]
        widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for n, row in enumerate(table):
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if "\u2e80" <= ch <= "\ufe4f" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
