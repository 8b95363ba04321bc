"""GeoReport v2 against the specification's shapes (http://wiki.open311.org/GeoReport_v2), in
JSON and XML: services, definitions, POST and GET requests, tokens, errors, scope, idempotency,
and the case an Open311 client creates being an ordinary case without personal data going out."""

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongxin.cases.models import Case, CaseSource, CaseStatus
from tongxin.cases.selectors import case_rates, cases_in
from tongxin.cases.tests.pages import login, make_cast, move
from tongxin.open311.models import ServiceRequest
from tongxin.open311.tests.common import BASE, english, issue, post

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
PERSONAL = ("张三", "Zhang", PHONE, "1234", "zhang@example.com", "幸福小区3栋401")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key(tree):
    return issue(tree, tree.street_a)


@pytest.fixture
def community_key(tree):
    return issue(tree, tree.community_a1)


IN_COMMUNITY_A2 = {"lat": "31.31", "long": "120.625"}  # 锦帆路社区, outside community A1's key


def _xml(response):
    return ElementTree.fromstring(response.content)


# --- discovery, services, definitions ---------------------------------------------------------


def test_discovery_in_both_formats(tree):
    body = english().get(f"{BASE}discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and set(endpoint["formats"]) == {
        "text/xml",
        "application/json",
    }
    root = _xml(english().get(f"{BASE}discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_one_per_active_second_level_category(tree):
    body = english().get(f"{BASE}services.json").json()
    codes = [s["service_code"] for s in body]
    assert "0101" in codes and "01" not in codes
    garbage = next(s for s in body if s["service_code"] == "0101")
    assert garbage == {
        "service_code": "0101",
        "service_name": "垃圾清运",
        "description": garbage["description"],
        "metadata": True,
        "type": "realtime",
        "keywords": "环境卫生, 垃圾清运",
        "group": "环境卫生",
    }
    root = _xml(english().get(f"{BASE}services.xml"))
    assert root.tag == "services" and {child.tag for child in root} == {"service"}
    first = root.find("service")
    assert [e.tag for e in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.find("metadata").text == "true"


def test_service_definition_lists_the_form_fields_as_attributes(tree, key):
    _key, secret = key
    body = english().get(f"{BASE}services/0101.json").json()
    assert body["service_code"] == "0101"
    kind, community = body["attributes"]
    assert kind["code"] == "kind" and kind["datatype"] == "singlevaluelist" and kind["variable"] is True
    assert {v["key"] for v in kind["values"]} == {"enquiry", "help", "complaint", "report", "suggestion"}
    assert {v["key"] for v in community["values"]} == {
        tree.community_a1.code,
        tree.community_a2.code,
        tree.community_b1.code,
    }
    # with a key, the communities the key may report in
    scoped = english().get(f"{BASE}services/0101.json", {"api_key": secret}).json()
    assert {v["key"] for v in scoped["attributes"][1]["values"]} == {
        tree.community_a1.code,
        tree.community_a2.code,
    }
    root = _xml(english().get(f"{BASE}services/0101.xml"))
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute.find("code").text == "kind" and attribute.find("values/value/key") is not None


def test_an_unknown_service_is_404_in_both_formats(tree):
    response = english().get(f"{BASE}services/9999.json")
    assert response.status_code == 404 and response.json() == [
        {"code": 404, "description": response.json()[0]["description"]}
    ]
    xml = english().get(f"{BASE}services/9999.xml")
    root = _xml(xml)
    assert xml.status_code == 404 and root.tag == "errors" and root.find("error/code").text == "404"


# --- POST requests ---------------------------------------------------------------------------


def test_post_creates_an_ordinary_case_located_to_its_grid(tree, key):
    _key, secret = key
    response = post(
        english(),
        secret,
        first_name="张三",
        last_name="Zhang",
        phone=PHONE,
        email="zhang@example.com",
        media_url="https://example.com/photo.jpg",
        **{"attribute[kind]": "help"},
    )
    assert response.status_code == 201
    [answer] = response.json()
    case = Case.objects.get(tracking_code=answer["service_request_id"])
    assert case.source == CaseSource.API and case.kind == "help" and case.status == CaseStatus.REPORTED
    assert case.grid == tree.grids["1.1"] and case.community == tree.community_a1
    assert case.reporter_name == "张三 Zhang" and case.reveal_reporter_phone() == PHONE
    assert case.transitions.get().action == "intake"
    assert answer["token"] == case.open311.token and answer["account_id"] is None and answer["service_notice"]
    assert case.open311.media_url == "https://example.com/photo.jpg"


def test_post_in_xml(tree, key):
    _key, secret = key
    response = post(english(), secret, fmt="xml")
    root = _xml(response)
    assert response.status_code == 201 and response["Content-Type"].startswith("text/xml")
    assert root.tag == "service_requests" and root.find("request/service_request_id").text
    assert root.find("request/token").text


def test_the_case_is_in_the_community_list_and_in_the_rates(tree, key):
    _key, secret = key
    code = post(english(), secret).json()[0]["service_request_id"]
    cast = make_cast(tree)
    assert code in cast.client("secretary").get("/cases/").content.decode()
    case = Case.objects.get(tracking_code=code)
    move(case, ("accept", cast.secretary, {}), ("dispatch", cast.secretary, {"to_user": cast.worker}))
    today = timezone.localdate()
    assert case_rates(cases_in(tree.community_a1), since=today, until=today).dispatched == 1


def test_post_with_an_address_and_a_community_instead_of_a_point(tree, key):
    _key, secret = key
    response = post(
        english(),
        secret,
        lat=None,
        long=None,
        address_string="平江路12号门口",
        **{"attribute[community]": tree.community_a2.code},
    )
    assert response.status_code == 201
    case = Case.objects.get(tracking_code=response.json()[0]["service_request_id"])
    assert case.community == tree.community_a2 and case.grid is None and case.address == "平江路12号门口"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"api_key": None}, 403, "api_key is required"),
        ({"api_key": "o311_nothing"}, 403, "api_key is not valid"),
        ({"service_code": "9999"}, 400, "no service with the code 9999"),
        ({"service_code": ""}, 400, "service_code is required"),
        ({"lat": "north"}, 400, "lat must be a number"),
        ({"lat": "91"}, 400, "lat must lie between"),
        ({"long": None}, 400, "both lat and long"),
        ({"lat": None, "long": None}, 400, "address_string"),
        ({"description": "x"}, 400, "at least 5 characters"),
        ({"phone": "12"}, 400, "11-digit mobile"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "ftp://x"}, 400, "media_url"),
        ({"attribute[colour]": "red"}, 400, "Unknown attribute: colour"),
        ({"attribute[kind]": "party"}, 400, "Unknown kind"),
        (IN_COMMUNITY_A2, 403, "outside the area this key serves"),
        (
            {"attribute[community]": "320508019045", "lat": None, "long": None, "address_string": "x"},
            400,
            "no such community",
        ),
    ],
)
def test_post_errors(tree, community_key, fmt, fields, status, words):
    _key, secret = community_key
    sent = {"api_key": secret, **fields}
    response = post(english(), sent.pop("api_key"), fmt=fmt, **sent)
    assert response.status_code == status
    if fmt == "json":
        [error] = response.json()
        assert error["code"] == status and words in error["description"], error
    else:
        root = _xml(response)
        assert root.tag == "errors" and root.find("error/code").text == str(status)
        assert words in " ".join(e.find("description").text for e in root), response.content
    assert not Case.objects.exists()


