"""The province model of docs/scaling.md (`tongxin bench_province`): the sums it does."""

import pytest

from tongxin.demo.bench.province import Costs, Province, Server, model


def test_the_model_multiplies_costs_by_the_peak_load_and_orders_by_what_saturates_first():
    costs = Costs(intake_web_ms=10, intake_db_ms=2, intake_wal_bytes=10_000, action_web_ms=5, action_db_ms=1)
    costs.action_wal_bytes, costs.list_web_ms, costs.list_db_ms = 5_000, 20, 4
    costs.overview_web_ms, costs.overview_db_ms, costs.bytes_per_case = 100, 50, 10_000
    province = Province(cities=10, cases_per_city_year=3_153_600, actions_per_case=2, intake_peak=1)
    *rows, load = model(costs, province, Server(cores=10, usable=1.0))
    assert load["load"]["cases_s"] == pytest.approx(1.0)  # 31,536,000 cases a year: one a second
    assert load["load"]["actions_s"] == pytest.approx(2.0)
    reads_s = 10 * 6_000 * 100 / (8 * 3600) * 2
    by_name = {r["component"]: r for r in rows}
    web = by_name["web CPU (gunicorn processes)"]
    expected = (1 * 10 + 2 * 5 + reads_s * 0.8 * 20 + reads_s * 0.2 * 100) / 1000
    assert web["demand"] == pytest.approx(expected)
    assert web["cities"] == pytest.approx(10 / (expected / 10))
    assert by_name["WAL (primary → replicas, archive)"]["demand"] == pytest.approx(
        (10_000 + 2 * 5_000) * 2 / 1e6
    )
    assert by_name["disk, 3 years of cases"]["demand"] == pytest.approx(31_536_000 * 3 * 10_000 / 1e9)
    assert [r["cities"] for r in rows] == sorted(r["cities"] for r in rows)
