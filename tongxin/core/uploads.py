"""Every uploaded file goes through here: its type read from its own bytes (never the browser's
word), its size and the number per request limited (settings), and a picture re-encoded with
Pillow, which drops its EXIF (GPS position, camera, owner) and anything hidden after the image.
"""

import io
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from tongxin.lib.filetypes import IMAGES, JPEG, PDF, PNG, WEBP, is_markup, sniff

_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
_KINDS = {
    JPEG: gettext_lazy("a JPEG picture"),
    PNG: gettext_lazy("a PNG picture"),
    WEBP: gettext_lazy("a WebP picture"),
    PDF: gettext_lazy("a PDF document"),
}
# a picture larger than this many pixels is refused before it is decoded (a decompression bomb)
MAX_PIXELS = 60_000_000


def upload_check(upload: Any, *, allowed: Collection[str], max_bytes: int | None = None) -> str:
    """The upload's content type, read from its bytes, if it is one of `allowed` and small enough;
    else a ValidationError saying what is wrong with it."""
    limit = max_bytes or settings.TONGXIN_UPLOAD_MAX_BYTES
    name = getattr(upload, "name", "") or _("the file")
    if upload.size > limit:
        raise ValidationError(
            _("The file %(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)},
            code="too_large",
        )
    found = sniff(upload, allowed)
    if found is not None:
        return found
    claimed = getattr(upload, "content_type", "") or ""
    if is_markup(upload):
        raise ValidationError(
            _("The file %(name)s is a web page (HTML or SVG), not the picture or document it claims to be.")
            % {"name": name},
            code="markup",
        )
    if claimed in allowed:
        raise ValidationError(
            _("The file %(name)s says it is %(kind)s, but its content is not.")
            % {"name": name, "kind": _KINDS[claimed]},
            code="mismatch",
        )
    raise ValidationError(
        _("The file %(name)s is not of a kind accepted here.") % {"name": name}, code="type"
    )


def image_reencode(upload: Any, content_type: str) -> bytes:
    """The picture decoded and written again in its own format, turned upright, without metadata.

    Pillow writes EXIF, XMP or an ICC profile only when asked to; nothing is asked, so the GPS
    position a phone puts into a photo never reaches the disk.
    """
    name = getattr(upload, "name", "") or _("the picture")
    try:
        with Image.open(upload) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ValidationError(
                    _("The picture %(name)s has too many pixels.") % {"name": name}, code="too_large"
                )
            if Image.MIME.get(opened.format or "") != content_type:
                raise UnidentifiedImageError(opened.format)
            image = ImageOps.exif_transpose(opened)  # keep the orientation the EXIF gave
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("The picture %(name)s is damaged or not a picture.") % {"name": name}, code="damaged"
        ) from exc
    finally:
        upload.seek(0)
    if content_type == JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    options: dict[str, Any] = {"quality": 88} if content_type in (JPEG, WEBP) else {"optimize": True}
    image.save(buffer, format=_PILLOW_FORMATS[content_type], **options)
    return buffer.getvalue()


def image_strip(upload: Any, content_type: str) -> None:
    """Replace an uploaded picture's content by its re-encoding (`image_reencode`), in place, so
    the service that stores the upload stores the clean copy."""
    data = image_reencode(upload, content_type)
    upload.file = io.BytesIO(data)
    upload.size = len(data)


def upload_accept(upload: Any, *, allowed: Collection[str], max_bytes: int | None = None) -> str:
    """`upload_check`, then a picture's metadata stripped (`image_strip`); its content type."""
    content_type = upload_check(upload, allowed=allowed, max_bytes=max_bytes)
    if content_type in IMAGES:
        image_strip(upload, content_type)
    return content_type
