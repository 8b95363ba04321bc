"""Who sees which assessment and which scores.

- The owning department (assessment.manage at the scheme's owner) sees everything, rankings too
  when the scheme shows them (off by default, DOMAIN.md §7).
- A village or community (assessment.view held at that very unit) sees only its own team's and
  cadres' results, never another's.
- A street or township (assessment.view above the villages) sees its villages' scores only when
  the scheme shares them.
Anything else is a 404."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tongxin.assessment.models import Contest, Participant, Result, Run, Scheme, SchemeStatus
from tongxin.core.roles import Capability
from tongxin.core.scope import scope_for
from tongxin.lib.tree import PATH_END

MANAGE = Capability.ASSESSMENT_MANAGE
VIEW = Capability.ASSESSMENT_VIEW


def _ancestors_q(paths: tuple[str, ...], field: str) -> Q:
    """Rows whose `field` path is an ancestor of (or equal to) one of `paths`."""
    prefixes: set[str] = set()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        prefixes |= {"/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))}
    return Q(**{f"{field}__in": sorted(prefixes)}) if prefixes else Q(pk__in=[])


def schemes_visible(user: Any) -> QuerySet[Scheme]:
    """Schemes the user owns (any state), and published ones of a department above their area."""
    managed = scope_for(user, MANAGE)
    seen = scope_for(user, VIEW)
    return (
        Scheme.objects.filter(
            managed.q("owner__path")
            | (Q(status=SchemeStatus.PUBLISHED) & _ancestors_q(seen.roots, "owner__path"))
        )
        .select_related("owner")
        .order_by("-year", "name", "-version")
    )


@dataclass(frozen=True)
class Access:
    """What the user may do with a scheme's runs."""

    owner: bool  # the owning department: every score, may change
    ranking: bool  # ranks shown (owner and the scheme shows them)


def access_of(user: Any, scheme: Scheme) -> Access:
    owner = scope_for(user, MANAGE).contains(scheme.owner.path)
    return Access(owner=owner, ranking=owner and scheme.show_ranking)


def scheme_get(user: Any, pk: Any) -> tuple[Scheme, Access]:
    found = schemes_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404("no such scheme")
    return found, access_of(user, found)


def runs_visible(user: Any) -> QuerySet[Run]:
    return Run.objects.filter(scheme__in=schemes_visible(user)).select_related("scheme", "scheme__owner")


def run_get(user: Any, pk: Any) -> tuple[Run, Access]:
    found = runs_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404("no such assessment")
    return found, access_of(user, found.scheme)


def results_visible(user: Any, run: Run) -> QuerySet[Result]:
    """The results of a run the user may see (see the module's rules)."""
    rows = Result.objects.filter(run=run).select_related("region", "person")
    if access_of(user, run.scheme).owner:
        return rows
    roots = scope_for(user, VIEW).roots
    own = Q(region_path__in=roots)
    if run.scheme.share_with_streets:
        for root in roots:
            own |= Q(region_path__gte=root, region_path__lt=root + PATH_END)
    return rows.filter(own) if roots else rows.none()


def result_get(user: Any, pk: Any) -> tuple[Result, Access]:
    found = Result.objects.select_related("run__scheme__owner", "region", "person").filter(pk=pk).first()
    if found is None or not results_visible(user, found.run).filter(pk=found.pk).exists():
        raise Http404("no such result")
    return found, access_of(user, found.run.scheme)


def contests_visible(user: Any) -> QuerySet[Contest]:
    """Contests organised in the user's area or above it (the participants' own shown, see below)."""
    managed = scope_for(user, MANAGE)
    seen = scope_for(user, VIEW)
    return (
        Contest.objects.filter(managed.q("owner__path") | _ancestors_q(seen.roots, "owner__path"))
        .select_related("owner")
        .order_by("-held_on", "-id")
    )


def contest_get(user: Any, pk: Any) -> tuple[Contest, bool]:
    found = contests_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404("no such contest")
    return found, scope_for(user, MANAGE).contains(found.owner.path)


def participants_visible(user: Any, contest: Contest) -> QuerySet[Participant]:
    """The organiser sees every participant's result; others only those of their own area."""
    rows = contest.participants.select_related("person", "region").order_by("place", "region_path", "id")
    if scope_for(user, MANAGE).contains(contest.owner.path):
        return rows
    return rows.filter(scope_for(user, VIEW).q("region_path"))


def record_of(user: Any, person: Any) -> dict[str, Any]:
    """A cadre's assessment record: their visible results, consequences and contest entries."""
    results = [
        r
        for r in Result.objects.filter(person=person, run__status="final").select_related(
            "run__scheme__owner", "region"
        )
        if results_visible(user, r.run).filter(pk=r.pk).exists()
    ]
    entries = [
        p
        for p in Participant.objects.filter(person=person).select_related("contest__owner", "region")
        if participants_visible(user, p.contest).filter(pk=p.pk).exists()
    ]
    return {"results": results, "entries": entries}
