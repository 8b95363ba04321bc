"""What an import did, or why it was refused: the per-row report."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# the page and the audit detail show this many problems; the count is always complete
MAX_SHOWN_ISSUES = 1000


@dataclass(frozen=True)
class Issue:
    """One problem: sheet, row number as Excel shows it, column header, cell value and reason."""

    sheet: str
    row: int | None
    column: str
    value: str
    reason: str


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportReport:
    kind: str
    filename: str = ""
    dry_run: bool = False
    rejected: str = ""  # the whole file was refused before its rows were read
    rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    tallies: dict[str, Tally] = field(default_factory=dict)  # sheet title -> counts
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected and self.issue_count == 0

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def tally(self, sheet: str) -> Tally:
        return self.tallies.setdefault(sheet, Tally())

    def add(self, *, sheet: str, row: int | None, column: str, value: str, reason: str) -> None:
        self.issue_count += 1
        if len(self.issues) < MAX_SHOWN_ISSUES:
            self.issues.append(Issue(sheet, row, column, value, reason))

    @property
    def hidden_issues(self) -> int:
        return self.issue_count - len(self.issues)

    @property
    def totals(self) -> Tally:
        total = Tally()
        for t in self.tallies.values():
            total.created += t.created
            total.updated += t.updated
            total.unchanged += t.unchanged
        return total

    @property
    def several_sheets(self) -> bool:
        return len({issue.sheet for issue in self.issues}) > 1

    def sorted_issues(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: (i.sheet, i.row or 0))

    def audit_detail(self) -> dict[str, Any]:
        totals = self.totals
        detail: dict[str, Any] = {
            "kind": self.kind,
            "file": self.filename[:200],
            "rows": self.rows,
            "created": totals.created if self.written else 0,
            "updated": totals.updated if self.written else 0,
            "unchanged": totals.unchanged,
            "errors": self.issue_count,
            "dry_run": self.dry_run,
            "sheets": {
                sheet: {"created": t.created, "updated": t.updated, "unchanged": t.unchanged}
                for sheet, t in self.tallies.items()
            },
        }
        if self.rejected:
            detail["rejected"] = self.rejected
        return detail

    def as_text(self) -> str:
        """The report as plain lines, for the console command."""
        lines: list[str] = []
        if self.rejected:
            lines.append(_("The file was refused: %(reason)s") % {"reason": self.rejected})
            return "\n".join(lines)
        if self.ok:
            if self.dry_run:
                lines.append(_("The file is valid. Nothing was saved (check only)."))
            else:
                lines.append(_("Import complete."))
            for sheet, t in self.tallies.items():
                lines.append(
                    _("%(sheet)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                    % {"sheet": sheet, "created": t.created, "updated": t.updated, "unchanged": t.unchanged}
                )
        else:
            lines.append(
                _("Nothing was imported: %(n)d problems were found. Correct them and upload the file again.")
                % {"n": self.issue_count}
            )
            for issue in self.sorted_issues():
                where = _("row %(row)s") % {"row": issue.row} if issue.row else ""
                lines.append(
                    "\t".join(
                        part for part in (issue.sheet, where, issue.column, issue.value, issue.reason) if part
                    )
                )
            if self.hidden_issues:
                lines.append(_("…and %(n)d more.") % {"n": self.hidden_issues})
        if self.ignored_columns:
            lines.append(_("Columns ignored: %(cols)s") % {"cols": "、".join(self.ignored_columns)})
        return "\n".join(lines)
