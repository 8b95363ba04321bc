"""The keeper takes a venue's photo down: the row and the file go, one audit row records it; another
community's staff get a 404 and the photo stays."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.actors import SYSTEM
from tongxin.core.tests.images import png_bytes
from tongxin.venues.models import VenuePhoto
from tongxin.venues.services import venue_photo_add
from tongxin.venues.testing import make_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(centre, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    venue, _room = centre
    upload = SimpleUploadedFile("hall.png", png_bytes(), content_type="image/png")
    return venue_photo_add(venue=venue, actor=SYSTEM, upload=upload, caption="大厅")


def test_the_keeper_removes_a_photo_and_it_is_audited(
    client, centre, staff, photo, django_capture_on_commit_callbacks
):
    venue, _room = centre
    path = photo.file.path
    assert os.path.exists(path)
    client.force_login(staff)
    page = client.get(reverse("venues:manage_venue", args=[venue.pk]))
    remove = reverse("venues:photo_remove", args=[venue.pk, photo.pk])
    assert remove in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove)
    assert response.status_code == 302
    assert not VenuePhoto.objects.filter(pk=photo.pk).exists()
    assert not os.path.exists(path)
    event = AuditEvent.objects.filter(action=Action.RECORD_CHANGED, target=f"venuephoto:{photo.pk}").get()
    assert event.actor == staff and event.region_path == venue.region.path
    assert event.detail["model"] == "venues.VenuePhoto" and event.detail["venue"] == venue.pk


def test_another_communitys_staff_get_a_404_and_the_photo_stays(client, centre, other_staff, photo):
    venue, _room = centre
    client.force_login(other_staff)
    response = client.post(reverse("venues:photo_remove", args=[venue.pk, photo.pk]))
    assert response.status_code == 404
    assert VenuePhoto.objects.filter(pk=photo.pk).exists()


def test_a_photo_of_another_venue_is_a_404(client, centre, staff, photo, tree):
    other, _ = make_venue(tree.community_a1, name="长者食堂")
    client.force_login(staff)
    response = client.post(reverse("venues:photo_remove", args=[other.pk, photo.pk]))
    assert response.status_code == 404
    assert VenuePhoto.objects.filter(pk=photo.pk).exists()


def test_a_get_does_not_remove(client, centre, staff, photo):
    venue, _room = centre
    client.force_login(staff)
    response = client.get(reverse("venues:photo_remove", args=[venue.pk, photo.pk]))
    assert response.status_code == 405
    assert VenuePhoto.objects.filter(pk=photo.pk).exists()
