"""Where the service record comes from: pluggable sources of verified outcomes.

Each source reads another app's records (never writes them) and says, for a set of its objects,
which people did a verified service, on which day and for how many hours. The sync
(members.services.service_entries_sync) turns that into ServiceEntry rows and removes rows whose
outcome is no longer verified (a case reopened, an attendance withdrawn). Nothing is typed twice.

Registered here: cases (taken from the pool or handled, closed as solved and confirmed by the
resident) and project milestones accepted by the community (tongxin.lists), credited to the member
who reported the milestone done. The activities app registers its attendance (confirmed by the
organiser) when it loads (activities/service_source.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from django.db.models import Q
from django.utils import timezone

from tongxin.cases.models import Case, CaseStatus, CaseTransition
from tongxin.lists.models import Milestone, MilestoneStatus
from tongxin.members.models import ServiceEntry
from tongxin.members.models import ServiceSource as SourceKey
from tongxin.members.selectors import RulesBook


@dataclass(frozen=True)
class ServiceFact:
    person_id: int
    source_id: str
    on: date
    hours: Decimal
    title: str
    region_id: int | None
    url: str = ""


class Source(Protocol):
    key: str

    def changed(self, since: datetime | None, until: datetime) -> list[str] | None:
        """Ids of this source's objects whose outcome may have changed in [since, until); None = all."""
        ...

    def facts(self, ids: list[str] | None) -> Iterable[ServiceFact]:
        """The verified services of these objects (all objects if None), as they stand now."""
        ...


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    SOURCES[source.key] = source
    return source


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


class CaseSource:
    """A case its member took from the grid pool or handled, closed as solved and confirmed.

    Hours credited per case come from the member rules (cases record no working hours).
    """

    key = SourceKey.CASE.value

    def changed(self, since: datetime | None, until: datetime) -> list[str] | None:

        if since is None:
            return None
        ids = (
            CaseTransition.objects.filter(at__gte=since, at__lt=until)
            .values_list("case_id", flat=True)
            .distinct()
        )
        return [str(pk) for pk in ids]

    def facts(self, ids: list[str] | None) -> Iterable[ServiceFact]:

        rows = (
            Case.objects.filter(
                status__in=[CaseStatus.CLOSED, CaseStatus.ARCHIVED],
                solved_confirmed=True,
                assignee_user__person__isnull=False,
                closed_at__isnull=False,
            )
            .exclude(assignee_user__person__party_status="")
            .select_related("category", "assignee_user", "community")
        )
        if ids is not None:
            rows = rows.filter(pk__in=[int(i) for i in ids])
        books: dict[int, RulesBook] = {}
        for case in rows.iterator(chunk_size=2000):
            person_id = case.assignee_user.person_id if case.assignee_user else None
            if person_id is None or case.closed_at is None:
                continue
            closed_on = _local_date(case.closed_at)
            book = books.get(case.community_id)
            if book is None:
                book = books[case.community_id] = RulesBook(case.community)
            yield ServiceFact(
                person_id=person_id,
                source_id=str(case.pk),
                on=closed_on,
                hours=book.at(closed_on).case_hours,
                title=f"{case.category.name} · {case.tracking_code}",
                region_id=case.grid_id or case.community_id,
                url=case.get_absolute_url(),
            )


class ProjectMilestoneSource:
    """A project milestone accepted by the community, credited to the member who reported it done.

    Hours per milestone come from the member rules (milestones record no hours).
    """

    key = SourceKey.PROJECT.value

    def changed(self, since: datetime | None, until: datetime) -> list[str] | None:

        if since is None:
            return None
        touched = Milestone.objects.filter(
            Q(accepted_at__gte=since, accepted_at__lt=until)
            | Q(reported_at__gte=since, reported_at__lt=until)
        ).values_list("pk", flat=True)
        # an acceptance withdrawn leaves no timestamp: re-check the entries whose milestone is not accepted
        credited = ServiceEntry.objects.filter(source=self.key).values_list("source_id", flat=True)
        withdrawn = (
            Milestone.objects.filter(pk__in=[int(i) for i in credited])
            .exclude(status=MilestoneStatus.ACCEPTED)
            .values_list("pk", flat=True)
        )
        return sorted({str(pk) for pk in touched} | {str(pk) for pk in withdrawn})

    def facts(self, ids: list[str] | None) -> Iterable[ServiceFact]:

        rows = (
            Milestone.objects.filter(
                status=MilestoneStatus.ACCEPTED,
                accepted_at__isnull=False,
                reported_by__person__isnull=False,
            )
            .exclude(reported_by__person__party_status="")
            .select_related("project", "project__region", "reported_by")
        )
        if ids is not None:
            rows = rows.filter(pk__in=[int(i) for i in ids])
        books: dict[int, RulesBook] = {}
        for milestone in rows.iterator(chunk_size=2000):
            if milestone.accepted_at is None:
                continue
            accepted_on = _local_date(milestone.accepted_at)
            project = milestone.project
            book = books.get(project.region_id)
            if book is None:
                book = books[project.region_id] = RulesBook(project.region)
            person_id = milestone.reported_by.person_id if milestone.reported_by else None
            if person_id is None:
                continue
            yield ServiceFact(
                person_id=person_id,
                source_id=str(milestone.pk),
                on=accepted_on,
                hours=book.at(accepted_on).project_hours,
                title=f"{project.title} · {milestone.title}",
                region_id=project.region_id,
                url=project.get_absolute_url(),
            )


register(CaseSource())
register(ProjectMilestoneSource())
