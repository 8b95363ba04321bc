"""The one write path of assessments: schemes and their versions, runs (subjects, objective scores
from the registry, subjective scores, 述职 reports, finalising into grades and consequences) and
contests. Every service takes a keyword-only `actor` and checks the right itself."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.assessment import scoring
from tongxin.assessment.models import (
    Applies,
    BottomAction,
    Consequence,
    ConsequenceKind,
    Contest,
    Grade,
    GradeLink,
    Item,
    ItemSource,
    Judge,
    JudgeScore,
    Participant,
    Result,
    Rule,
    Run,
    RunStatus,
    Scheme,
    SchemeStatus,
    Score,
    SubjectKind,
)
from tongxin.assessment.sources import reader
from tongxin.audit.models import Action
from tongxin.audit.services import audit_record
from tongxin.cadres.selectors import team_of
from tongxin.core.actors import Actor, require_scope, user_or_none
from tongxin.core.roles import Capability
from tongxin.lib.tree import PATH_END
from tongxin.partners.files import document_validate
from tongxin.people.models import Person
from tongxin.regions.models import Level, Region

MANAGE = Capability.ASSESSMENT_MANAGE
VIEW = Capability.ASSESSMENT_VIEW
MAX_TOTAL_WEIGHT = Decimal(100)
ITEM_FIELDS = (
    "position",
    "name",
    "applies_to",
    "weight",
    "max_score",
    "source",
    "indicator",
    "rule",
    "low",
    "high",
    "bands",
)


def _audit(actor: Actor, region: Any, target: str, detail: dict[str, Any]) -> None:
    audit_record(action=Action.RECORD_CHANGED, actor=actor, region=region, target=target, detail=detail)


# ---- schemes -------------------------------------------------------------------------------------


SCHEME_FIELDS = (
    "name",
    "year",
    "assess_teams",
    "assess_cadres",
    "grading",
    "excellent_min",
    "good_min",
    "fair_min",
    "excellent_share",
    "good_share",
    "bottom_count",
    "bottom_below",
    "bottom_action",
    "show_ranking",
    "share_with_streets",
)


def _scheme_check(scheme: Scheme) -> None:
    errors: dict[str, list[str]] = {}
    if not (scheme.excellent_min > scheme.good_min > scheme.fair_min >= 0):
        errors["excellent_min"] = [_("The cut-offs must fall: 优秀 above 良好 above 一般.")]
    if scheme.excellent_min > 100:
        errors["excellent_min"] = [_("A cut-off cannot be above 100 points.")]
    if scheme.excellent_share + scheme.good_share > 100:
        errors["good_share"] = [_("The shares of 优秀 and 良好 together cannot pass 100%.")]
    if not (scheme.assess_teams or scheme.assess_cadres):
        errors["assess_teams"] = [_("Assess teams, cadres or both.")]
    if errors:
        raise ValidationError(errors)


def scheme_create(*, actor: Actor, owner: Region, **fields: Any) -> Scheme:
    """A draft scheme owned by the department of `owner` (a county, or any area the actor manages)."""
    require_scope(actor, MANAGE, owner)
    unknown = set(fields) - set(SCHEME_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    scheme = Scheme(owner=owner, created_by=user_or_none(actor), **fields)
    _scheme_check(scheme)
    scheme.save()
    _audit(actor, owner, f"assessment.scheme:{scheme.pk}", {"created": scheme.name, "year": scheme.year})
    return scheme


def _draft(scheme: Scheme, actor: Actor) -> None:
    require_scope(actor, MANAGE, scheme.owner)
    if scheme.is_published:
        raise ValidationError(_("A published scheme cannot change; make a new version of it."))


def scheme_update(*, actor: Actor, scheme: Scheme, **fields: Any) -> Scheme:
    with transaction.atomic():
        row = Scheme.objects.select_for_update().select_related("owner").get(pk=scheme.pk)
        _draft(row, actor)
        old = {name: getattr(row, name) for name in fields}
        for name, value in fields.items():
            if name not in SCHEME_FIELDS:
                raise ValueError(f"unknown field {name}")
            setattr(row, name, value)
        changed = {k: [str(old[k]), str(v)] for k, v in fields.items() if old[k] != v}
        if not changed:
            return row
        _scheme_check(row)
        row.save()
        _audit(actor, row.owner, f"assessment.scheme:{row.pk}", {"changes": changed})
    return row


def _item_check(scheme: Scheme, item: Item, codes: Iterable[str] | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if item.weight <= 0:
        errors["weight"] = [_("A weight is more than nothing.")]
    if item.max_score <= 0:
        errors["max_score"] = [_("The maximum score is more than nothing.")]
    if item.source == ItemSource.OBJECTIVE:
        known = set(codes if codes is not None else (c for c, _n in reader().choices()))
        if item.indicator not in known:
            errors["indicator"] = [_("Choose the figure the item takes its value from.")]
        if item.rule == Rule.LINEAR:
            if item.low is None or item.high is None:
                errors["low"] = [
                    _("A linear rule needs the value scoring nothing and the value scoring full.")
                ]
        elif item.rule == Rule.BANDS:
            try:
                bands = [(Decimal(str(t)), Decimal(str(s))) for t, s in item.bands]
            except (TypeError, ValueError, InvalidOperation):
                bands = []
            if not bands or any(not (0 <= s <= 100) for _t, s in bands):
                errors["bands"] = [
                    _("Give bands as threshold and share of the maximum (0–100%), e.g. 90:100, 80:80.")
                ]
        else:
            errors["rule"] = [_("Choose how the figure becomes a score.")]
    else:
        item.indicator, item.rule, item.low, item.high, item.bands = "", "", None, None, []
    if (item.applies_to == Applies.TEAM and not scheme.assess_teams) or (
        item.applies_to == Applies.CADRE and not scheme.assess_cadres
    ):
        errors["applies_to"] = [_("The scheme does not assess these subjects.")]
    if errors:
        raise ValidationError(errors)


def item_add(*, actor: Actor, scheme: Scheme, **fields: Any) -> Item:
    """An item of a draft scheme (its weights may not pass 100 in all for either kind of subject)."""
    with transaction.atomic():
        row = Scheme.objects.select_for_update().select_related("owner").get(pk=scheme.pk)
        _draft(row, actor)
        position = row.items.count() + 1
        item = Item(scheme=row, position=position, **fields)
        _item_check(row, item)
        for kind in (SubjectKind.TEAM, SubjectKind.CADRE):
            if item.applies(kind):
                weights = sum((i.weight for i in row.items.all() if i.applies(kind)), Decimal(0))
                if weights + item.weight > MAX_TOTAL_WEIGHT:
                    raise ValidationError({"weight": [_("The weights would pass 100 in all.")]})
        item.save()
        _audit(actor, row.owner, f"assessment.scheme:{row.pk}", {"item added": item.name})
    return item


def item_remove(*, actor: Actor, item: Item) -> None:
    with transaction.atomic():
        row = Scheme.objects.select_for_update().select_related("owner").get(pk=item.scheme_id)
        _draft(row, actor)
        Item.objects.filter(pk=item.pk).delete()
        _audit(actor, row.owner, f"assessment.scheme:{row.pk}", {"item removed": item.name})


def grade_link_add(*, actor: Actor, scheme: Scheme, grade: str, kind: str, note: str) -> GradeLink:
    """一述二考三挂钩: what `grade` means for a cadre (pay, promotion, a talk)."""
    with transaction.atomic():
        row = Scheme.objects.select_for_update().select_related("owner").get(pk=scheme.pk)
        _draft(row, actor)
        if grade not in Grade.values or kind not in ConsequenceKind.values or not note.strip():
            raise ValidationError(_("Choose a grade and a consequence, and say what it means."))
        link = GradeLink.objects.create(scheme=row, grade=grade, kind=kind, note=note.strip())
        _audit(actor, row.owner, f"assessment.scheme:{row.pk}", {"consequence": f"{grade}: {note}"})
    return link


def scheme_publish(*, actor: Actor, scheme: Scheme) -> Scheme:
    """Publish a draft: from now on it never changes. Its weights must make 100 for each kind of
    subject it assesses."""
    require_scope(actor, MANAGE, scheme.owner)
    items = list(scheme.items.all())
    for kind, on in ((SubjectKind.TEAM, scheme.assess_teams), (SubjectKind.CADRE, scheme.assess_cadres)):
        if on and sum((i.weight for i in items if i.applies(kind)), Decimal(0)) != MAX_TOTAL_WEIGHT:
            raise ValidationError(
                _("The weights of the items for %(kind)s make %(sum)s, not 100.")
                % {
                    "kind": SubjectKind(kind).label,
                    "sum": sum((i.weight for i in items if i.applies(kind)), Decimal(0)),
                }
            )
    with transaction.atomic():
        done = Scheme.objects.filter(pk=scheme.pk, status=SchemeStatus.DRAFT).update(
            status=SchemeStatus.PUBLISHED, published_at=timezone.now()
        )
        if not done:
            raise ValidationError(_("The scheme is already published."))
        _audit(
            actor,
            scheme.owner,
            f"assessment.scheme:{scheme.pk}",
            {"status": [SchemeStatus.DRAFT, SchemeStatus.PUBLISHED]},
        )
    scheme.refresh_from_db()
    return scheme


def scheme_new_version(*, actor: Actor, scheme: Scheme) -> Scheme:
    """A draft copy of a scheme (items and consequences too), one version up."""
    require_scope(actor, MANAGE, scheme.owner)
    with transaction.atomic():
        latest = Scheme.objects.filter(owner=scheme.owner, name=scheme.name, year=scheme.year)
        version = max(s.version for s in latest) + 1
        copy = Scheme.objects.create(
            owner=scheme.owner,
            previous=scheme,
            version=version,
            created_by=user_or_none(actor),
            **{name: getattr(scheme, name) for name in SCHEME_FIELDS},
        )
        Item.objects.bulk_create(
            Item(
                scheme=copy,
                **{f: getattr(i, f) for f in ITEM_FIELDS},
            )
            for i in scheme.items.all()
        )
        GradeLink.objects.bulk_create(
            GradeLink(scheme=copy, grade=g.grade, kind=g.kind, note=g.note) for g in scheme.links.all()
        )
        _audit(actor, scheme.owner, f"assessment.scheme:{copy.pk}", {"version of": scheme.pk})
    return copy


# ---- runs ----------------------------------------------------------------------------------------


def team_cadres(owner: Region, on: date) -> dict[int, list[tuple[Person, str]]]:
    """The 两委 cadres of each village or community of `owner`'s area on a day (the cadre roster's
    teams), each person once per team, secretary first."""
    found: dict[int, list[tuple[Person, str]]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for p in team_of(owner, on=on):
        if p.region.level == Level.COMMUNITY and (p.region_id, p.person_id) not in seen:
            seen.add((p.region_id, p.person_id))
            found[p.region_id].append((p.person, p.get_kind_display()))
    return found


def run_start(*, actor: Actor, scheme: Scheme) -> Run:
    """Run a published scheme: one subject per village and community team of the owner's area, and
    one per cadre of their 两委; the objective scores are read at once."""
    require_scope(actor, MANAGE, scheme.owner)
    if not scheme.is_published:
        raise ValidationError(_("Publish the scheme before running it."))
    with transaction.atomic():
        if Run.objects.filter(scheme=scheme).exists():
            raise ValidationError(_("This scheme has been run already."))
        run = Run.objects.create(scheme=scheme, started_by=user_or_none(actor))
        owner = scheme.owner
        teams = list(
            Region.objects.filter(
                path__gte=owner.path, path__lt=owner.path + PATH_END, level=Level.COMMUNITY
            ).order_by("path")
        )
        rows: list[Result] = []
        if scheme.assess_teams:
            rows += [Result(run=run, kind=SubjectKind.TEAM, region=t, region_path=t.path) for t in teams]
        if scheme.assess_cadres:
            cadres = team_cadres(owner, min(date(scheme.year, 12, 31), timezone.localdate()))
            for t in teams:
                rows += [
                    Result(run=run, kind=SubjectKind.CADRE, region=t, region_path=t.path, person=p, post=post)
                    for p, post in cadres.get(t.pk, [])
                ]
        Result.objects.bulk_create(rows, batch_size=500)
        _audit(actor, owner, f"assessment.run:{run.pk}", {"started": scheme.pk, "subjects": len(rows)})
    run_compute(actor=actor, run=run)
    return run


def run_compute(*, actor: Actor, run: Run) -> int:
    """Read every objective item's figure anew for every subject (a cadre takes their village's)
    and score it: the value and the link to its rows are kept as evidence. Returns the scores
    written. A finalised run no longer changes."""
    scheme = run.scheme
    require_scope(actor, MANAGE, scheme.owner)
    if run.is_final:
        raise ValidationError(_("A finalised assessment no longer changes."))
    items = [i for i in scheme.items.all() if i.is_objective]
    results = list(run.results.select_related("region"))
    regions = {r.region_id: r.region for r in results}
    figures = reader().values(regions.values(), scheme.year, {i.indicator for i in items}) if items else {}
    existing = {(s.result_id, s.item_id): s for s in Score.objects.filter(result__run=run, item__in=items)}
    new, changed = [], []
    for result in results:
        for item in items:
            if not item.applies(result.kind):
                continue
            evidence = figures.get((result.region_id, item.indicator))
            value = evidence.value if evidence else None
            score = scoring.item_score(item, value)
            url = evidence.url if evidence else ""
            row = existing.get((result.pk, item.pk))
            if row is None:
                new.append(Score(result=result, item=item, value=value, score=score, source_url=url))
            elif (row.value, row.score, row.source_url) != (value, score, url):
                row.value, row.score, row.source_url = value, score, url
                changed.append(row)
    with transaction.atomic():
        Score.objects.bulk_create(new, batch_size=1000)
        Score.objects.bulk_update(changed, ["value", "score", "source_url", "updated_at"], batch_size=1000)
        Run.objects.filter(pk=run.pk).update(computed_at=timezone.now())
        _totals(run)
        if changed:
            _audit(actor, scheme.owner, f"assessment.run:{run.pk}", {"recomputed": len(changed)})
    return len(new) + len(changed)


def _totals(run: Run) -> None:
    """Each subject's total from its scores (items without a score left out: scoring.total)."""
    items = {i.pk: i for i in run.scheme.items.all()}
    parts: dict[int, list[tuple[Decimal, Decimal, Decimal | None]]] = defaultdict(list)
    for result_id, item_id, score in Score.objects.filter(result__run=run).values_list(
        "result_id", "item_id", "score"
    ):
        item = items[item_id]
        parts[result_id].append((item.weight, item.max_score, score))
    results = list(run.results.all())
    for r in results:
        r.total = scoring.total(parts.get(r.pk, []))
    Result.objects.bulk_update(results, ["total"], batch_size=1000)


