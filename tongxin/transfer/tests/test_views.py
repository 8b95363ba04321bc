from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongxin.audit.models import Action, AuditEvent
from tongxin.core.roles import Role
from tongxin.regions.models import Region
from tongxin.testing import make_person, make_user
from tongxin.transfer.exporters import XLSX_CONTENT_TYPE
from tongxin.transfer.tests.helpers import id_number, read_xlsx, xlsx

HEADER = ["编码", "名称", "层级", "上级编码"]


def login(client, user):
    client.force_login(user)
    return client


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_anonymous_is_sent_to_log_in(client, tree):
    for url in (
        reverse("transfer:index"),
        reverse("transfer:template", args=["regions"]),
        reverse("transfer:export", args=["regions"]),
        reverse("transfer:import", args=["regions"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_without_capability_is_403(client, tree):
    member = make_user(Role.MEMBER, tree.community_a1)
    login(client, member)
    assert client.get(reverse("transfer:index")).status_code == 403
    assert client.get(reverse("transfer:template", args=["people"])).status_code == 403
    assert client.get(reverse("transfer:export", args=["regions"])).status_code == 403
    assert client.post(reverse("transfer:import", args=["regions"])).status_code == 403


def test_index_shows_what_the_user_may_do(client, tree, street_a_official):
    response = login(client, street_a_official).get(reverse("transfer:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("regions", "grids", "organisations", "people"):
        assert reverse("transfer:template", args=[kind]) in html
        assert reverse("transfer:import", args=[kind]) in html
    assert 'name="reveal"' in html  # street officials may reveal
    assert tree.street_b.name not in html  # only regions in scope are offered as export roots
    staff = make_user(Role.COMMUNITY_STAFF, tree.community_a1)  # exports, never imports
    client.logout()
    html = login(client, staff).get(reverse("transfer:index")).content.decode()
    assert reverse("transfer:import", args=["regions"]) not in html
    assert reverse("transfer:export", args=["people"]) in html
    assert 'name="reveal"' not in html


def test_template_download(client, tree, street_a_official):
    response = login(client, street_a_official).get(reverse("transfer:template", args=["grids"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "网格" in read_xlsx(response.content)
    assert client.get(reverse("transfer:template", args=["nonsense"])).status_code == 404
    assert client.post(reverse("transfer:template", args=["grids"])).status_code == 405


def test_export_is_scoped_to_the_chosen_root(client, tree, street_a_official):
    login(client, street_a_official)
    url = reverse("transfer:export", args=["regions"])
    response = client.get(url, {"root": tree.community_a1.pk})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    codes = {row[0] for row in read_xlsx(response.content)["区划"][1:]}
    assert tree.community_a1.code in codes and tree.street_a.code not in codes
    assert client.get(url, {"root": tree.street_b.pk}).status_code == 404
    assert client.get(url, {"root": "abc"}).status_code == 404
    assert client.get(url, {"format": "geojson"}).status_code == 404  # only grids come as GeoJSON
    default = client.get(url)  # no root: the top of the user's area
    assert tree.street_a.code in {row[0] for row in read_xlsx(default.content)["区划"][1:]}
    assert client.put(url).status_code == 405


def test_people_export_masks_unless_reveal_is_posted(client, tree, street_a_official):
    make_person(tree.grids["1.1"], name="王芳", phone="13812345678", id_card=id_number(1))
    login(client, street_a_official)
    url = reverse("transfer:export", args=["people"])
    # a GET cannot reveal, even when asked to
    rows = read_xlsx(client.get(url, {"root": tree.street_a.pk, "reveal": "on"}).content)["人员"]
    assert rows[1][5] == "138****5678"
    # a POST with reveal asks for an export request (tongxin/transfer/tests/test_export_requests.py)
    response = client.post(url, {"root": tree.street_a.pk, "reveal": "on"})
    assert response.status_code == 302 and reverse("transfer:request_new") in response["Location"]
    assert not AuditEvent.objects.filter(action=Action.REVEAL, actor=street_a_official).exists()
    staff = make_user(Role.COMMUNITY_STAFF, tree.community_a1)
    client.logout()
    login(client, staff)
    assert client.post(url, {"root": tree.community_a1.pk, "reveal": "on"}).status_code == 403


def test_import_page_and_successful_upload(client, tree, street_b_official):
    login(client, street_b_official)
    url = reverse("transfer:import", args=["regions"])
    assert client.get(url).status_code == 200
    data = xlsx({"区划": [HEADER, ["320508020002", "新桥社区", "社区", "320508020000"]]})
    response = client.post(url, {"file": upload("regions.xlsx", data)})
    assert response.status_code == 200
    assert "Import complete." in response.content.decode()
    assert Region.objects.filter(code="320508020002").exists()


def test_upload_with_bad_rows_shows_the_report_and_writes_nothing(client, tree, street_b_official):
    login(client, street_b_official)
    data = xlsx(
        {
            "区划": [
                HEADER,
                ["320508020002", "新桥社区", "社区", "320508020000"],
                ["320508019046", "越界", "社区", "320508019000"],
            ]
        }
    )
    response = client.post(reverse("transfer:import", args=["regions"]), {"file": upload("r.xlsx", data)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert "This is outside your area." in html
    assert "上级编码" in html
    assert not Region.objects.filter(code="320508020002").exists()


def test_upload_of_a_non_xlsx_file_gives_a_clear_error(client, tree, street_b_official):
    login(client, street_b_official)
    url = reverse("transfer:import", args=["regions"])
    response = client.post(url, {"file": upload("list.csv", b"code,name\n1,x\n")})
    assert response.status_code == 422
    assert "This is not an Excel .xlsx file." in response.content.decode()
    response = client.post(url, {"file": upload("empty.xlsx", b"")})
    assert "The file is empty." in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 400
    assert client.post(reverse("transfer:import", args=["nonsense"]), {}).status_code == 404


def test_people_import_needs_people_edit_on_the_page(client, tree):
    county = make_user(Role.COUNTY_ORG, tree.county)
    login(client, county)
    assert client.get(reverse("transfer:import", args=["people"])).status_code == 403
    assert client.get(reverse("transfer:import", args=["regions"])).status_code == 200


def test_management_command_prints_the_report(tree, tmp_path, capsys):
    import pytest
    from django.core.management import CommandError, call_command

    admin = make_user(Role.SYSTEM_ADMIN, tree.city, username="cmdadmin")
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx({"区划": [HEADER, ["320508020002", "新桥社区", "社区", "320508020000"]]}))
    call_command("import_xlsx", str(good), kind="regions", user=admin.username)
    assert "1 created" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx({"区划": [HEADER, ["320508020003", "", "社区", "320508020000"]]}))
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(bad), kind="regions", user=admin.username)
    assert "row 2" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_xlsx", str(good), kind="regions", user="nobody")
