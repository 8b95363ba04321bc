"""Grid work's own capabilities, its configuration pages (log kinds, checklists, visit intervals:
versioned defaults, a community's own row in force over the street's and the default, audited,
no past entry rewritten) and the correction of a log entry by its author."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.models import AuditEvent
from tongxin.core.roles import Role, capabilities_of
from tongxin.core.tests.listing import login
from tongxin.gridwork.config import checklists_in_force, kind_in_force, kinds_in_force
from tongxin.gridwork.models import ChecklistTemplate, LogEntry, LogKind
from tongxin.gridwork.services import log_correct, log_kind_create, log_kind_override, log_record
from tongxin.testing import make_user


@pytest.fixture
def other_secretary(tree):
    return make_user(Role.COMMUNITY_SECRETARY, tree.community_a2, username="secretary2")


def test_gridwork_has_its_own_capabilities():
    for role in (Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
        assert {"gridwork.view", "gridwork.record"} <= capabilities_of(role)
    for role in (Role.STREET_OFFICIAL, Role.COMMUNITY_SECRETARY):
        assert "gridwork.configure" in capabilities_of(role)
    assert "gridwork.view" in capabilities_of(Role.COUNTY_ORG)
    assert "gridwork.record" not in capabilities_of(Role.HOTLINE_OPERATOR)  # it has cases.report
    assert "gridwork.configure" not in capabilities_of(Role.GRID_WORKER)


def test_a_role_without_the_capability_is_refused(tree, worker, households):
    hotline = make_user(Role.HOTLINE_OPERATOR, tree.street_a, username="hotline")  # cases.report only
    member = make_user(Role.MEMBER, tree.community_a1, username="member1")
    for user in (hotline, member):
        client = login(user)
        for name in ("gridwork:my_grid", "gridwork:log", "gridwork:campaigns", "gridwork:settings"):
            assert client.get(reverse(name)).status_code == 403, (user, name)
        assert client.get("/api/v1/gridwork/entries").status_code == 403
    client = login(worker)
    assert client.get(reverse("gridwork:my_grid")).status_code == 200
    assert client.get(reverse("gridwork:log")).status_code == 200
    assert client.get("/api/v1/gridwork/entries").status_code == 200
    assert client.get(reverse("gridwork:settings")).status_code == 403  # records, does not configure


def test_settings_page_and_scope(tree, secretary, other_secretary, street):
    client = login(secretary)
    page = client.get(reverse("gridwork:settings"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "走访" in body and "综合排查" in body
    # another community's secretary: 404 on this community's pages
    other = login(other_secretary)
    a1 = tree.community_a1.pk
    assert other.get(reverse("gridwork:settings") + f"?node={a1}").status_code == 404
    visit = kind_in_force(tree.grids["1.1"], "visit")
    assert visit is not None
    assert other.get(reverse("gridwork:kind_edit", args=[a1, visit.pk])).status_code == 404
    assert other.get(reverse("gridwork:kind_create", args=[a1])).status_code == 404
    assert other.get(reverse("gridwork:checklist_create", args=[a1])).status_code == 404
    assert other.post(reverse("gridwork:interval_set", args=[a1]), {"days": 5}).status_code == 404
    # the street configures its communities
    assert login(street).get(reverse("gridwork:settings") + f"?node={a1}").status_code == 200


def test_a_community_renames_a_kind_without_rewriting_past_entries(tree, worker, secretary, households):
    grid = tree.grids["1.1"]
    before = log_record(actor=worker, kind="visit", grid=grid, household=households[0])
    default = before.kind
    url = reverse("gridwork:kind_edit", args=[tree.community_a1.pk, default.pk])
    client = login(secretary)
    assert client.get(url).status_code == 200
    done = client.post(url, {"name": "入户走访", "household_usual": "on", "sort_order": 10, "active": "on"})
    assert done.status_code == 302, done.content.decode()[:1500]
    own = LogKind.objects.get(region=tree.community_a1, code="visit")
    assert own.name == "入户走访" and LogKind.objects.get(pk=default.pk).name == "走访"  # default untouched
    assert kind_in_force(grid, "visit") == own
    assert kind_in_force(tree.grids["2.1"], "visit") == default  # the other community keeps the default
    after = log_record(actor=worker, kind="visit", grid=grid, household=households[0])
    assert after.kind == own and after.code == "visit"
    before.refresh_from_db()
    assert before.kind_id == default.pk  # the past entry keeps the kind it was recorded with
    assert AuditEvent.objects.filter(target=f"logkind:{own.pk}").exists()
    # changing its own row is an audited edit
    log_kind_override(actor=secretary, region=tree.community_a1, kind=own, name="走访慰问")
    assert AuditEvent.objects.filter(target=f"logkind:{own.pk}", detail__changes__name__isnull=False).exists()


def test_a_street_row_is_overridden_by_the_community(tree, street, secretary):
    street_row = log_kind_override(
        actor=street, region=tree.street_a, kind=kind_in_force(tree.grids["1.1"], "errand"), active=False
    )
    assert kind_in_force(tree.grids["1.1"], "errand") is None  # hidden for the street's grids
    assert "errand" not in {k.code for k in kinds_in_force(tree.grids["2.1"])}
    log_kind_override(actor=secretary, region=tree.community_a1, kind=street_row, active=True, name="代办")
    assert kind_in_force(tree.grids["1.1"], "errand") is not None  # the community's own row wins
    assert kind_in_force(tree.grids["2.1"], "errand") is None
    with pytest.raises(PermissionDenied):
        log_kind_override(actor=secretary, region=tree.street_a, kind=street_row, active=True)


def test_a_deactivated_kind_cannot_be_recorded_and_a_new_kind_can(tree, worker, secretary):
    grid = tree.grids["1.1"]
    log_kind_override(
        actor=secretary, region=tree.community_a1, kind=kind_in_force(grid, "startup"), active=False
    )
    client = login(worker)
    url = reverse("gridwork:record_details", args=["startup"]) + f"?grid={grid.pk}"
    assert client.get(url).status_code == 404
    log_kind_create(actor=secretary, region=tree.community_a1, code="night_patrol", name="夜间巡逻")
    assert client.get(reverse("gridwork:record") + f"?grid={grid.pk}").content.decode().count("夜间巡逻") == 1
    entry = log_record(actor=worker, kind="night_patrol", grid=grid)
    assert entry.code == "night_patrol"


def test_checklists_add_edit_and_copy(tree, secretary, other_secretary):
    client = login(secretary)
    node = tree.community_a1.pk
    done = client.post(
        reverse("gridwork:checklist_create", args=[node]),
        {"name": "燃气排查", "items": "燃气管道\n报警器\n\n", "sort_order": 20, "active": "on"},
    )
    assert done.status_code == 302
    own = ChecklistTemplate.objects.get(region=tree.community_a1)
    assert own.items == ["燃气管道", "报警器"]
    assert AuditEvent.objects.filter(target=f"checklist:{own.pk}").exists()
    default = ChecklistTemplate.objects.get(region__isnull=True)
    # a default is copied to the community, never changed
    client.post(
        reverse("gridwork:checklist_edit", args=[node, default.pk]),
        {"name": "综合排查（本社区）", "items": "安全隐患\n消防\n电动车", "sort_order": 10, "active": "on"},
    )
    assert ChecklistTemplate.objects.get(pk=default.pk).items == ["安全隐患", "矛盾纠纷", "消防"]
    assert len(checklists_in_force(tree.community_a1)) == 3
    # deactivated: no longer offered to a campaign; empty items refused
    bad = client.post(
        reverse("gridwork:checklist_edit", args=[node, own.pk]), {"name": "燃气排查", "items": " "}
    )
    assert bad.status_code == 200
    client.post(
        reverse("gridwork:checklist_edit", args=[node, own.pk]),
        {"name": "燃气排查", "items": "燃气管道", "sort_order": 20},
    )
    assert own.pk not in {c.pk for c in checklists_in_force(tree.community_a1)}
    page = login(secretary).get(reverse("gridwork:campaign_new")).content.decode()
    assert "综合排查（本社区）" in page and "燃气排查" not in page  # inactive: not offered
    copy = ChecklistTemplate.objects.get(region=tree.community_a1, name="综合排查（本社区）")
    page = login(secretary).get(reverse("gridwork:campaign_new") + f"?checklist={copy.pk}").content.decode()
    assert "电动车" in page
    other = login(other_secretary).get(reverse("gridwork:campaign_new")).content.decode()
    assert "综合排查（本社区）" not in other  # another community's checklist


def test_the_visit_interval_page(tree, secretary):
    client = login(secretary)
    done = client.post(reverse("gridwork:interval_set", args=[tree.community_a1.pk]), {"days": 14})
    assert done.status_code == 302
    page = client.get(reverse("gridwork:settings") + f"?node={tree.community_a1.pk}")
    assert 'value="14"' in page.content.decode()


def test_the_author_corrects_an_entry_from_the_entry_and_todays_log(tree, worker, households):
    grid = tree.grids["1.1"]
    entry = log_record(actor=worker, kind="mediation", grid=grid, household=households[0], outcome="partial")
    client = login(worker)
    url = reverse("gridwork:entry_correct", args=[entry.pk])
    assert url in client.get(reverse("gridwork:my_grid")).content.decode()
    assert url in client.get(reverse("gridwork:entry", args=[entry.pk])).content.decode()
    form = client.get(url)
    assert form.status_code == 200
    at = timezone.localtime(entry.at).strftime("%Y-%m-%dT%H:%M")
    done = client.post(url, {"at": at, "note": "双方达成协议", "outcome": "resolved"})
    assert done.status_code == 302, done.content.decode()[:1500]
    entry.refresh_from_db()
    assert entry.outcome == "resolved" and entry.note == "双方达成协议"
    assert len(entry.corrections) == 1 and set(entry.corrections[0]["fields"]) == {"note", "outcome"}
    page = client.get(reverse("gridwork:entry", args=[entry.pk])).content.decode()
    assert "History" in page and "Resolved" in page and "Partly resolved" in page
    assert AuditEvent.objects.filter(target=f"logentry:{entry.pk}").exists()
    # a time in the future is refused with the form shown again
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"at": future, "note": "x", "outcome": "resolved"}).status_code == 200


def test_only_the_author_within_the_window_corrects(tree, worker, secretary, other_worker, households):
    entry = log_record(actor=worker, kind="patrol", grid=tree.grids["1.1"])
    url = reverse("gridwork:entry_correct", args=[entry.pk])
    assert login(secretary).get(url).status_code == 403  # sees it, did not write it
    assert login(other_worker).get(url).status_code == 404  # another grid
    LogEntry.objects.filter(pk=entry.pk).update(recorded_at=timezone.now() - timedelta(days=2))
    assert login(worker).get(url).status_code == 403
    entry.refresh_from_db()
    with pytest.raises(PermissionDenied):
        log_correct(actor=worker, entry=entry, changes={"note": "late"})
