"""What every sheet importer shares: parsing cells, mapping service errors to columns, savepoints."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongxin.core.roles import Capability
from tongxin.core.scope import Scope, scope_for
from tongxin.regions.models import Region
from tongxin.transfer import cells
from tongxin.transfer.reading import Row, SheetRows
from tongxin.transfer.report import ImportReport, Tally

T = TypeVar("T")
LOOKUP_CHUNK = 500


def outside_area() -> str:
    return _("This is outside your area.")


class ImportScope:
    """Where the importer may write: data.import and the kind's edit capability must both reach."""

    def __init__(self, user: Any, edit_capability: str) -> None:
        self.imports: Scope = scope_for(user, Capability.DATA_IMPORT)
        self.edits: Scope = scope_for(user, edit_capability)

    @property
    def is_empty(self) -> bool:
        return self.imports.is_empty or self.edits.is_empty

    def contains(self, path: str | None) -> bool:
        return self.imports.contains(path) and self.edits.contains(path)


@dataclass
class Line:
    """A row with its cells parsed; `failed` once any problem has been reported for it."""

    row: Row
    values: dict[str, Any]
    failed: bool = False
    # (column key, reason) already reported: a check run twice reports once
    reported: set[tuple[str, str]] = field(default_factory=set)

    @property
    def number(self) -> int:
        return self.row.number

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def has(self, key: str) -> bool:
        return key in self.values


