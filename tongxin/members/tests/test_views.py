"""Members pages: the member's own, the community's, the employer's; scope and failures on each."""

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.actors import SYSTEM
from tongxin.core.roles import Role
from tongxin.members import services
from tongxin.members.models import MemberReport, MemberRuleSet, ServicePost, UnitReport
from tongxin.members.testing import attend, make_employer, make_post, make_report, past_activity
from tongxin.testing import make_member, make_person, make_user

pytestmark = pytest.mark.django_db


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def linked(user, person):
    user.person = person
    user.save()
    return user


@pytest.fixture
def post(tree):
    return make_post(tree.community_a1, name="政策宣传岗")


@pytest.fixture
def member(tree):
    """An in-service member living in 1幢 of grid 1.1, with an account."""
    person = make_member(tree.building, tree.orgs["grid_branch"], name="陈在职")
    return person, login(linked(make_user(Role.MEMBER, tree.community_a1), person))


@pytest.fixture
def staff(tree):
    return login(make_user(Role.COMMUNITY_STAFF, tree.community_a1))


@pytest.fixture
def other_staff(tree):
    return login(make_user(Role.COMMUNITY_STAFF, tree.community_b1))


# ---- index and the member's own ---------------------------------------------------------------


def test_index_for_each_reader(tree, client, member, staff, post):
    assert client.get(reverse("members:index")).status_code == 302
    _person, member_client = member
    body = member_client.get(reverse("members:index")).content.decode()
    assert reverse("members:report_online") in body and "In your area" not in body
    body = staff.get(reverse("members:index")).content.decode()
    assert "In your area" in body and "reported members" in body
    assert member_client.post(reverse("members:index")).status_code == 405
    admin = login(make_user(Role.SECURITY_ADMIN, tree.city))  # no person, no members' records
    assert "not linked to a person" in admin.get(reverse("members:index")).content.decode()


def test_member_reports_online_then_re_reports(tree, member, post):
    person, client = member
    unit = make_employer(tree)
    page = client.get(reverse("members:report_online"))
    assert page.status_code == 200
    assert "政策宣传岗" in page.content.decode() and tree.orgs["grid_branch"].name in page.content.decode()
    bad = client.post(reverse("members:report_online"), {"service_post": ""})
    assert bad.status_code == 200 and not MemberReport.objects.exists()
    other = make_post(tree.community_a2)
    assert client.post(reverse("members:report_online"), {"service_post": other.pk}).status_code == 200
    assert not MemberReport.objects.exists()  # another community's post is not offered
    response = client.post(
        reverse("members:report_online"), {"service_post": post.pk, "employer_unit": unit.pk}
    )
    assert response.status_code == 302
    report = MemberReport.objects.get(person=person)
    assert report.channel == "online" and report.employer_organisation == unit.party_organisation
    assert client.get(reverse("members:report_online")).status_code == 302  # reported already
    assert client.get(reverse("members:rereport_me")).status_code == 405
    assert client.post(reverse("members:rereport_me")).status_code == 302
    assert report.renewals.count() == 1
    me = client.get(reverse("members:me")).content.decode()
    assert "政策宣传岗" in me and "Re-report now" in me


def test_non_member_cannot_report(tree, post):
    resident = make_person(tree.building)
    client = login(linked(make_user(Role.MEMBER, tree.community_a1), resident))
    response = client.post(reverse("members:report_online"), {"service_post": post.pk})
    assert response.status_code == 200 and not MemberReport.objects.exists()
    assert client.post(reverse("members:rereport_me")).status_code == 404
    no_person = login(make_user(Role.MEMBER, tree.community_a1))
    assert "not linked to a person" in no_person.get(reverse("members:me")).content.decode()


def test_record_shows_only_verified_services(tree, member, post):
    person, client = member
    organiser = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    make_report(person, post)
    account = person.account
    attend(past_activity(organiser, tree.community_a1, title="清理楼道"), organiser, account)
    services.service_record_refresh()
    body = client.get(reverse("members:me")).content.decode()
    assert "清理楼道" in body and "Activity attended" in body


