"""The JSON API's request parser: every value of a body or a query string is checked before any
schema sees it, so no operation stores a control character (a page's forms refuse them in
tongxin.core.forms), and no number or date beyond what the database and date arithmetic hold
reaches them (the schemas bound their own fields more tightly: core.schemas.Year, Day)."""

import json
import re
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from ninja.errors import ValidationError
from ninja.parser import Parser

from tongxin.core.schemas import FIRST_DAY, LAST_DAY, MAX_ID
from tongxin.core.validators import CONTROL_CHARACTERS_MESSAGE
from tongxin.lib.validators import has_control_characters

_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"(\d{4,})-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-][\d:]+)?)?")
NUMBER_MESSAGE = _("This number is out of range.")
DATE_MESSAGE = _("Enter a date between %(first)s and %(last)s.")


def _problem(value: Any) -> tuple[str, str] | None:
    """What is wrong with one value of a body or a query (strings carry the query's numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return ("number_out_of_range", str(NUMBER_MESSAGE)) if abs(value) > MAX_ID else None
    if not isinstance(value, str):
        return None
    if has_control_characters(value):
        return "control_characters", str(CONTROL_CHARACTERS_MESSAGE)
    if _INTEGER.fullmatch(value) and (len(value) > 20 or abs(int(value)) > MAX_ID):
        return "number_out_of_range", str(NUMBER_MESSAGE)
    day = _DATE.fullmatch(value) if len(value) < 40 else None
    if day and not FIRST_DAY.year <= int(day.group(1)) <= LAST_DAY.year:
        return "date_out_of_range", str(DATE_MESSAGE % {"first": FIRST_DAY, "last": LAST_DAY})
    return None


def _values(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key
            yield from _values(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _values(item, (*path, index))
    else:
        yield path, value


def refuse_bad_values(data: Any, location: str) -> None:
    errors = []
    for path, value in _values(data, ()):
        problem = _problem(value)
        if problem:
            errors.append({"loc": (location, *path), "msg": problem[1], "type": problem[0]})
    if errors:
        raise ValidationError(errors)


class CheckingParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        refuse_bad_values(data, "body")
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        refuse_bad_values(parsed, "query")
        return parsed