def test_the_same_request_twice_with_one_reference_makes_one_case(tree, key):
    _key, secret = key
    client = english()
    first = post(client, secret, headers={"Idempotency-Key": "app-4711"})
    again = post(client, secret, headers={"Idempotency-Key": "app-4711"})
    assert first.status_code == 201 and again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json() and Case.objects.count() == 1
    # the reference as a field works the same; another reference is another case
    assert post(client, secret, client_ref="app-4712").status_code == 201
    assert post(client, secret, client_ref="app-4712").status_code == 200
    assert Case.objects.count() == 2
    changed = post(client, secret, description="另一个问题：路灯不亮了", client_ref="app-4712")
    assert changed.status_code == 400 and "already used" in changed.json()[0]["description"]
    # the same reference under another key is that key's own
    _other, other_secret = issue(tree, tree.county)
    assert post(client, other_secret, client_ref="app-4712").status_code == 201
    assert Case.objects.count() == 3


def test_without_a_reference_each_post_is_a_new_case(tree, key):
    _key, secret = key
    post(english(), secret)
    post(english(), secret)
    assert Case.objects.count() == 2 and ServiceRequest.objects.count() == 2


def test_a_failed_post_can_be_retried_with_the_same_reference(tree, key):
    _key, secret = key
    assert post(english(), secret, description="x", client_ref="r1").status_code == 400
    assert post(english(), secret, client_ref="r1").status_code == 201


# --- GET requests ----------------------------------------------------------------------------


