"""/api/v1/bench: the bare endpoint `tongxin bench_intake` compares the resident's intake with.

Routed only when TONGXIN_BENCH_ENDPOINTS is on (tongxin/api.py); never in production. It goes
through the same middleware, Ninja, parser and schema as `POST /api/v1/cases/public`, then writes
one row — what the stack costs before any rule of the intake runs.
"""

from django.http import HttpRequest
from ninja import Router, Schema

from tongxin.cases.schemas import PublicIntakeIn
from tongxin.demo.models import BenchReport

router = Router()


class BenchReportOut(Schema):
    id: int


@router.post("/intake", response={201: BenchReportOut}, auth=None, summary="Bare intake (benchmark only)")
def bench_intake(request: HttpRequest, payload: PublicIntakeIn) -> tuple[int, BenchReportOut]:
    row = BenchReport.objects.create(
        kind=payload.kind,
        category=payload.category,
        description=payload.description,
        lng=payload.lng,
        lat=payload.lat,
    )
    return 201, BenchReportOut(id=row.pk)
