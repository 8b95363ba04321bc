"""Demo subject-rights requests (个人权利请求) at each community whose secretary logs in: one answered,
one refused with its reason, one in progress and one overdue, so the list has its urgent row first."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.cases.models import Case
from tongxin.core.actors import RESIDENT
from tongxin.core.roles import Role
from tongxin.demo.tally import Tally
from tongxin.privacy.models import RequestKind, SubjectRequest
from tongxin.privacy.services import request_create, request_transition
from tongxin.regions.models import Region

PrivacySummary = Tally


@dataclass
class _Filer:
    community: Region
    phones: list[str]
    rng: random.Random
    now: datetime

    def __call__(self, kind: str, days_ago: int, detail: str) -> SubjectRequest:
        received = self.now - timedelta(days=days_ago)
        return request_create(
            actor=RESIDENT,
            kind=kind,
            region=self.community,
            requester_name=self.rng.choice(["王女士", "李先生", "张阿姨", "陈师傅"]),
            phone=self.rng.choice(self.phones),
            detail=detail,
            received_on=timezone.localdate(received),
            now=received,
        )


def generate_privacy_requests(*, rng: random.Random, now: datetime) -> PrivacySummary:
    summary = PrivacySummary()
    grants = RoleAssignment.objects.filter(role=Role.COMMUNITY_SECRETARY).select_related("user", "region")
    for grant in grants.order_by("id")[:3]:
        community, secretary = grant.region, grant.user
        phones = [
            c.reveal_reporter_phone()
            for c in Case.objects.filter(community=community).exclude(reporter_phone_encrypted="")[:4]
        ] or ["13800000000"]

        file = _Filer(community, phones, rng, now)
        answered = file(RequestKind.ACCESS, 40, "想看看社区登记了我哪些信息。")
        request_transition(
            request=answered,
            action="complete",
            actor=secretary,
            reason="已将您的诉求记录和联系方式整理成副本，请到社区服务站领取。",
            now=now - timedelta(days=33),
        )
        refused = file(RequestKind.DELETION, 20, "请删除我在诉求里留下的电话。")
        request_transition(
            request=refused,
            action="refuse",
            actor=secretary,
            reason="该诉求仍在办理中，办结前需保留联系方式以便回访；办结后可再次申请删除。",
            now=now - timedelta(days=15),
        )
        started = file(RequestKind.CORRECTION, 5, "门牌号登记错了，应为3幢202。")
        request_transition(request=started, action="start", actor=secretary, now=now - timedelta(days=4))
        file(RequestKind.EXPLANATION, 30, "想了解网格员为什么要登记我的工作单位。")  # overdue, untouched
        summary.counts["requests"] = summary.counts.get("requests", 0) + 4
    return summary
