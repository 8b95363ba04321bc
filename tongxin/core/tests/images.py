"""Small real pictures for upload tests, made with Pillow (a phone's JPEG with its GPS position)."""

import io

from PIL import Image

GPS_IFD = 0x8825


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (8, 6)) -> bytes:
    """A JPEG whose EXIF names the camera and where it was taken (31.3° N, 120.6° E), turned by
    the orientation tag as a phone held upright does."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    exif[GPS_IFD] = {1: "N", 2: (31.0, 18.0, 0.0), 3: "E", 4: (120.0, 36.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def html_as_png() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
