"""Demo annual targets: what a street's Party working committee enters in January, so that the demo
overview shows done / target / share the way seed reports do ("23,554 members reported, 95%")."""

import random
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.core.roles import Role
from tongxin.demo.tally import Tally
from tongxin.partylife.models import DevelopmentFile, StepKind
from tongxin.people.models import PartyStatus, Person
from tongxin.regions.models import Level, Region
from tongxin.statistics.services import target_set

TargetsSummary = Tally


def generate_targets(*, rng: random.Random, now: datetime) -> TargetsSummary:
    """For every street with an official: members expected to report (the in-service members living
    there, i.e. with an employer on record) and each community's development plan (its 发展对象)."""
    summary = TargetsSummary()
    year = timezone.localdate(now).year
    for grant in RoleAssignment.objects.filter(role=Role.STREET_OFFICIAL).select_related("user", "region"):
        street = grant.region
        low, high = street.path, street.path + "~"
        in_service = (
            Person.objects.filter(region__path__gte=low, region__path__lt=high)
            .exclude(party_status=PartyStatus.NONE)
            .exclude(employer="")
            .count()
        )
        if in_service:
            target_set(
                actor=grant.user,
                indicator="members.reported",
                region=street,
                year=year,
                value=Decimal(in_service),
                note="辖区在职党员（有工作单位登记）均应到居住地社区报到",
            )
            summary.counts["members expected to report"] = (
                summary.counts.get("members expected to report", 0) + 1
            )
        for community in Region.objects.filter(parent=street, level=Level.COMMUNITY):
            # the plan is drawn up from the development targets (发展对象) the branches put forward
            c_low, c_high = community.path, community.path + "~"
            plan = (
                DevelopmentFile.objects.filter(
                    branch__region__path__gte=c_low, branch__region__path__lt=c_high
                )
                .filter(steps__kind=StepKind.TARGET)
                .distinct()
                .count()
            )
            if not plan:
                continue
            target_set(
                actor=grant.user,
                indicator="partylife.admitted",
                region=community,
                year=year,
                value=Decimal(plan),
                note="年度发展党员计划（按已确定的发展对象编制）",
            )
            summary.counts["development plans"] = summary.counts.get("development plans", 0) + 1
    return summary