def _subjective(run: Run) -> list[Item]:
    return [i for i in run.scheme.items.all() if not i.is_objective]


@dataclass(frozen=True)
class Cell:
    result_id: int
    item_id: int
    raw: Any


def _parse_score(raw: Any, item: Item) -> Decimal | None:
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text[:20]}) from exc
    if not value.is_finite() or not (0 <= value <= item.max_score):
        raise ValueError(
            _("%(item)s takes a score from 0 to %(max)s.")
            % {"item": item.name, "max": scoring.q(item.max_score)}
        )
    return scoring.q(value)


def scores_enter(*, actor: Actor, run: Run, cells: Iterable[Cell]) -> int:
    """Subjective scores as the assessors give them: all or nothing — a ValidationError names every
    bad cell (by `<result>-<item>`) and nothing is saved. A blank cell clears the score."""
    scheme = run.scheme
    require_scope(actor, MANAGE, scheme.owner)
    if run.is_final:
        raise ValidationError(_("A finalised assessment no longer changes."))
    items = {i.pk: i for i in _subjective(run)}
    results = {r.pk: r for r in run.results.all()}
    errors: dict[str, list[str]] = {}
    parsed: dict[tuple[int, int], Decimal | None] = {}
    for cell in cells:
        key = f"{cell.result_id}-{cell.item_id}"
        item, result = items.get(cell.item_id), results.get(cell.result_id)
        if item is None or result is None or not item.applies(result.kind):
            errors[key] = [_("There is no such subject or subjective item in this assessment.")]
            continue
        try:
            parsed[(result.pk, item.pk)] = _parse_score(cell.raw, item)
        except ValueError as exc:
            errors[key] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    user = user_or_none(actor)
    with transaction.atomic():
        existing = {
            (s.result_id, s.item_id): s for s in Score.objects.filter(result__run=run, item_id__in=items)
        }
        new, changed = [], []
        for (result_id, item_id), value in parsed.items():
            row = existing.get((result_id, item_id))
            if row is None:
                if value is not None:
                    new.append(Score(result_id=result_id, item_id=item_id, score=value, entered_by=user))
            elif row.score != value:
                row.score, row.entered_by = value, user
                changed.append(row)
        Score.objects.bulk_create(new, batch_size=1000)
        Score.objects.bulk_update(changed, ["score", "entered_by", "updated_at"], batch_size=1000)
        _totals(run)
        if new or changed:
            _audit(
                actor, scheme.owner, f"assessment.run:{run.pk}", {"scores entered": len(new) + len(changed)}
            )
    return len(new) + len(changed)


