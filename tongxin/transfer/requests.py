"""Exports with full phone and ID-card numbers: requested with a purpose, approved by a second
person who may reveal numbers under the same region (never the requester: 403), at most
TONGXIN_EXPORT_MAX_ROWS people, the file kept TONGXIN_EXPORT_TTL_HOURS after approval and then
deleted. Every step is audited."""

import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.audit.models import Action, Outcome
from tongxin.audit.purposes import purpose_detail, purpose_problem
from tongxin.audit.services import audit_record
from tongxin.core.actors import SYSTEM, Actor, is_user
from tongxin.core.roles import Capability
from tongxin.core.scope import has_capability, scope_for
from tongxin.regions.models import Region
from tongxin.transfer import exporters, layouts, selectors
from tongxin.transfer.models import ExportRequest, RequestStatus

PENDING_FOR = timedelta(days=7)  # a request nobody decides on lapses
TOO_MANY = gettext_lazy(
    "%(n)s people are more than one export may hold (at most %(max)s). Choose a smaller region."
)


def _dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def may_request(user: Actor, root: Region) -> bool:
    layout = layouts.layout_for(layouts.PEOPLE)
    assert layout is not None
    return (
        has_capability(user, Capability.DATA_EXPORT)
        and selectors.export_scope_contains(user, layout, root.path)
        and scope_for(user, Capability.PEOPLE_REVEAL).contains(root.path)
    )


def may_approve(user: Actor, export: ExportRequest) -> bool:
    """A second person who could request the same export themselves."""
    return user.pk != export.requested_by_id and may_request(user, export.root)


def _record(
    action: str, user: Actor, export: ExportRequest, request: HttpRequest | None, **detail: Any
) -> None:
    audit_record(
        action=action,
        actor=user,
        request=request,
        region=export.root,
        target=f"export-request:{export.pk}",
        outcome=detail.pop("outcome", Outcome.SUCCESS),
        detail={"kind": export.kind, "rows": export.rows, **detail},
    )


def export_request_create(
    *, user: Actor, root: Region, purpose: str, note: str = "", request: HttpRequest | None = None
) -> ExportRequest:
    if not is_user(user) or not may_request(user, root):
        raise PermissionDenied
    problem = purpose_problem(purpose, note)
    if problem:
        raise ValidationError({"purpose": [problem]})
    rows = selectors.people_under(root).count()
    limit = settings.TONGXIN_EXPORT_MAX_ROWS
    if rows > limit:
        raise ValidationError({"root": [TOO_MANY % {"n": f"{rows:,}", "max": f"{limit:,}"}]})
    with transaction.atomic():
        export = ExportRequest.objects.create(
            kind=layouts.PEOPLE,
            root=root,
            requested_by=user,
            rows=rows,
            expires_at=timezone.now() + PENDING_FOR,
            **purpose_detail(purpose, note),
        )
        _record(Action.EXPORT_REQUESTED, user, export, request, **purpose_detail(purpose, note))
    return export


def export_request_decide(
    *, export: ExportRequest, user: Actor, approve: bool, reason: str = "", request: HttpRequest | None = None
) -> ExportRequest:
    """Approve (the file is written now, kept until it expires) or refuse, once."""
    if not is_user(user):
        raise PermissionDenied
    if user.pk == export.requested_by_id:
        _record(Action.EXPORT_APPROVED, user, export, request, outcome=Outcome.DENIED, why="self-approval")
        raise PermissionDenied  # 三员/双人: nobody approves their own bulk reveal
    if not may_approve(user, export):
        raise PermissionDenied
    if not approve and not reason.strip():
        raise ValidationError({"reason": [_("Say why the export is refused.")]})
    with transaction.atomic():
        locked = ExportRequest.objects.select_for_update().get(pk=export.pk)
        if locked.status != RequestStatus.PENDING or locked.expires_at <= timezone.now():
            raise ValidationError(_("This request was already decided or has expired."))
        locked.decided_by, locked.decided_at, locked.reason = user, timezone.now(), reason.strip()[:200]
        if approve:
            layout = layouts.layout_for(locked.kind)
            assert layout is not None
            result = exporters.export_workbook(
                layout=layout, root=locked.root, reveal=True, exported_by=locked.requested_by.get_username()
            )
            locked.file_name = f"{locked.pk}-{secrets.token_hex(8)}.xlsx"
            fd = os.open(_dir() / locked.file_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(result.content)
            locked.status = RequestStatus.APPROVED
            locked.expires_at = timezone.now() + timedelta(hours=settings.TONGXIN_EXPORT_TTL_HOURS)
            _record(Action.EXPORT_APPROVED, user, locked, request, counts=result.counts)
        else:
            locked.status = RequestStatus.REFUSED
            _record(Action.EXPORT_REFUSED, user, locked, request, reason=locked.reason)
        locked.save()
    return locked


def export_request_download(
    *, export: ExportRequest, user: Actor, request: HttpRequest | None = None
) -> tuple[bytes, str]:
    """The approved file, for the requester only, until it expires."""
    if not is_user(user) or user.pk != export.requested_by_id:
        raise Http404
    path = _dir() / export.file_name if export.file_name else None
    if export.status != RequestStatus.APPROVED or export.expires_at <= timezone.now() or path is None:
        raise Http404
    content = path.read_bytes()
    with transaction.atomic():
        ExportRequest.objects.filter(pk=export.pk).update(downloads=export.downloads + 1)
        _record(Action.EXPORT_DOWNLOADED, user, export, request, purpose=export.purpose)
        audit_record(
            action=Action.REVEAL,
            actor=user,
            request=request,
            region=export.root,
            target=f"export:{export.kind}:{export.root.code}",
            detail={
                "field": "phone,id_card",
                "export": export.kind,
                "rows": export.rows,
                "request": export.pk,
                **purpose_detail(export.purpose, export.note),
            },
        )
    return content, f"{export.kind}-{export.root.code}-{export.pk}.xlsx"


def export_requests_expire(*, now: datetime | None = None) -> int:
    """Delete the files of approved requests past their time, and lapse undecided ones."""
    now = now or timezone.now()
    done = 0
    for export in ExportRequest.objects.filter(
        status__in=[RequestStatus.APPROVED, RequestStatus.PENDING], expires_at__lte=now
    ).select_related("root"):
        with transaction.atomic():
            if not ExportRequest.objects.filter(pk=export.pk, status=export.status).update(
                status=RequestStatus.EXPIRED, file_name=""
            ):
                continue
            if export.file_name:
                (_dir() / export.file_name).unlink(missing_ok=True)
            _record(Action.EXPORT_EXPIRED, SYSTEM, export, None, was=export.status)  # the worker
            done += 1
    return done


# ---- reads ---------------------------------------------------------------------------------------


def export_requests_visible(user: Any) -> QuerySet[ExportRequest]:
    """The user's own requests, and those they could approve (under their reveal scope)."""
    approvable = (
        scope_for(user, Capability.PEOPLE_REVEAL).q("root__path")
        if has_capability(user, Capability.DATA_EXPORT)
        else Q(pk__in=[])
    )
    return ExportRequest.objects.filter(Q(requested_by=user) | approvable).select_related(
        "root", "requested_by", "decided_by"
    )


def export_request_get(user: Any, pk: Any) -> ExportRequest:
    return get_object_or_404(export_requests_visible(user), pk=pk)
