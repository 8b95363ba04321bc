"""Writes around a report that are not transitions: photos (optional evidence) and the audited
reveal of the reporter's phone. Transitions themselves go through services.case_transition."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import Action
from tongxin.audit.purposes import purpose_detail
from tongxin.audit.services import audit_record
from tongxin.cases.models import Case, CasePhoto
from tongxin.cases.services import case_intake
from tongxin.core.actors import SYSTEM, Actor, user_or_none
from tongxin.core.uploads import upload_accept
from tongxin.lib.filetypes import IMAGES
from tongxin.regions.models import Level, Region

MAX_PHOTOS = 4


def photos_validate(uploads: Iterable[Any]) -> list[tuple[Any, str]]:
    """Check the photos a form received; returns (upload, content type) pairs or raises."""
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("Send at most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many")
    checked = []
    for upload in uploads:
        try:
            # read from the bytes, size-limited, re-encoded without EXIF (no GPS position kept)
            content_type = upload_accept(upload, allowed=IMAGES)
        except ValidationError as exc:
            if exc.code == "type":
                raise ValidationError(
                    _("The file %(name)s is not a JPEG, PNG or WebP photo.") % {"name": upload.name},
                    code="not_a_photo",
                ) from exc
            raise
        checked.append((upload, content_type))
    return checked


def case_photos_add(
    *, case: Case, photos: list[tuple[Any, str]], stage: str = CasePhoto.Stage.REPORT, actor: Actor = SYSTEM
) -> list[CasePhoto]:
    """Store already validated photos with a case."""
    now = timezone.now()
    stored = []
    user = user_or_none(actor)
    for upload, content_type in photos:
        photo = CasePhoto(
            case=case,
            stage=stage,
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
            uploaded_at=now,
        )
        photo.file.save(upload.name, upload, save=False)
        photo.save()
        stored.append(photo)
    return stored


def case_reporter_phone_reveal(*, case: Case, actor: Actor, request: HttpRequest | None = None) -> str:
    """The reporter's full phone number, recorded in the audit trail. Callers check permission."""

    value = case.reveal_reporter_phone() if case.reporter_phone_encrypted else ""
    audit_record(
        action=Action.REVEAL,
        actor=actor,
        request=request,
        region=case.community,
        target=f"case:{case.pk}",
        # the purpose is the page's: calling back the reporter of a case the official handles
        detail={"field": "reporter_phone", "case": case.tracking_code, **purpose_detail("case", "")},
    )
    return value


@transaction.atomic
def case_intake_in_grid(*, grid: Region, **intake: Any) -> tuple[Case, str]:
    """Intake for a reporter who names the grid instead of a point (a grid worker whose phone gives
    no position: GPS is never a gate). The case belongs to the grid, not just to its community."""

    community = grid.community()
    if grid.level != Level.GRID or community is None:
        raise ValidationError({"grid": [_("Choose a grid of a community.")]})
    case, token = case_intake(community=community, lng=None, lat=None, **intake)
    Case.objects.filter(pk=case.pk).update(grid=grid, region_path=grid.path)
    case.grid, case.region_path = grid, grid.path
    return case, token