def report_attach(*, actor: Actor, result: Result, upload: Any) -> Result:
    """The subject's 述职 report (PDF or picture; checked and cleaned as every upload is)."""
    scheme = result.run.scheme
    require_scope(actor, MANAGE, scheme.owner)
    content_type = document_validate(upload, field="report")
    with transaction.atomic():
        row = Result.objects.select_for_update().get(pk=result.pk)
        row.report.save(upload.name, upload, save=False)
        row.report_type, row.report_name = content_type, upload.name[:200]
        row.save(update_fields=["report", "report_type", "report_name"])
        _audit(actor, row.region, f"assessment.result:{row.pk}", {"report": row.report_name})
    return row


def run_finalise(*, actor: Actor, run: Run) -> Run:
    """Grades by the scheme (cut-offs or shares), the 末位, ranks, and for each cadre the
    consequences of their grade (一述二考三挂钩) recorded as facts. Every subject needs a total."""
    scheme = run.scheme
    require_scope(actor, MANAGE, scheme.owner)
    if run.is_final:
        raise ValidationError(_("The assessment is finalised already."))
    run_compute(actor=actor, run=run)
    with transaction.atomic():
        if not Run.objects.filter(pk=run.pk, status=RunStatus.OPEN).update(
            status=RunStatus.FINAL, finalised_at=timezone.now()
        ):
            raise ValidationError(_("The assessment is finalised already."))
        results = list(run.results.select_related("person"))
        missing = [r for r in results if r.total is None]
        if missing:
            raise ValidationError(
                _("%(n)s subjects have no score yet, e.g. %(first)s.")
                % {"n": len(missing), "first": missing[0].label}
            )
        links = list(scheme.links.all())
        consequences = []
        for kind in (SubjectKind.TEAM, SubjectKind.CADRE):
            group = [r for r in results if r.kind == kind]
            totals = [r.total for r in group]
            if scheme.grading == "shares":
                grades = scoring.grades_by_shares(totals, scheme)  # type: ignore[arg-type]
            else:
                grades = [scoring.grade_by_cutoffs(t, scheme) for t in totals]  # type: ignore[arg-type]
            flags = scoring.bottom(totals, count=scheme.bottom_count, below=scheme.bottom_below)  # type: ignore[arg-type]
            places = scoring.ranks(totals)  # type: ignore[arg-type]
            for r, grade, flag, place in zip(group, grades, flags, places, strict=True):
                r.grade, r.bottom, r.rank = grade, flag, place
                if r.person_id is None:
                    continue
                for link in links:
                    if link.grade == grade:
                        consequences.append(
                            Consequence(result=r, person_id=r.person_id, kind=link.kind, note=link.note)
                        )
                if flag:
                    kind_of = (
                        ConsequenceKind.ADJUST
                        if scheme.bottom_action == BottomAction.ADJUST
                        else ConsequenceKind.INTERVIEW
                    )
                    consequences.append(
                        Consequence(
                            result=r,
                            person_id=r.person_id,
                            kind=kind_of,
                            note="",  # shown as "末位 of the year's assessment" in the reader's language
                        )
                    )
        Result.objects.bulk_update(results, ["grade", "bottom", "rank"], batch_size=1000)
        Consequence.objects.bulk_create(consequences, batch_size=1000)
        _audit(
            actor,
            scheme.owner,
            f"assessment.run:{run.pk}",
            {"status": [RunStatus.OPEN, RunStatus.FINAL], "consequences": len(consequences)},
        )
    run.refresh_from_db()
    return run