class SheetImporter:
    """Imports the rows of one sheet; subclasses implement `run`."""

    # service ValidationError field -> column key of this sheet
    field_columns: dict[str, str] = {}
    # checked on every row before anything is written, so that one row's problems are all
    # reported together (a bad date does not hide an unknown region code of the same row)
    required_columns: tuple[str, ...] = ()
    region_columns: tuple[str, ...] = ()

    def __init__(self, *, user: Any, report: ImportReport, scope: ImportScope, rows: SheetRows) -> None:
        self.user = user
        self.report = report
        self.scope = scope
        self.rows = rows
        self.tally: Tally = report.tally(rows.sheet.title)
        self._regions: dict[str, Region | None] = {}

    def run(self) -> None:
        raise NotImplementedError

    # -- cells -----------------------------------------------------------------------------
    def parse(self, row: Row) -> Line:
        line = Line(row, {})
        for key, raw in row.cells.items():
            column = next((c for c in self.rows.sheet.columns if c.key == key), None)
            if column is None:
                continue
            try:
                line.values[key] = cells.parse(raw, column)
            except cells.CellError as exc:
                self.fail(line, key, str(exc))
        return line

    def parse_all(self) -> list[Line]:
        """Every row parsed and checked; each problem of each row is in the report."""
        lines = [self.parse(row) for row in self.rows.rows]
        self.prefetch(lines)
        for line in lines:
            self.precheck(line)
        return lines

    def prefetch(self, lines: list[Line]) -> None:
        """Load what the checks look up, a chunk of codes per query."""
        self.prefetch_regions(line.get(key) for line in lines for key in self.region_columns)

    def precheck(self, line: Line) -> None:
        """What can be told of a row without writing: required cells and the region codes.
        Subclasses add their own look-ups; the writes later repeat them without repeating
        the problem."""
        self.require(line, *self.required_columns)
        for key in self.region_columns:
            self.region_cell(line, key)

    # -- problems --------------------------------------------------------------------------
    def fail(self, line: Line, key: str, reason: str) -> None:
        line.failed = True
        if (key, reason) in line.reported:
            return
        line.reported.add((key, reason))
        column = next((c for c in self.rows.sheet.columns if c.key == key), None)
        self.report.add(
            sheet=self.rows.label,
            row=line.number,
            column=self.rows.header(key) if key else "",
            value=cells.shown(line.row.cells.get(key), column) if key else "",
            reason=reason,
        )

    def fail_validation(self, line: Line, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                key = self.field_columns.get(field, "") if field != NON_FIELD_ERRORS else ""
                self.fail(line, key, " ".join(errors))
        else:
            self.fail(line, "", " ".join(exc.messages))

    def require(self, line: Line, *keys: str) -> bool:
        missing = [k for k in keys if not line.has(k)]
        for key in missing:
            self.fail(line, key, _("This cell must be filled in."))
        return not missing

    def save(self, line: Line, write: Callable[[], T]) -> T | None:
        """Run one row's write in a savepoint, so a refused row leaves the others untouched."""
        try:
            with transaction.atomic():
                return write()
        except ValidationError as exc:
            self.fail_validation(line, exc)
        except IntegrityError:
            self.fail(
                line, "", _("The row clashes with a record saved at the same time. Upload the file again.")
            )
        return None

    def import_tree(self, lines: list[Line], import_line: Callable[[Line], None]) -> None:
        """Import rows that name their parent by code, parents first; the codes of rows that failed
        are kept (their children fail with a reason naming the parent)."""
        self.failed_codes: set[str] = set()

        def in_loop(line: Line) -> None:
            self.fail(line, "parent_code", _("The parent codes of these rows go round in a loop."))

        for line in order_by_parent(lines, code_key="code", parent_key="parent_code", fail=in_loop):
            if not line.failed:
                import_line(line)
            if line.failed and line.get("code"):
                self.failed_codes.add(line.get("code"))

    def duplicates(self, lines: Iterable[Line], key_of: Callable[[Line], Any], column: str) -> None:
        """Fail every row that repeats the key of an earlier row."""
        seen: dict[Any, int] = {}
        for line in lines:
            key = key_of(line)
            if key is None:
                continue
            if key in seen:
                self.fail(line, column, _("The same record is already in row %(row)d.") % {"row": seen[key]})
            else:
                seen[key] = line.number

    # -- look-ups --------------------------------------------------------------------------
    def prefetch_regions(self, codes: Iterable[str | None]) -> None:
        wanted = sorted({c for c in codes if c and c not in self._regions})
        for i in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[i : i + LOOKUP_CHUNK]
            found = {r.code: r for r in Region.objects.filter(code__in=chunk)}
            for code in chunk:
                self._regions[code] = found.get(code)

    def region(self, code: str) -> Region | None:
        if code not in self._regions:
            self._regions[code] = Region.objects.filter(code=code).first()
        return self._regions[code]

    def remember_region(self, region: Region) -> None:
        self._regions[region.code] = region

    def region_cell(self, line: Line, key: str) -> tuple[bool, Region | None]:
        """The region a code cell names: (ok, region); an unknown code fails the row."""
        code = line.get(key)
        if not code:
            return True, None
        region = self.region(code)
        if region is None:
            self.fail(line, key, _("No region has the code %(code)s.") % {"code": code})
            return False, None
        return True, region


def order_by_parent(
    lines: list[Line], *, code_key: str, parent_key: str, fail: Callable[[Line], None]
) -> list[Line]:
    """Parents before children when both are in the file; rows in a loop are failed."""
    by_code = {line.get(code_key): line for line in lines if line.get(code_key)}
    depth: dict[int, int] = {}

    def depth_of(line: Line) -> int:
        chain: list[Line] = []
        on_chain: set[int] = set()
        current: Line | None = line
        while current is not None and id(current) not in depth:
            if id(current) in on_chain:
                start = next(i for i, member in enumerate(chain) if member is current)
                for member in chain[start:]:
                    fail(member)
                    depth[id(member)] = 0
                chain = chain[:start]
                break
            chain.append(current)
            on_chain.add(id(current))
            parent_code = current.get(parent_key)
            current = by_code.get(parent_code) if parent_code else None
        base = depth[id(current)] if current is not None else -1
        for member in reversed(chain):
            base += 1
            depth[id(member)] = base
        return depth[id(line)]

    return sorted(lines, key=lambda line: (depth_of(line), line.number))