def _posted(secret, n=1, **fields):
    return [post(english(), secret, **fields).json()[0] for _ in range(n)]


def test_get_requests_shows_public_fields_only(tree, key):
    _key, secret = key
    [answer] = _posted(
        secret,
        first_name="张三",
        last_name="Zhang",
        phone=PHONE,
        email="zhang@example.com",
        address_string="幸福小区3栋401",
        media_url="https://example.com/p.jpg",
    )
    response = english().get(f"{BASE}requests.json", {"api_key": secret})
    [shown] = response.json()
    assert shown["service_request_id"] == answer["service_request_id"]
    assert (
        shown["status"] == "open" and shown["service_code"] == "0101" and shown["service_name"] == "垃圾清运"
    )
    assert shown["agency_responsible"] == "滚绣坊社区" and shown["address"] == "滚绣坊社区 滚绣坊社区第1网格"
    assert shown["lat"] == 31.31 and shown["long"] == 120.605
    assert shown["requested_datetime"].endswith("+08:00") and shown["expected_datetime"] is None
    assert shown["media_url"] == "https://example.com/p.jpg"  # the key that sent it gets it back
    for fmt in ("json", "xml"):
        body = english().get(f"{BASE}requests.{fmt}", {"api_key": secret}).content.decode()
        assert not any(p in body for p in PERSONAL), body
        assert "路口垃圾桶" not in body  # the free text may name people: never shown


def test_get_requests_in_xml_has_the_specification_elements(tree, key):
    _key, secret = key
    _posted(secret)
    root = _xml(english().get(f"{BASE}requests.xml", {"api_key": secret}))
    assert root.tag == "service_requests"
    request = root.find("request")
    for name in (
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ):
        assert request.find(name) is not None, name


def test_status_and_deadline_follow_the_case(tree, key):
    _key, secret = key
    [answer] = _posted(secret)
    cast = make_cast(tree)
    case = Case.objects.get(tracking_code=answer["service_request_id"])
    case = move(case, ("accept", cast.secretary, {}), ("dispatch", cast.secretary, {"to_user": cast.worker}))
    [shown] = english().get(f"{BASE}requests/{case.tracking_code}.json", {"api_key": secret}).json()
    assert shown["status"] == "open" and shown["status_notes"] == "Dispatched, awaiting response"
    assert shown["expected_datetime"] == timezone.localtime(case.handling_due).isoformat(timespec="seconds")
    assert shown["updated_datetime"] >= shown["requested_datetime"]
    assert cast.worker.username not in json.dumps(shown)


def test_closed_cases_read_closed(tree, key):
    _key, secret = key
    [answer] = _posted(secret)
    cast = make_cast(tree)
    case = Case.objects.get(tracking_code=answer["service_request_id"])
    move(case, ("reject", cast.secretary, {"why": "not_our_matter", "reason": "不属于社区职责范围"}))
    [shown] = english().get(f"{BASE}requests/{case.tracking_code}.json", {"api_key": secret}).json()
    assert shown["status"] == "closed" and "不属于" not in shown["status_notes"]
    assert english().get(f"{BASE}requests.json", {"api_key": secret, "status": "open"}).json() == []
    assert len(english().get(f"{BASE}requests.json", {"api_key": secret, "status": "closed"}).json()) == 1


def test_get_requests_filters(tree, key):
    _key, secret = key
    first, second = _posted(secret, 2)
    [third] = _posted(secret, service_code="0102")
    client = english()

    def ids(**params):
        body = client.get(f"{BASE}requests.json", {"api_key": secret, **params}).json()
        return {r["service_request_id"] for r in body}

    everything = {first["service_request_id"], second["service_request_id"], third["service_request_id"]}
    assert ids() == everything
    assert ids(service_request_id=f"{first['service_request_id']},{third['service_request_id'].lower()}") == {
        first["service_request_id"],
        third["service_request_id"],
    }
    assert ids(service_code="0102") == {third["service_request_id"]}
    assert ids(service_code="0101,0102") == everything
    now = timezone.now()
    assert (
        ids(
            start_date=(now - timedelta(hours=1)).isoformat(), end_date=(now + timedelta(hours=1)).isoformat()
        )
        == everything
    )
    assert ids(start_date=(now + timedelta(hours=1)).isoformat()) == set()
    assert ids(end_date=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")) == set()


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"status": "pending"}, "status must be open, closed"),
        ({"start_date": "yesterday"}, "W3C date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "after end_date"),
    ],
)
def test_get_requests_bad_filters_are_400(tree, key, params, words):
    _key, secret = key
    response = english().get(f"{BASE}requests.json", {"api_key": secret, **params})
    assert response.status_code == 400 and words in response.json()[0]["description"]


