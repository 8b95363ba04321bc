"""Conformance with a real Open311 client from PyPI: georeport 0.3.1 (the GeoReport v2 wrapper that
installs on Python 3.11; `open311` 1.1 and `three` 0.8 are Python 2 only). It reads discovery-less
services, definitions and requests in JSON and XML; it cannot POST, so the writes it reads here are
made as its documentation's examples would send them.

Its HTTP goes through `requests`; a transport adapter hands each call to Django's test client, so
nothing leaves the process."""

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.core.cache import cache
from django.test import Client
from georeport import GeoReport
from requests.adapters import BaseAdapter
from requests.models import PreparedRequest, Response

from tongxin.open311.tests.common import english, issue, post

pytestmark = pytest.mark.django_db

ROOT = "http://open311.test/open311/v2"


class DjangoAdapter(BaseAdapter):
    """requests → Django's test client, for the host open311.test only."""

    def __init__(self, client: Client) -> None:
        super().__init__()
        self.client = client

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        url = urlsplit(request.url or "")
        path = url.path + (f"?{url.query}" if url.query else "")
        answer = self.client.generic(
            request.method or "GET",
            path,
            data=request.body or b"",
            content_type=str(request.headers.get("Content-Type", "")),
            HTTP_ACCEPT_LANGUAGE="en",
            SERVER_NAME="open311.test",
        )
        response = Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers.update({k: v for k, v in answer.items()})
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _routed(monkeypatch, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "open311.test"]
    adapter = DjangoAdapter(Client())
    original = requests.Session.get_adapter

    def get_adapter(self, url):
        return adapter if url.startswith("http://open311.test/") else original(self, url)

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def posted(tree):
    _key, secret = issue(tree, tree.street_a)
    answers = [post(english(), secret, service_code=code).json()[0] for code in ("0101", "0102")]
    return secret, answers


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_services_and_a_definition(tree, fmt):
    client = GeoReport(ROOT, output_format=fmt)
    services = client.get_service_list()
    garbage = next(s for s in services if s["service_code"] == "0101")
    assert garbage["service_name"] == "垃圾清运" and garbage["group"] == "环境卫生"
    assert str(garbage["metadata"]).lower() == "true"
    definition = client.get_service_definition("0101")
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: a list element holds its items under their own name
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes] == ["kind", "community"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_requests_with_open_reads(tree, posted, fmt, settings):
    settings.TONGXIN_OPEN311_OPEN_READS = True
    _secret, answers = posted
    client = GeoReport(ROOT, output_format=fmt)
    listed = client.get_service_requests(status="open")
    assert {r["service_request_id"] for r in listed} == {a["service_request_id"] for a in answers}
    assert {r["status"] for r in listed} == {"open"}
    only = client.get_service_requests(service_code="0102")
    if fmt == "xml":  # one request: xmltodict gives the element itself, not a list
        only = [only]
    assert [r["service_request_id"] for r in only] == [answers[1]["service_request_id"]]
    one = client.get_service_request(answers[0]["service_request_id"])
    assert one["service_code"] == "0101" and one["address"].startswith("滚绣坊社区")
    assert one["requested_datetime"].endswith("+08:00")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_sees_the_errors(tree, posted, fmt, settings):
    client = GeoReport(ROOT, output_format=fmt)
    # reads need an api_key (the default), which this client cannot send: 403 in GeoReport's shape
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_requests()
    assert refused.value.response.status_code == 403
    body = refused.value.response.content.decode()
    assert ("<code>403</code>" in body) if fmt == "xml" else ('"code": 403' in body)
    with pytest.raises(requests.HTTPError) as unknown:
        client.get_service_definition("9999")
    assert unknown.value.response.status_code == 404
    settings.TONGXIN_OPEN311_OPEN_READS = True
    with pytest.raises(requests.HTTPError) as missing:
        client.get_service_request("261207ZZZZZ")
    assert missing.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as bad:
        client.get_service_requests(start_date="not a date")
    assert bad.value.response.status_code == 400
