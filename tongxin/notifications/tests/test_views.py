"""The inbox: one's own notifications only, marked read on demand; the nav badge's count."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tongxin.cases.tests.pages import login
from tongxin.notifications.context_processors import notifications
from tongxin.notifications.models import Notification
from tongxin.notifications.services import notify
from tongxin.testing import make_user

pytestmark = pytest.mark.django_db
INBOX = "/notifications/"


@pytest.fixture
def people(tree):
    alice = make_user("community_secretary", tree.community_a1, username="alice")
    bob = make_user("community_staff", tree.community_a1, username="bob")
    notify(users=[alice], event_key="case-transition:1", title="案件 A 已派单", url="/cases/1/")
    notify(
        users=[alice],
        event_key="case-transition:2",
        title="案件 B 督办",
        body="请加快",
        url="https://evil.example/",
    )
    notify(users=[bob], event_key="case-transition:3", title="给 bob 的通知")
    return alice, bob


def test_inbox_shows_only_ones_own(client, people):
    alice, _bob = people
    assert client.get(INBOX).status_code == 302
    response = login(alice).get(INBOX)
    body = response.content.decode()
    assert response.status_code == 200 and response.context["unread"] == 2
    assert "案件 A 已派单" in body and "请加快" in body and "给 bob 的通知" not in body
    assert login(alice).post(INBOX).status_code == 405


def test_mark_one_read_and_htmx(people):
    alice, bob = people
    mine = Notification.objects.get(user=alice, event_key="case-transition:1")
    bobs = Notification.objects.get(user=bob)
    client = login(alice)
    assert client.post(reverse("notifications:read", args=[bobs.pk])).status_code == 404
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405
    response = client.post(reverse("notifications:read", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "is-unread" not in response.content.decode()
    mine.refresh_from_db()
    bobs.refresh_from_db()
    assert mine.read_at is not None and bobs.read_at is None
    assert client.get(INBOX, {"unread": "1"}).context["page"].paginator.count == 1


def test_open_marks_read_and_follows_only_local_links(people):
    alice, _bob = people
    local = Notification.objects.get(user=alice, event_key="case-transition:1")
    foreign = Notification.objects.get(user=alice, event_key="case-transition:2")
    client = login(alice)
    assert client.post(reverse("notifications:open", args=[local.pk]))["Location"] == "/cases/1/"
    assert client.post(reverse("notifications:open", args=[foreign.pk]))["Location"] == INBOX
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()


def test_mark_all_read_touches_only_ones_own(people):
    alice, bob = people
    response = login(alice).post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=bob, read_at__isnull=True).count() == 1


def test_unread_count_for_the_nav(people, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    alice, _bob = people
    request = RequestFactory().get("/")
    request.user = alice
    context = notifications(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 2
    request.user = AnonymousUser()
    assert notifications(request) == {"unread_notifications": 0}
    request.user = alice
    with django_assert_num_queries(0):
        notifications(request)  # counted only when a template uses it
