"""GeoReport v2's two formats: JSON and XML with the specification's element names.

A list answer is a JSON array, and in XML a root element (`services`, `service_requests`,
`errors`) holding one element per item (`service`, `request`, `error`). Nested lists name their
items the same way (`attributes`/`attribute`, `values`/`value`, `endpoints`/`endpoint`)."""

import json
from typing import Any
from xml.etree import ElementTree  # nosec B405: only builds and serialises XML, never parses it

from django.http import HttpResponse

# the item element of each list element
ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
CONTENT_TYPE = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list):
        for child in value:
            _fill(ElementTree.SubElement(element, ITEM[element.tag]), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, data)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, data: Any, *, status: int = 200) -> HttpResponse:
    """`root` names the XML root element; JSON has none."""
    body = to_xml(root, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE[fmt])
    response["Cache-Control"] = "no-store"
    return response


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """GeoReport's error answer: [{code, description}] with the HTTP status as the code."""
    return respond(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status=status)
