"""Files are what they say (issue 12, item 9; SECURITY.md rows 22 and 30): every upload's type is
read from its bytes, pictures are re-encoded without EXIF (no GPS position kept), sizes and counts
are limited by settings, and files are served with their own type and nosniff."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tongxin.activities.models import ActivityPhoto
from tongxin.cases.models import CasePhoto
from tongxin.cases.testing import category
from tongxin.cases.tests.pages import IN_GRID_11, fresh_cache
from tongxin.core.roles import Role
from tongxin.core.tests.images import GPS_IFD, html_as_png, jpeg_with_gps, png_bytes
from tongxin.core.uploads import upload_accept
from tongxin.lib.filetypes import IMAGES, JPEG, PDF, PNG, is_markup
from tongxin.members.testing import past_activity
from tongxin.partners.files import document_validate
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


def stored_exif(stored) -> dict:
    with stored.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as image:
        return {
            "exif": dict(image.getexif()),
            "gps": dict(image.getexif().get_ifd(GPS_IFD)),
            "size": image.size,
        }


# ---- the shared checks --------------------------------------------------------------------------


def test_html_claiming_to_be_a_png_is_refused_with_a_clear_message():
    upload = SimpleUploadedFile("photo.png", html_as_png(), content_type="image/png")
    assert is_markup(upload)
    with pytest.raises(ValidationError) as refused:
        upload_accept(upload, allowed=IMAGES)
    assert refused.value.code == "markup"
    assert "photo.png is a web page (HTML or SVG)" in refused.value.messages[0]


def test_bytes_that_are_not_what_the_browser_claims_are_refused():
    upload = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type=PDF)
    with pytest.raises(ValidationError) as refused:
        upload_accept(upload, allowed=(PDF, *IMAGES))
    assert refused.value.code == "mismatch"
    assert "says it is a PDF document, but its content is not" in refused.value.messages[0]


def test_a_picture_loses_its_exif_and_gps_position_but_stays_upright():
    original = jpeg_with_gps((8, 6))
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the phone's position is in the file
    upload = SimpleUploadedFile("phone.jpg", original, content_type="image/jpeg")
    assert upload_accept(upload, allowed=IMAGES) == JPEG
    data = upload.read()
    assert upload.size == len(data) and data != original
    with Image.open(io.BytesIO(data)) as after:
        assert dict(after.getexif()) == {}
        assert after.size == (6, 8)  # the orientation tag applied before it was dropped
    assert b"Exif" not in data and b"PhoneMaker" not in data


def test_a_damaged_picture_is_refused():
    upload = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        upload_accept(upload, allowed=IMAGES)
    assert refused.value.code == "damaged"


def test_the_size_limit_comes_from_settings(settings):
    settings.TONGXIN_UPLOAD_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.png", png_bytes((64, 64)), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        upload_accept(upload, allowed=IMAGES)
    assert refused.value.code == "too_large"
    assert upload_accept(upload, allowed=IMAGES, max_bytes=10_000) == PNG


def test_a_document_keeps_its_pdf_and_loses_a_pictures_metadata():
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type=PDF)
    assert document_validate(pdf) == PDF
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert document_validate(photo) == JPEG
    assert b"PhoneMaker" not in photo.read()
    with pytest.raises(ValidationError) as refused:
        document_validate(SimpleUploadedFile("a.png", html_as_png(), content_type="image/png"), field="file")
    assert "web page" in refused.value.message_dict["file"][0]


# ---- through the pages --------------------------------------------------------------------------


def test_an_activity_photo_is_sniffed_stripped_and_served_as_what_it_is(tree):
    secretary = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    activity = past_activity(secretary, tree.community_a1)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(secretary)
    url = reverse("activities:photo_add", args=[activity.pk])
    # HTML bytes the browser calls image/png: refused, nothing stored
    fake = SimpleUploadedFile("x.png", html_as_png(), content_type="image/png")
    response = client.post(url, {"photo": fake}, follow=True)
    assert not ActivityPhoto.objects.exists()
    assert "is a web page (HTML or SVG)" in response.content.decode()
    # a phone's JPEG, even when the browser calls it a PNG: kept as the JPEG it is, without EXIF
    photo = SimpleUploadedFile("phone.png", jpeg_with_gps(), content_type="image/png")
    assert client.post(url, {"photo": photo}).status_code == 302
    stored = ActivityPhoto.objects.get()
    assert stored.content_type == JPEG
    assert stored_exif(stored.file) == {"exif": {}, "gps": {}, "size": (6, 8)}
    served = client.get(reverse("activities:photo", args=[stored.pk]))
    assert served["Content-Type"] == JPEG
    assert served["X-Content-Type-Options"] == "nosniff"


def test_a_resident_reports_photo_keeps_no_position(tree, client):
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(
        "/report/",
        {
            "category": str(category("0101").pk),
            "kind": "complaint",
            "description": "小区东门垃圾桶满了三天没人清运",
            "lng": str(IN_GRID_11[0]),
            "lat": str(IN_GRID_11[1]),
            "community": "",
            "address": "东门",
            "reporter_phone": "13900001111",
            "leave_empty": "",
            "photos": [photo],
        },
    )
    assert response.status_code == 302, response.content
    stored = CasePhoto.objects.get()
    assert stored.content_type == JPEG
    assert stored_exif(stored.file)["gps"] == {} and stored_exif(stored.file)["exif"] == {}
    assert stored.size == stored.file.size


def test_too_many_files_in_one_request_are_refused_not_crashed(tree, client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    photos = [SimpleUploadedFile(f"p{i}.png", png_bytes(), content_type="image/png") for i in range(3)]
    response = client.post("/report/", {"photos": photos})
    assert response.status_code == 400
    assert not CasePhoto.objects.exists()
