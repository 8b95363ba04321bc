"""JSON shapes of joint meetings, decisions and tasks."""

from datetime import date, datetime

from ninja import Field, Schema

from tongxin.meetings.models import MeetingKind


class InvitationOut(Schema):
    id: int
    unit_id: int | None
    user_id: int | None
    name: str
    attended: bool | None


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    note: str
    at: datetime


class TaskOut(Schema):
    id: int
    decision_id: int
    title: str
    owner_unit_id: int | None
    owner_user_id: int | None
    owner_name: str
    due_on: date
    status: str
    done_at: datetime | None
    done_note: str


class DecisionOut(Schema):
    id: int
    meeting_id: int
    title: str
    text: str
    four_step: bool
    status: str
    evaluation: str
    steps: list[StepOut]
    tasks: list[TaskOut]

    @staticmethod
    def resolve_steps(obj: object) -> list[object]:
        return list(obj.steps.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_tasks(obj: object) -> list[object]:
        return list(obj.tasks.all())  # type: ignore[attr-defined]


class MeetingOut(Schema):
    id: int
    alliance_id: int | None
    region_id: int
    kind: str
    title: str
    scheduled_at: datetime
    place: str
    status: str
    called_at: datetime | None
    held_at: datetime | None


class MeetingDetailOut(MeetingOut):
    minutes: str
    agenda: list[str]
    invitations: list[InvitationOut]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_agenda(obj: object) -> list[str]:
        return [a.title for a in obj.agenda.all()]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_invitations(obj: object) -> list[object]:
        return list(obj.invitations.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_decisions(obj: object) -> list[object]:
        return list(obj.decisions.prefetch_related("steps", "tasks"))  # type: ignore[attr-defined]


class MeetingCreateIn(Schema):
    title: str = Field(max_length=120)
    scheduled_at: datetime
    alliance: int | None = None
    region: int | None = None
    kind: MeetingKind = MeetingKind.JOINT
    place: str = Field("", max_length=120)
    agenda: list[str] = []
    invite_units: list[int] | None = Field(None, description="default: the alliance's member units")


class AttendanceIn(Schema):
    attended: list[int] = Field(description="ids of the invitations that came")


class MinutesIn(Schema):
    minutes: str
    held_at: datetime | None = None


class DecisionIn(Schema):
    title: str = Field(max_length=200)
    text: str = ""
    four_step: bool = False


class StepIn(Schema):
    action: str = Field(description="discuss, adopt, reject or evaluate")
    note: str = ""


class TaskIn(Schema):
    title: str = Field(max_length=200)
    due_on: date
    owner_unit: int | None = None
    owner_name: str = Field("", max_length=120)


class DoneIn(Schema):
    note: str


class MeetingClaimIn(Schema):
    need: int
    unit: int
