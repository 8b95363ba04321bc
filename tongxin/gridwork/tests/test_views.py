from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tongxin.cases.models import Case
from tongxin.cases.testing import category
from tongxin.core.roles import Role
from tongxin.core.tests.listing import login
from tongxin.gridwork.models import LogEntry
from tongxin.gridwork.services import campaign_start, log_finding_report, log_record
from tongxin.testing import make_user


def test_my_grid_shows_the_due_household_and_todays_log(tree, worker, households):
    log_record(actor=worker, kind="patrol", grid=tree.grids["1.1"], note="一切正常")
    page = login(worker).get(reverse("gridwork:my_grid"))
    assert page.status_code == 200
    body = page.content.decode()
    assert households[0].short_address in body and "一切正常" not in body  # today's log shows the kind


def test_a_visit_in_three_screens_and_a_finding_in_the_same_save(tree, worker, households):
    client = login(worker)
    grid = tree.grids["1.1"]
    assert client.get(reverse("gridwork:record") + f"?grid={grid.pk}").status_code == 200
    screen2 = client.get(reverse("gridwork:record_household", args=["visit"]) + f"?grid={grid.pk}")
    assert households[1].short_address in screen2.content.decode()
    url = reverse("gridwork:record_details", args=["visit"]) + f"?grid={grid.pk}&household={households[1].pk}"
    assert client.get(url).status_code == 200
    data = {
        "household": households[1].pk,
        "note": "门口电线裸露",
        "found_something": "on",
        "category": category("0202").pk,
        "key": "k1",
    }
    done = client.post(url, data)
    assert done.status_code == 302, done.content.decode()[:2000]
    again = client.post(url, data)  # pressed twice
    assert again.status_code == 302
    assert LogEntry.objects.count() == 1 and Case.objects.count() == 1
    case = Case.objects.get()
    assert case.log_entry.household == households[1] and case.grid == grid


def test_a_worker_of_another_grid_gets_404(tree, worker, other_worker, households):
    entry = log_record(actor=worker, kind="visit", grid=tree.grids["1.1"], household=households[0])
    client = login(other_worker)
    assert client.get(reverse("gridwork:entry", args=[entry.pk])).status_code == 404
    assert (
        client.post(
            reverse("gridwork:entry_report", args=[entry.pk]), {"category": category().pk}
        ).status_code
        == 404
    )
    assert client.get(reverse("gridwork:my_grid") + f"?grid={tree.grids['1.1'].pk}").status_code == 404
    url = reverse("gridwork:record_details", args=["visit"]) + f"?grid={tree.grids['1.1'].pk}"
    assert client.get(url).status_code == 404
    log = client.get(reverse("gridwork:log"))
    assert log.status_code == 200 and reverse("gridwork:entry", args=[entry.pk]) not in log.content.decode()


def test_the_one_tap_case_from_an_entry(tree, worker, households):
    entry = log_record(actor=worker, kind="patrol", grid=tree.grids["1.1"], note="井盖缺失，存在安全隐患")
    client = login(worker)
    url = reverse("gridwork:entry_report", args=[entry.pk])
    assert client.post(url, {"category": category("0401").pk}).status_code == 302
    assert client.post(url, {"category": category("0401").pk}).status_code == 302
    assert Case.objects.count() == 1


def test_campaign_pages_and_exports_are_scoped(tree, street, worker, secretary, households):
    today = timezone.localdate()
    campaign = campaign_start(
        actor=street,
        region=tree.street_a,
        title="安全隐患大排查",
        checklist=["消防"],
        grids=[tree.grids["1.1"], tree.grids["2.1"]],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=5),
    )
    for user in (street, secretary, worker):
        client = login(user)
        assert client.get(reverse("gridwork:campaign", args=[campaign.pk])).status_code == 200
        assert client.get(reverse("gridwork:campaign_export", args=[campaign.pk])).status_code == 200
        assert client.get(reverse("gridwork:community")).status_code == 200
        assert client.get(reverse("gridwork:log_export")).status_code == 200
    outsider = login(make_user(Role.STREET_OFFICIAL, tree.street_b, username="street_b"))
    assert outsider.get(reverse("gridwork:campaign", args=[campaign.pk])).status_code == 404
    assert outsider.get(reverse("gridwork:campaign_export", args=[campaign.pk])).status_code == 404
    assert (
        outsider.get(reverse("gridwork:community") + f"?community={tree.community_a1.pk}").status_code == 404
    )


def test_the_household_page_shows_its_visits_and_cases(tree, worker, households):
    entry = log_record(
        actor=worker, kind="visit", grid=tree.grids["1.1"], household=households[0], note="门口积水"
    )
    case = log_finding_report(actor=worker, entry=entry, category=category("0102"))
    page = login(worker).get(households[0].get_absolute_url())
    assert page.status_code == 200
    assert case.tracking_code in page.content.decode()
