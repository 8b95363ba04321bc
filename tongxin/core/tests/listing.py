"""Helpers for the tests of filtered lists: log in, read an export back with openpyxl."""

import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from tongxin.core.xlsx import XLSX_CONTENT_TYPE


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def sheet_rows(response: Any) -> list[list[Any]]:
    """Every row of the export's first sheet, header included."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def data_rows(response: Any) -> list[list[Any]]:
    """The rows between the header and the 合计 row (if there is one)."""
    rows = sheet_rows(response)[1:]
    if rows and rows[-1][0] == "Total":
        rows = rows[:-1]
    return rows


def api_items(client: Client, url: str, **params: Any) -> tuple[int, list[dict[str, Any]]]:
    """The count and the items of one page of a paginated API list."""
    response = client.get(url, {**params, "limit": 500})
    assert response.status_code == 200, response.content
    body = response.json()
    return body["count"], body["items"]
