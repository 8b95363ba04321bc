"""`tongxin bench` at toy size: it runs, measures every figure and writes its own section."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongxin.demo.bench.city import database_label, percentile, write_report
from tongxin.demo.tests.conftest import TEST_PEOPLE
from tongxin.regions.models import Level, Region


@pytest.mark.django_db
def test_bench_measures_and_writes_its_section(tmp_path):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\n<!-- bench:otherdb -->\nother figures\n<!-- /bench:otherdb -->\n")
    out = StringIO()
    call_command(
        "bench",
        "--people",
        str(TEST_PEOPLE),
        "--grids",
        "200",
        "--big-grids",
        "300",
        "--lookups",
        "40",
        "--repeat",
        "2",
        "--output",
        str(report),
        stdout=out,
    )
    text = report.read_text()
    assert "other figures" in text  # the other database's section is kept
    key, _label = database_label()
    assert text.count(f"<!-- bench:{key} -->") == 1
    assert "| 438 | cold | 40 |" in text and "| 219 | warm | 40 |" in text
    assert "street official" in text and "community secretary" in text and f"| {TEST_PEOPLE} |" in text
    assert "100.0%" in text  # every random point of the city found its grid
    assert Region.objects.filter(level=Level.GRID).count() == 219  # the grids-only city is gone
    with pytest.raises(CommandError):
        call_command("bench", stdout=StringIO())


def test_write_report_replaces_only_its_own_section(tmp_path):
    path = tmp_path / "B.md"
    write_report(path, "sqlite", "<!-- bench:sqlite -->\none\n<!-- /bench:sqlite -->\n")
    write_report(path, "postgresql", "<!-- bench:postgresql -->\npg\n<!-- /bench:postgresql -->\n")
    write_report(path, "sqlite", "<!-- bench:sqlite -->\ntwo\n<!-- /bench:sqlite -->\n")
    text = path.read_text()
    assert text.startswith("# Benchmarks") and "two" in text and "one" not in text and "pg" in text


def test_percentile():
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0], 0.99) == pytest.approx(1.99)
    assert percentile([], 0.5) == 0.0