def test_person_record_scope(tree, member, staff, other_staff, post):
    person, _client = member
    url = reverse("members:person_record", args=[person.pk])
    make_report(person, post)
    assert staff.get(url).status_code == 200
    assert other_staff.get(url).status_code == 404
    stranger = login(
        linked(
            make_user(Role.MEMBER, tree.community_a1), make_member(tree.building, tree.orgs["grid_branch"])
        )
    )
    assert stranger.get(url).status_code == 404
    assert staff.get(reverse("members:person_record", args=[999999])).status_code == 404


# ---- reports kept by the community ------------------------------------------------------------


def test_report_list_scope_and_filters(tree, staff, other_staff, post):
    today = timezone.localdate()
    due = make_report(
        make_member(tree.building, tree.orgs["grid_branch"], name="到期甲"),
        post,
        on=today - timedelta(days=180),
    )
    make_report(make_member(tree.building, tree.orgs["grid_branch"], name="新报乙"), post, on=today)
    names = lambda c, **p: {r.person.name for r in c.get(reverse("members:reports"), p).context["page"]}  # noqa: E731
    assert names(staff) == {"到期甲", "新报乙"}
    assert names(staff, state="due") == {"到期甲"}
    assert names(other_staff) == set()
    assert login(make_user(Role.MEMBER, tree.community_a1)).get(reverse("members:reports")).status_code == 403
    assert staff.get(reverse("members:report", args=[due.pk])).status_code == 200
    assert other_staff.get(reverse("members:report", args=[due.pk])).status_code == 404


