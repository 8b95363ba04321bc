"""Where objective items read their figures: the statistics registry, plugged in from above.

The registry sits in a layer above this app (it also counts this app's rows), so it registers its
reader here when it loads (statistics/indicators/assessment.py); nothing here imports it."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True)
class Evidence:
    """An indicator's value at a node for a year (None: no figure, e.g. a rate without a
    denominator) and the link to the rows behind it."""

    value: Decimal | None
    url: str


class IndicatorReader(Protocol):
    def choices(self) -> list[tuple[str, str]]:
        """(code, name with unit) of every indicator an item may take its value from."""
        ...

    def values(
        self, regions: Iterable[Any], year: int, codes: Iterable[str]
    ) -> dict[tuple[int, str], Evidence]:
        """The value of each code at each region over the year, keyed by (region id, code)."""
        ...


_READERS: list[IndicatorReader] = []


def register_reader(reader: IndicatorReader) -> None:
    _READERS[:] = [reader]


def reader() -> IndicatorReader:
    if not _READERS:
        raise LookupError("no indicator reader registered (the statistics app is not installed)")
    return _READERS[0]
