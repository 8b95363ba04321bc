"""`tongxin bench_intake`'s pieces, untimed: the bare endpoint exists only for the benchmark, takes
the resident's body and writes one row; the report counts answers against rows."""

import json

import pytest
from django.conf import settings
from ninja.testing import TestClient

from tongxin.demo.bench import intake
from tongxin.demo.bench.api import router
from tongxin.demo.models import BenchReport

BODY = {
    "kind": "complaint",
    "category": "0101",
    "description": "楼下垃圾桶已满两天无人清运",
    "lng": 106.1,
    "lat": 26.5,
}


@pytest.mark.django_db
def test_the_bare_endpoint_is_absent_by_default(client):
    assert settings.TONGXIN_BENCH_ENDPOINTS is False
    response = client.post("/api/v1/bench/intake", json.dumps(BODY), content_type="application/json")
    assert response.status_code == 404
    assert BenchReport.objects.count() == 0
    schema = client.get("/api/v1/openapi.json").json()
    assert not [path for path in schema["paths"] if "/bench" in path]


@pytest.mark.django_db
def test_the_bare_endpoint_validates_the_resident_body_and_writes_one_row():
    bench = TestClient(router)
    response = bench.post("/intake", json={**BODY, "reporter_phone": "13912345678"})
    assert response.status_code == 201
    row = BenchReport.objects.get()
    assert response.json() == {"id": row.pk}
    assert (row.kind, row.category, row.lng) == ("complaint", "0101", 106.1)
    assert bench.post("/intake", json={**BODY, "kind": "party"}).status_code == 422  # the same schema
    assert bench.post("/intake", json={**BODY, "surprise": 1}).status_code == 422
    assert BenchReport.objects.count() == 1


@pytest.mark.django_db  # the section names the database's version
def test_the_report_counts_each_201_against_the_new_rows(tmp_path):
    report = intake.IntakeReport(
        users=8, seconds=10, warmup=2, workers="3", worker=True, load=["0.5, 0.5, 0.5"]
    )
    report.phases = [
        intake.Phase(
            "bare", intake.BARE, {201: 4}, [(0.0, 0.010, 201), (0.5, 0.010, 201), (1.0, 0.010, 201)], 4
        ),
        intake.Phase("intake", intake.PUBLIC, {201: 3, 500: 1}, [(0.0, 0.020, 201), (1.98, 0.020, 201)], 2),
    ]
    bare, real = report.phases
    assert bare.seconds == pytest.approx(1.01) and bare.per_second == pytest.approx(3 / 1.01)
    assert real.per_second == pytest.approx(1.0)  # two 201s in two seconds
    section = intake.write(report, output=str(tmp_path / "B.md"), command="tongxin bench_intake")
    assert "| `POST /api/v1/cases/public` | 1 | 20.0 |" in section
    assert "201: 3, 500: 1 | 3 | 2 |" in section
    assert "Every 201 one new row: NO" in section  # 3 answers, 2 rows
    assert (tmp_path / "B.md").read_text().count("<!-- bench:intake-") == 1