def test_community_enters_renews_and_ends_a_report(tree, staff, other_staff, post):
    person = make_member(tree.building, tree.orgs["grid_branch"])
    url = reverse("members:report_create")
    assert staff.get(url).status_code == 200
    bad = staff.post(url, {"person": person.pk, "service_post": "", "reported_on": "2025-01-01"})
    assert bad.status_code == 200 and not MemberReport.objects.exists()
    response = staff.post(url, {"person": person.pk, "service_post": post.pk, "reported_on": "2025-01-01"})
    report = MemberReport.objects.get()
    assert response.status_code == 302 and report.channel == "community"
    viewer = login(make_user(Role.GRID_LEADER, tree.community_a1))  # members.view only
    assert viewer.get(url).status_code == 403
    assert viewer.post(reverse("members:report_renew", args=[report.pk])).status_code == 403
    assert other_staff.post(reverse("members:report_renew", args=[report.pk])).status_code == 404
    assert staff.get(reverse("members:report_renew", args=[report.pk])).status_code == 405
    assert staff.post(reverse("members:report_renew", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert report.confirmed_on == timezone.localdate()
    staff.post(reverse("members:report_end", args=[report.pk]), {"on": "", "reason": ""})
    report.refresh_from_db()
    assert report.ended_on is None
    staff.post(
        reverse("members:report_end", args=[report.pk]),
        {"on": timezone.localdate().isoformat(), "reason": "搬离"},
    )
    report.refresh_from_db()
    assert report.ended_on == timezone.localdate()


def test_edit_report_post(tree, staff, other_staff, post):
    report = make_report(make_member(tree.building, tree.orgs["grid_branch"]), post)
    second = make_post(tree.community_a1, name="调解岗")
    url = reverse("members:report_edit", args=[report.pk])
    assert other_staff.get(url).status_code == 404
    assert staff.post(url, {"service_post": second.pk}).status_code == 302
    report.refresh_from_db()
    assert report.service_post == second


def test_person_choices_need_the_capability(tree, staff):
    make_member(tree.building, tree.orgs["grid_branch"], name="搜索丙")
    response = staff.get(reverse("members:person_choices"), {"cap": "members.manage", "q": "搜索"})
    assert "搜索丙" in response.content.decode()
    assert staff.get(reverse("members:person_choices"), {"cap": "audit.view"}).status_code == 404
    assert staff.get(reverse("members:person_choices"), {"cap": "nonsense"}).status_code == 404


# ---- posts and unit reports -------------------------------------------------------------------


def test_posts(tree, staff, other_staff, post):
    assert "政策宣传岗" in staff.get(reverse("members:posts")).content.decode()
    assert "政策宣传岗" not in other_staff.get(reverse("members:posts")).content.decode()
    response = staff.post(
        reverse("members:post_create"),
        {"community": tree.community_a1.pk, "kind": "mediation", "name": "调解岗", "active": "on"},
    )
    assert response.status_code == 302 and ServicePost.objects.filter(name="调解岗").exists()
    assert (
        staff.post(
            reverse("members:post_create"),
            {"community": tree.community_b1.pk, "kind": "mediation", "name": "外"},
        ).status_code
        == 200
    )
    assert not ServicePost.objects.filter(name="外").exists()
    assert other_staff.get(reverse("members:post_edit", args=[post.pk])).status_code == 404
    staff.post(
        reverse("members:post_edit", args=[post.pk]), {"kind": "policy", "name": "政策宣传岗", "places": 5}
    )
    post.refresh_from_db()
    assert post.places == 5 and post.active is False  # unticked: closed


def test_unit_reports(tree, staff, other_staff):
    unit = make_employer(tree, region=tree.community_a1)
    assert unit.name in staff.get(reverse("members:units")).content.decode()  # not reported yet
    response = staff.post(
        reverse("members:unit_create"),
        {"unit": unit.pk, "community": tree.community_a1.pk, "reported_on": "2025-03-01"},
    )
    assert response.status_code == 302
    report = UnitReport.objects.get()
    assert other_staff.post(reverse("members:unit_action", args=[report.pk, "renew"])).status_code == 404
    assert staff.post(reverse("members:unit_action", args=[report.pk, "bogus"])).status_code == 404
    staff.post(reverse("members:unit_action", args=[report.pk, "renew"]))
    report.refresh_from_db()
    assert report.reported_on == timezone.localdate()


# ---- cards for the employer -------------------------------------------------------------------


@pytest.fixture
def cards_setup(tree, post):
    from tongxin.partners.services import unit_liaisons_set

    organiser = make_user(Role.COMMUNITY_SECRETARY, tree.community_a1)
    unit, other = make_employer(tree), make_employer(tree, name="县一中")
    ours_person = make_member(tree.building, tree.orgs["grid_branch"], name="赵医生")
    theirs_person = make_member(tree.building, tree.orgs["grid_branch"], name="钱老师")
    ours = make_report(ours_person, post, unit=unit, on=date(2020, 1, 1))
    theirs = make_report(theirs_person, post, unit=other, on=date(2020, 1, 1))
    account = linked(make_user(Role.MEMBER, tree.community_a1), ours_person)
    attend(past_activity(organiser, tree.community_a1, title="义诊进社区", days_ago=1), organiser, account)
    services.service_record_refresh()
    liaison = make_user(Role.PARTNER_LIAISON, tree.county)
    unit_liaisons_set(unit=unit, liaisons=[liaison], actor=SYSTEM)
    return {"unit": unit, "ours": ours, "theirs": theirs, "liaison": login(liaison)}


def _period():
    day = timezone.localdate() - timedelta(days=1)
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def test_employer_sees_only_its_members_cards(tree, cards_setup, staff):
    liaison = cards_setup["liaison"]
    body = liaison.get(reverse("members:cards"), {"period": _period()}).content.decode()
    assert "赵医生" in body and "钱老师" not in body and "义诊进社区" not in body  # totals on the list
    card = liaison.get(reverse("members:card", args=[cards_setup["ours"].pk]), {"period": _period()})
    assert card.status_code == 200 and "义诊进社区" in card.content.decode()
    assert liaison.get(reverse("members:card", args=[cards_setup["theirs"].pk])).status_code == 404
    assert liaison.get(reverse("members:cards"), {"period": "2025Q9"}).status_code == 404
    # an organisation that is not theirs
    other_org = cards_setup["theirs"].employer_organisation
    assert liaison.get(reverse("members:cards"), {"organisation": other_org.pk}).status_code == 404
    body = staff.get(reverse("members:cards"), {"period": _period()}).content.decode()
    assert "赵医生" in body and "钱老师" in body
    nobody = login(make_user(Role.MEMBER, tree.community_b1))
    assert "赵医生" not in nobody.get(reverse("members:cards")).content.decode()


def test_cards_excel_reads_back(tree, cards_setup):
    from openpyxl import load_workbook

    response = cards_setup["liaison"].get(reverse("members:cards_export"), {"period": _period()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    cards, entries = workbook.worksheets
    rows = list(cards.iter_rows(values_only=True))
    assert rows[0][0] == "Member" and len(rows) == 2
    assert rows[1][0] == "赵医生" and rows[1][1] == cards_setup["unit"].name and rows[1][9] == 1
    services_rows = list(entries.iter_rows(values_only=True))
    assert services_rows[1][0] == "赵医生" and "义诊进社区" in services_rows[1][3]
    assert AuditEvent.objects.filter(action=Action.EXPORT, target="members:cards:xlsx").exists()


def test_cards_pdf_parses_with_chinese_text(tree, cards_setup):
    pypdf = pytest.importorskip("pypdf")
    response = cards_setup["liaison"].get(
        reverse("members:cards_print"), {"period": str(timezone.localdate().year)}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1  # one member, one page
    # pypdf interleaves NULs when it decodes the two-byte CIDs of the embedded font
    text = reader.pages[0].extract_text().replace("\x00", "").replace(" ", "")
    assert "赵医生" in text and "义诊进社区" in text
    single = cards_setup["liaison"].get(
        reverse("members:card", args=[cards_setup["ours"].pk]), {"period": _period(), "format": "pdf"}
    )
    assert single.status_code == 200 and single.content.startswith(b"%PDF-")


def test_cards_anonymous(client):
    assert client.get(reverse("members:cards")).status_code == 302
    assert client.get(reverse("members:cards_export")).status_code == 302


# ---- annual check and rules -------------------------------------------------------------------


def test_annual_check_page(tree, staff, member, post):
    make_report(
        make_member(tree.building, tree.orgs["grid_branch"], name="无服务丁"), post, on=date(2020, 1, 1)
    )
    body = staff.get(reverse("members:check"), {"year": timezone.localdate().year}).content.decode()
    assert "无服务丁" in body and "Ranking" not in body
    _person, member_client = member
    assert member_client.get(reverse("members:check")).status_code == 403
    assert staff.get(reverse("members:check"), {"node": tree.community_b1.pk}).status_code == 404


def test_rules_pages(tree, staff):
    body = staff.get(reverse("members:rules")).content.decode()
    assert "Tongxin's default rules" in body and "tongxin-2026.1" not in body  # no internal code
    data = {
        "version": "滚绣坊-2025",
        "source": "社区党委会议",
        "valid_from": "2025-01-01",
        "region": tree.community_a1.pk,
        "min_services_per_year": 3,
        "rereport_months": 6,
        "rereport_warn_days": 14,
        "unit_rereport_months": 12,
        "case_hours": 2,
        "project_hours": 4,
        "points_activity": 2,
        "points_case": 3,
        "points_project": 5,
        "points_per_hour": "0.5",
        "star_thresholds": "4, 8, 12, 16, 20, 26, 32, 40, 50, 60",
    }
    assert (
        staff.post(reverse("members:rules_create"), {**data, "region": tree.community_b1.pk}).status_code
        == 200
    )
    assert staff.post(reverse("members:rules_create"), {**data, "star_thresholds": "1,2"}).status_code == 200
    assert not MemberRuleSet.objects.exists()
    assert staff.post(reverse("members:rules_create"), data).status_code == 302
    assert MemberRuleSet.objects.get().min_services_per_year == 3
    worker = login(make_user(Role.GRID_WORKER, tree.grids["1.1"]))
    assert worker.get(reverse("members:rules_create")).status_code == 403
    county = login(make_user(Role.COUNTY_ORG, tree.county))  # partylife.manage sets rules too
    assert county.get(reverse("members:rules_create")).status_code == 200
