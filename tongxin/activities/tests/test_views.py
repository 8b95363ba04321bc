"""Activity and team pages: sign up on a phone, confirm attendance, rosters and call-outs; scope."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.activities import services
from tongxin.activities.models import Activity, ActivityStatus, SignUp, Team
from tongxin.core.roles import Role
from tongxin.core.tests.images import png_bytes
from tongxin.members.models import ServiceEntry
from tongxin.members.testing import future_activity, past_activity
from tongxin.testing import make_member, make_user

pytestmark = pytest.mark.django_db


def png() -> bytes:
    return png_bytes()


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def secretary(tree):
    return make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)


@pytest.fixture
def member(tree):
    user = make_user(Role.MEMBER, tree.community_a1)
    user.person = make_member(tree.building, tree.orgs["grid_branch"], name="孙党员")
    user.save()
    return user


@pytest.fixture
def outsider(tree):
    """A member of 平江路社区, another street."""
    user = make_user(Role.MEMBER, tree.community_b1)
    user.person = make_member(tree.community_b1, tree.orgs["grid_branch"], name="外街党员")
    user.save()
    return user


def test_publish_an_activity(tree, secretary, member):
    url = reverse("activities:create")
    assert login(member).get(url).status_code == 403
    client = login(secretary)
    assert client.get(url).status_code == 200
    start = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    data = {
        "title": "主题党日：学习二十届三中全会精神",
        "kind": "themed_party_day",
        "region": tree.community_a1.pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "社区党群服务中心",
        "places": "30",
        "audience": "members",
    }
    assert client.post(url, {**data, "ends_at": data["starts_at"]}).status_code == 200
    assert client.post(url, {**data, "region": tree.community_b1.pk}).status_code == 200
    assert not Activity.objects.exists()
    response = client.post(url, data)
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.places == 30 and activity.hours == 2


def test_sign_up_and_withdraw(tree, secretary, member, outsider):
    activity = future_activity(secretary, tree.community_a1, title="义诊")
    client = login(member)
    assert client.get(reverse("activities:signup", args=[activity.pk])).status_code == 405
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "Sign up" in page
    assert "义诊" in client.get(reverse("activities:index")).content.decode()
    client.post(reverse("activities:signup", args=[activity.pk]))
    assert SignUp.objects.get().person == member.person
    assert (
        "You are signed up" in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    )
    client.post(reverse("activities:signup_cancel", args=[activity.pk]))
    assert SignUp.objects.get().cancelled_at is not None
    # not open to a member of another street: not even visible
    assert login(outsider).get(reverse("activities:detail", args=[activity.pk])).status_code == 404
    assert login(outsider).post(reverse("activities:signup", args=[activity.pk])).status_code == 404
    assert "义诊" not in login(outsider).get(reverse("activities:index")).content.decode()


def test_attendance_page(tree, secretary, member, django_capture_on_commit_callbacks):
    activity = past_activity(secretary, tree.community_a1)
    signup = services.signup_create(
        activity=activity, user=member, now=activity.starts_at - timedelta(hours=1)
    )
    url = reverse("activities:attendance", args=[activity.pk])
    assert login(member).get(url).status_code == 403
    other_secretary = login(make_user(Role.COMMUNITY_SECRETARY, tree.community_b1))
    assert other_secretary.get(url).status_code == 404
    client = login(secretary)
    page = client.get(url)
    assert page.status_code == 200 and "孙党员" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"attended": [str(signup.pk)], "summary": "到场12人"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CONFIRMED and activity.summary == "到场12人"
    assert ServiceEntry.objects.get().person == member.person
    assert client.post(url, {"attended": ["999999"]}).status_code == 200  # not a sign-up of this activity


def test_photos_are_optional_and_scoped(tree, secretary, member, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity = past_activity(secretary, tree.community_a1)
    client = login(secretary)
    upload = SimpleUploadedFile("a.png", png(), content_type="image/png")
    assert (
        client.post(reverse("activities:photo_add", args=[activity.pk]), {"photo": upload}).status_code == 302
    )
    photo = activity.photos.get()
    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 200
    assert login(outsider).get(reverse("activities:photo", args=[photo.pk])).status_code == 404
    bad = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    client.post(reverse("activities:photo_add", args=[activity.pk]), {"photo": bad})
    assert activity.photos.count() == 1
    again = SimpleUploadedFile("b.png", png(), content_type="image/png")
    assert (
        login(member).post(reverse("activities:photo_add", args=[activity.pk]), {"photo": again}).status_code
        == 403
    )


def test_teams_and_callouts(tree, secretary, member):
    from tongxin.cases.testing import report_case

    client = login(secretary)
    response = client.post(
        reverse("activities:team_create"),
        {"name": "应急综合服务队", "kind": "emergency", "region": tree.community_a1.pk},
    )
    team = Team.objects.get()
    assert response.status_code == 302
    assert login(member).get(reverse("activities:team_create")).status_code == 403
    client.post(
        reverse("activities:team_member_add", args=[team.pk]), {"person": member.person.pk, "role": "leader"}
    )
    assert team.roster.get().person == member.person
    case = report_case(tree)
    client.post(reverse("activities:callout_create", args=[team.pk]), {"case": "NOPE"})
    assert not team.callouts.exists()
    client.post(
        reverse("activities:callout_create", args=[team.pk]), {"case": case.tracking_code, "note": "清运"}
    )
    callout = team.callouts.get()
    member_client = login(member)
    assert "应急综合服务队" in member_client.get(reverse("activities:teams")).content.decode()
    assert member_client.get(reverse("activities:callout_respond", args=[callout.pk])).status_code == 200
    member_client.post(reverse("activities:callout_respond", args=[callout.pk]), {"answer": "coming"})
    assert callout.responses.get().answer == "coming"
    other = login(make_user(Role.COMMUNITY_SECRETARY, tree.community_b1))
    assert other.get(reverse("activities:team", args=[team.pk])).status_code == 404
    assert (
        other.post(
            reverse("activities:team_member_add", args=[team.pk]), {"person": member.person.pk}
        ).status_code
        == 404
    )
    stranger = make_user(Role.MEMBER, tree.community_a1)
    assert login(stranger).get(reverse("activities:callout_respond", args=[callout.pk])).status_code == 404
    member_row = team.roster.get()
    assert client.post(reverse("activities:team_member_remove", args=[member_row.pk])).status_code == 302
    assert team.roster.filter(left_on__isnull=True).count() == 0


def test_anonymous_is_sent_to_log_in(client):
    for name in ("activities:index", "activities:teams", "activities:create"):
        assert client.get(reverse(name)).status_code == 302
