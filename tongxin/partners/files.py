"""Uploaded documents (a signed agreement, evidence of a project): type read from the bytes,
size limited, stored under MEDIA_ROOT and only ever served through a scoped view."""

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from tongxin.core.uploads import upload_accept
from tongxin.lib.filetypes import IMAGES, PDF

DOCUMENT_TYPES = (PDF, *IMAGES)


def document_validate(upload: Any, *, field: str = "file") -> str:
    """Check an upload (a picture loses its metadata: core.uploads); returns its content type or
    raises a ValidationError on `field`."""
    try:
        return upload_accept(upload, allowed=DOCUMENT_TYPES, max_bytes=settings.TONGXIN_DOCUMENT_MAX_BYTES)
    except ValidationError as exc:
        if exc.code == "type":
            message = _("The file %(name)s is not a PDF or a JPEG, PNG or WebP image.") % {
                "name": upload.name
            }
            raise ValidationError({field: [message]}) from exc
        raise ValidationError({field: exc.messages}) from exc


def document_check(upload: Any, errors: dict[str, list[str]], *, field: str = "file") -> str:
    """The content type of an optional upload ("" without one); what is wrong with it joins `errors`,
    for a service that reports every field's problem at once."""
    if not upload:
        return ""
    try:
        return document_validate(upload, field=field)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return ""


def serve(stored: Any, *, content_type: str, name: str) -> HttpResponse:
    """Hand out a stored file to someone the caller has checked may see it."""
    inline = content_type.startswith("image/") or content_type == "application/pdf"
    response = FileResponse(
        stored.open("rb"), content_type=content_type, as_attachment=not inline, filename=name or ""
    )
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    # a streamed response; the access decorators type every view as returning an HttpResponse
    return cast(HttpResponse, response)