def test_reads_need_a_key_unless_open(tree, key, settings):
    _key, secret = key
    [answer] = _posted(secret)
    code = answer["service_request_id"]
    for path in ("requests.json", f"requests/{code}.json", f"tokens/{answer['token']}.json"):
        response = english().get(BASE + path)
        assert response.status_code == 403 and "api_key is required" in response.json()[0]["description"]
    settings.TONGXIN_OPEN311_OPEN_READS = True
    assert english().get(f"{BASE}requests/{code}.json").json()[0]["service_request_id"] == code
    [shown] = english().get(f"{BASE}requests.json").json()
    assert shown["media_url"] is None  # only the key that sent it gets it back


def test_open_reads_are_limited_per_address(tree, settings):
    settings.TONGXIN_OPEN311_OPEN_READS = True
    settings.TONGXIN_OPEN311_OPEN_READS_PER_HOUR = 2
    client = english()
    assert [client.get(f"{BASE}requests.json").status_code for _ in range(3)] == [200, 200, 429]


def test_a_key_reads_only_inside_its_node(tree, key):
    _key, secret = key
    _county, county_secret = issue(tree, tree.county)
    _b, b_secret = issue(tree, tree.street_b)
    [in_a] = _posted(secret)
    in_b = post(
        english(),
        b_secret,
        lat=None,
        long=None,
        address_string="平江路",
        **{"attribute[community]": tree.community_b1.code},
    ).json()[0]
    client = english()
    a_ids = {r["service_request_id"] for r in client.get(f"{BASE}requests.json", {"api_key": secret}).json()}
    assert a_ids == {in_a["service_request_id"]}
    listed = client.get(
        f"{BASE}requests.json", {"api_key": secret, "service_request_id": in_b["service_request_id"]}
    )
    assert listed.json() == []
    outside = client.get(f"{BASE}requests/{in_b['service_request_id']}.json", {"api_key": secret})
    assert outside.status_code == 404 and outside.json()[0]["code"] == 404
    xml = client.get(f"{BASE}requests/{in_b['service_request_id']}.xml", {"api_key": secret})
    assert xml.status_code == 404 and _xml(xml).find("error/code").text == "404"
    assert client.get(f"{BASE}tokens/{in_b['token']}.json", {"api_key": secret}).status_code == 404
    county_ids = {
        r["service_request_id"] for r in client.get(f"{BASE}requests.json", {"api_key": county_secret}).json()
    }
    assert county_ids == {in_a["service_request_id"], in_b["service_request_id"]}


def test_unknown_request_and_token_are_404(tree, key):
    _key, secret = key
    client = english()
    assert client.get(f"{BASE}requests/261207ZZZZZ.json", {"api_key": secret}).status_code == 404
    response = client.get(f"{BASE}tokens/nothing-here.xml", {"api_key": secret})
    assert response.status_code == 404 and _xml(response).tag == "errors"


def test_tokens_give_the_request_id(tree, key):
    _key, secret = key
    [answer] = _posted(secret)
    body = english().get(f"{BASE}tokens/{answer['token']}.json", {"api_key": secret}).json()
    assert body == [{"service_request_id": answer["service_request_id"], "token": answer["token"]}]
    root = _xml(english().get(f"{BASE}tokens/{answer['token']}.xml", {"api_key": secret}))
    assert root.find("request/service_request_id").text == answer["service_request_id"]


def test_get_requests_reads_in_a_fixed_number_of_queries(tree, key):
    _key, secret = key
    client = english()
    _posted(secret, 2)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(f"{BASE}requests.json", {"api_key": secret}).json()) == 2
    _posted(secret, 8)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{BASE}requests.xml", {"api_key": secret}).content.split(b"<request>")) == 11
    # the key's look-up, its hourly count in the database cache, the audit row (on PostgreSQL with
    # its advisory lock), then one query for the cases however many there are
    shown = "\n".join(q["sql"][:150] for q in many.captured_queries)
    assert len(many.captured_queries) == len(few.captured_queries) <= 22, shown


def test_wrong_method_and_session_posts_need_no_csrf(tree, key):
    _key, _secret = key
    assert english().delete(f"{BASE}requests.json").status_code == 405
    assert english().post(f"{BASE}services.json").status_code == 405
    cast = make_cast(tree)
    logged_in = login(cast.secretary)  # a browser session does not replace the api_key
    assert post(logged_in, None).status_code == 403
