"""/api/v1/assessment: schemes, runs and their results, contests — scoped as the pages are
(selectors.py); the rank only for the owning department when the scheme shows rankings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from tongxin.assessment import selectors
from tongxin.assessment.services import VIEW
from tongxin.core.api import require_capability
from tongxin.core.schemas import ErrorOut

router = Router()


class ItemOut(Schema):
    id: int
    name: str
    applies_to: str
    weight: Decimal
    max_score: Decimal
    source: str
    indicator: str
    rule: str


class SchemeOut(Schema):
    id: int
    name: str
    year: int
    version: int
    status: str
    owner_id: int
    grading: str
    show_ranking: bool
    share_with_streets: bool
    items: list[ItemOut]


class RunOut(Schema):
    id: int
    scheme_id: int
    year: int
    status: str
    computed_at: datetime | None
    finalised_at: datetime | None


class ScoreOut(Schema):
    item_id: int
    value: Decimal | None
    score: Decimal | None
    evidence: str


class ResultOut(Schema):
    id: int
    kind: str
    region_id: int
    region_name: str
    person_id: int | None
    person_name: str | None
    post: str
    total: Decimal | None
    grade: str
    bottom: bool
    rank: int | None = None
    scores: list[ScoreOut]


class ParticipantOut(Schema):
    person_id: int
    person_name: str
    region_name: str
    result: Decimal | None
    place: int | None


class ContestOut(Schema):
    id: int
    title: str
    held_on: date
    topics: str
    drop_extremes: bool
    judges: list[str]
    participants: list[ParticipantOut]


def _scheme(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "year": s.year,
        "version": s.version,
        "status": s.status,
        "owner_id": s.owner_id,
        "grading": s.grading,
        "show_ranking": s.show_ranking,
        "share_with_streets": s.share_with_streets,
        "items": list(s.items.all()),
    }


def _run(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "scheme_id": r.scheme_id,
        "year": r.scheme.year,
        "status": r.status,
        "computed_at": r.computed_at,
        "finalised_at": r.finalised_at,
    }


@router.get("/schemes", response=list[SchemeOut], summary="List assessment schemes")
def scheme_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's department's schemes, and the published schemes of departments above them."""
    require_capability(request.user, VIEW)
    return [_scheme(s) for s in selectors.schemes_visible(request.user).prefetch_related("items")]


@router.get("/schemes/{int:id}", response={200: SchemeOut, 404: ErrorOut}, summary="Get a scheme")
def scheme_detail(request: HttpRequest, id: int) -> dict[str, Any]:
    require_capability(request.user, VIEW)
    found, _access = selectors.scheme_get(request.user, id)
    return _scheme(found)


@router.get("/runs", response=list[RunOut], summary="List assessments")
def run_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_capability(request.user, VIEW)
    return [_run(r) for r in selectors.runs_visible(request.user).order_by("-started_at", "-id")]


@router.get("/runs/{int:id}", response={200: RunOut, 404: ErrorOut}, summary="Get an assessment")
def run_detail(request: HttpRequest, id: int) -> dict[str, Any]:
    require_capability(request.user, VIEW)
    found, _access = selectors.run_get(request.user, id)
    return _run(found)


@router.get(
    "/runs/{int:id}/results",
    response={200: list[ResultOut], 404: ErrorOut},
    summary="Results of an assessment",
    exclude_unset=True,
)
def run_results(request: HttpRequest, id: int) -> list[dict[str, Any]]:
    """The results the caller may see: the owning department all (with `rank` when the scheme
    shows rankings), a village or community its own, a street its villages' when shared."""
    require_capability(request.user, VIEW)
    found, access = selectors.run_get(request.user, id)
    rows = (
        selectors.results_visible(request.user, found)
        .prefetch_related("scores")
        .order_by("kind", "region_path", "id")
    )
    out = []
    for r in rows:
        row: dict[str, Any] = {
            "id": r.pk,
            "kind": r.kind,
            "region_id": r.region_id,
            "region_name": r.region.name,
            "person_id": r.person_id,
            "person_name": r.person.name if r.person is not None else None,
            "post": r.post,
            "total": r.total,
            "grade": r.grade,
            "bottom": r.bottom,
            "scores": [
                {"item_id": s.item_id, "value": s.value, "score": s.score, "evidence": s.source_url}
                for s in r.scores.all()
            ],
        }
        if access.ranking:
            row["rank"] = r.rank
        out.append(row)
    return out


@router.get("/contests/{int:id}", response={200: ContestOut, 404: ErrorOut}, summary="Get a contest")
def contest_detail(request: HttpRequest, id: int) -> dict[str, Any]:
    require_capability(request.user, VIEW)
    found, _owner = selectors.contest_get(request.user, id)
    return {
        "id": found.pk,
        "title": found.title,
        "held_on": found.held_on,
        "topics": found.topics,
        "drop_extremes": found.drop_extremes,
        "judges": [j.name for j in found.judges.all()],
        "participants": [
            {
                "person_id": p.person_id,
                "person_name": p.person.name,
                "region_name": p.region.name,
                "result": p.result,
                "place": p.place,
            }
            for p in selectors.participants_visible(request.user, found)
        ],
    }
