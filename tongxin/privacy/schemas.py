from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema

from tongxin.privacy.models import RequestKind, RequestStatus
from tongxin.privacy.workflow import RequestAction

INT32 = 2**31 - 1


class RequestOut(Schema):
    id: int
    reference: str
    kind: RequestKind
    channel: str
    status: RequestStatus
    region: int = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    person: int | None = Field(None, alias="person_id")
    phone_masked: str
    received_on: date
    due_on: date
    overdue: bool
    version: int
    response: str
    answered_at: datetime | None

    @staticmethod
    def resolve_overdue(obj: object) -> bool:
        from_status = getattr(obj, "status", "")
        due = getattr(obj, "due_on", None)
        return (
            from_status in {RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS}
            and due is not None
            and due < timezone.localdate()
        )


class TransitionOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor_label: str
    reason: str
    at: datetime


class RequestDetailOut(RequestOut):
    requester_name: str
    detail: str
    transitions: list[TransitionOut]

    @staticmethod
    def resolve_transitions(obj: object) -> list[object]:
        return list(obj.transitions.all())  # type: ignore[attr-defined]


class RequestCreateIn(Schema):
    kind: RequestKind
    region: int = Field(ge=1, le=INT32, description="the community that answers the request")
    person: int | None = Field(None, ge=1, le=INT32, description="the person in the register, if known")
    requester_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20, pattern=r"^[0-9]*$")
    detail: str = Field("", max_length=2000)
    received_on: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 1, 1))


class TransitionIn(Schema):
    action: Literal[RequestAction.START, RequestAction.COMPLETE, RequestAction.REFUSE]
    reason: str = Field("", max_length=2000)
    expected_version: int | None = Field(None, ge=0, le=INT32)


class RequestFilters(Schema):
    status: RequestStatus | None = None
    kind: RequestKind | None = None
    overdue: bool | None = None
