from typing import Any

from django.http import HttpRequest


def home_context(request: HttpRequest) -> dict[str, Any]:
    return {}
