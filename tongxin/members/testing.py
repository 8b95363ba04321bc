"""Test data for members, activities and Party life, built through the real services."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tongxin.activities.models import Activity, ActivityKind, Audience
from tongxin.activities.services import activity_create, attendance_confirm, signup_create
from tongxin.core.actors import SYSTEM
from tongxin.members.models import MemberReport, ReportChannel, ServicePost, ServicePostKind
from tongxin.members.services import member_report_create, service_post_create
from tongxin.organisations.models import OrgKind, PartyOrganisation
from tongxin.organisations.services import organisation_create
from tongxin.partners.services import unit_create
from tongxin.people.models import Person
from tongxin.regions.models import Region
from tongxin.testing import Tree

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_post(
    community: Region, *, name: str | None = None, kind: str = ServicePostKind.POLICY, **kw: Any
) -> ServicePost:
    return service_post_create(community=community, kind=kind, name=name or f"服务岗{_next()}", **kw)


def make_employer(tree: Tree, *, name: str | None = None, region: Region | None = None) -> Any:
    """A partner unit (a hospital of the county) with its own Party committee."""

    n = _next()
    region = region or tree.county
    org = organisation_create(
        name=f"{name or '县人民医院'}党委{n}",
        kind=OrgKind.COMMITTEE,
        code=f"ORG-EMP-{n:04d}",
        region=region,
        parent=tree.orgs["county"],
    )
    return unit_create(
        name=f"{name or '县人民医院'}{n}",
        kind="hospital",
        region=region,
        actor=SYSTEM,
        party_organisation=org,
    )


def employer_branch(unit: Any) -> PartyOrganisation:
    """A branch under the unit's Party committee (the member's own branch at work)."""
    n = _next()
    return organisation_create(
        name=f"{unit.name}第{n}支部",
        kind=OrgKind.BRANCH,
        code=f"ORG-EB-{n:04d}",
        region=unit.party_organisation.region,
        parent=unit.party_organisation,
    )


def make_report(
    person: Person,
    post: ServicePost,
    *,
    unit: Any = None,
    on: date | None = None,
    channel: str = ReportChannel.COMMUNITY,
    organisation: PartyOrganisation | None = None,
) -> MemberReport:
    return member_report_create(
        person=person,
        service_post=post,
        employer_unit=unit,
        employer_organisation=organisation,
        channel=channel,
        reported_on=on or timezone.localdate(),
    )


def past_activity(
    organiser: Any, region: Region, *, days_ago: int = 3, hours: float | None = None, **kw: Any
) -> Activity:
    """An activity that took place `days_ago` days ago (published then, so created with its dates)."""
    starts = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    kw.setdefault("title", f"环境整治{_next()}")
    kw.setdefault("kind", ActivityKind.CLEAN_UP)
    kw.setdefault("place", "社区广场")
    kw.setdefault("audience", Audience.MEMBERS)
    return activity_create(
        organiser=organiser,
        region=region,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        hours=Decimal(str(hours)) if hours is not None else None,
        **kw,
    )


def future_activity(organiser: Any, region: Region, *, days_ahead: int = 3, **kw: Any) -> Activity:
    starts = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=days_ahead)
    kw.setdefault("title", f"政策宣讲{_next()}")
    kw.setdefault("kind", ActivityKind.POLICY_TALK)
    kw.setdefault("place", "党群服务中心")
    kw.setdefault("audience", Audience.MEMBERS)
    return activity_create(
        organiser=organiser, region=region, starts_at=starts, ends_at=starts + timedelta(hours=2), **kw
    )


def attend(activity: Activity, organiser: Any, *users: Any, now: datetime | None = None) -> Activity:
    """Sign the users up (before it starts) and confirm they attended (after)."""
    before = activity.starts_at - timedelta(hours=1)
    signups = [signup_create(activity=activity, user=u, now=before) for u in users]
    return attendance_confirm(activity=activity, actor=organiser, attended=[s.pk for s in signups], now=now)
