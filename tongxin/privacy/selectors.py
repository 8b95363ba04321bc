"""Reading subject-rights requests, always through the user's scope, and what Tongxin holds about
a request's subject (the copy an access request gives, built from the registry)."""

from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import IntegerField, Model, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from tongxin.cases.models import Case
from tongxin.core.scope import scope_for
from tongxin.lib import crypto
from tongxin.partylife.models import MobileMember
from tongxin.privacy.models import OPEN_STATUSES, SubjectRequest
from tongxin.privacy.registry import PersonalField, Protection, entries_by_model
from tongxin.privacy.services import HANDLE, subject_phone_hash


def requests_visible(user: Any) -> QuerySet[SubjectRequest]:
    return SubjectRequest.objects.filter(scope_for(user, HANDLE).q("region_path")).select_related(
        "region", "handler"
    )


def requests_by_urgency(user: Any, today: date) -> QuerySet[SubjectRequest]:
    """Overdue open requests first, then the other open ones by due date, then the answered."""
    rank = When_(
        When(status__in=OPEN_STATUSES, due_on__lt=today, then=Value(0)),
        When(status__in=OPEN_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return requests_visible(user).annotate(rank=rank).order_by("rank", "due_on", "id")


def request_get(user: Any, pk: Any) -> SubjectRequest:
    return get_object_or_404(requests_visible(user).select_related("person"), pk=pk)


def _value(obj: Model, entry: PersonalField) -> Any:
    raw = getattr(obj, entry.field)
    if entry.protection == Protection.ENCRYPTED:
        return crypto.decrypt(raw, key=settings.FIELD_ENCRYPTION_KEY)
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, Model):
        return str(raw)
    return raw


def _record(obj: Model, entries: list[PersonalField]) -> dict[str, Any]:
    """The subject's own data in one row: every registered field but look-up hashes and link tokens."""
    model = type(obj)
    record: dict[str, Any] = {}
    for entry in entries:
        if entry.protection == Protection.BLIND_INDEX or entry.field.startswith("tracking_token"):
            continue
        field = model._meta.get_field(entry.field)
        label = str(getattr(field, "verbose_name", entry.field))
        record[label] = _value(obj, entry)
    return record


def _section(label: str, objects: Any, model: str) -> dict[str, Any]:
    entries = entries_by_model().get(model, [])
    return {"label": label, "records": [_record(o, entries) for o in objects]}


def subject_export(request: SubjectRequest) -> dict[str, Any]:
    """What Tongxin holds about the subject, field by field as the registry lists them."""
    sections = []
    if request.person is not None:
        person = request.person
        sections.append(_section(str(person._meta.verbose_name), [person], "people.Person"))
        mobile = MobileMember.objects.filter(person=person)
        sections.append(_section(str(MobileMember._meta.verbose_name), mobile, "partylife.MobileMember"))
    phone_hash = subject_phone_hash(request)
    if phone_hash:
        cases = list(Case.objects.filter(reporter_phone_hash=phone_hash).order_by("reported_at", "id"))
        section = _section(str(Case._meta.verbose_name_plural), cases, "cases.Case")
        for record, case in zip(section["records"], cases, strict=True):
            record[str(Case._meta.get_field("tracking_code").verbose_name)] = case.tracking_code
        sections.append(section)
    return {
        "reference": request.reference,
        "sections": [s for s in sections if s["records"]],
    }