# ---- contests (擂台比武) -----------------------------------------------------------------------------


def contest_create(
    *,
    actor: Actor,
    owner: Region,
    title: str,
    held_on: date,
    topics: str = "",
    drop_extremes: bool = True,
    judges: Iterable[str] = (),
    participants: Iterable[Person] = (),
) -> Contest:
    """A contest of secretaries: its judges by name and its participants (people of the owner's area)."""
    require_scope(actor, MANAGE, owner)
    names = [n.strip() for n in judges if n.strip()]
    people = list(participants)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    if not names:
        errors["judges"] = [_("Name at least one judge.")]
    if len(set(names)) != len(names):
        errors["judges"] = [_("A judge is named twice.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contest = Contest.objects.create(
            owner=owner, title=title.strip(), held_on=held_on, topics=topics, drop_extremes=drop_extremes
        )
        Judge.objects.bulk_create(Judge(contest=contest, name=n) for n in names)
        for person in people:
            participant_add(actor=actor, contest=contest, person=person)
        _audit(actor, owner, f"assessment.contest:{contest.pk}", {"created": contest.title})
    return contest


def participant_add(*, actor: Actor, contest: Contest, person: Person) -> Participant:
    """A secretary in a contest, counted at the village or community whose secretary they are
    (where they live otherwise)."""
    post = (
        person.positions.filter(
            kind="secretary",
            ends_on__isnull=True,
            region__level=Level.COMMUNITY,
            region__path__startswith=contest.owner.path,
        )
        .select_related("region")
        .order_by("region__path")
        .first()
    )
    region = post.region if post is not None else person.region
    require_scope(actor, MANAGE, contest.owner, region)
    if region is None or not region.path.startswith(contest.owner.path):
        raise ValidationError({"participants": [_("A participant belongs to the organiser's area.")]})
    return Participant.objects.get_or_create(
        contest=contest, person=person, defaults={"region": region, "region_path": region.path}
    )[0]


def contest_scores_enter(*, actor: Actor, contest: Contest, scores: Mapping[tuple[int, int], Any]) -> Contest:
    """Each judge's score of each participant ((participant id, judge id) → score, 0–100), all or
    nothing; then each participant's result (the mean, without the extremes if configured) and place."""
    require_scope(actor, MANAGE, contest.owner)
    participants = {p.pk: p for p in contest.participants.all()}
    judges = {j.pk: j for j in contest.judges.all()}
    errors: dict[str, list[str]] = {}
    parsed: dict[tuple[int, int], Decimal] = {}
    for (participant_id, judge_id), raw in scores.items():
        key = f"{participant_id}-{judge_id}"
        if participant_id not in participants or judge_id not in judges:
            errors[key] = [_("There is no such participant or judge in this contest.")]
            continue
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            errors[key] = [_("“%(value)s” is not a number.") % {"value": str(raw)[:20]}]
            continue
        if not value.is_finite() or not (0 <= value <= 100):
            errors[key] = [_("A judge's score is from 0 to 100.")]
            continue
        parsed[(participant_id, judge_id)] = scoring.q(value)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for (participant_id, judge_id), value in parsed.items():
            JudgeScore.objects.update_or_create(
                participant_id=participant_id, judge_id=judge_id, defaults={"score": value}
            )
        given: dict[int, list[Decimal]] = defaultdict(list)
        for participant_id, score in JudgeScore.objects.filter(participant__contest=contest).values_list(
            "participant_id", "score"
        ):
            given[participant_id].append(score)
        rows = list(participants.values())
        for p in rows:
            p.result = scoring.contest_result(given.get(p.pk, []), drop_extremes=contest.drop_extremes)
        scored = [p for p in rows if p.result is not None]
        places = scoring.ranks([p.result for p in scored])  # type: ignore[misc]
        for p, place in zip(scored, places, strict=True):
            p.place = place
        Participant.objects.bulk_update(rows, ["result", "place"])
        _audit(actor, contest.owner, f"assessment.contest:{contest.pk}", {"scores": len(parsed)})
    return contest
