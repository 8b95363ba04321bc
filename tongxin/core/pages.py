"""Helpers of the server-rendered pages: paging, query-string ids, the way back, the form page."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from tongxin.core.forms import add_service_errors

PER_PAGE = 50
# htmx pickers send at most this many <option>s; a search narrows the rest
CHOICES_LIMIT = 50

F = TypeVar("F", bound=forms.BaseForm)
R = TypeVar("R")


def paginate(request: HttpRequest, queryset: Any, per_page: int = PER_PAGE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def int_param(request: HttpRequest, name: str) -> int | None:
    """A query-string id, or None when absent or not a number."""
    value = (request.GET.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def back(request: HttpRequest, default: Any) -> str:
    """Where to go back to: `next` (posted or in the query string), else the Referer, if it is a
    URL of this site; otherwise `default` (a URL, a URL name or an object with a URL)."""
    for target in (request.POST.get("next"), request.GET.get("next"), request.META.get("HTTP_REFERER")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return resolve_url(default)


def form_page(
    request: HttpRequest,
    form: F,
    *,
    save: Callable[[F], R],
    success: Callable[[R], Any] | str,
    template: str,
    context: dict[str, Any] | None = None,
    message: Callable[[R], str] | str | None = None,
    field_map: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The create/edit page: on a POST of a valid form, `save(form)` calls the service.

    A ValidationError from the service goes onto the form (`field_map` renames its keys) and the
    page is shown again; on success the message is added and the browser is sent to `success`
    (a URL or URL name, or a function of what `save` returned giving a URL or an object with one).
    `status` is that of the page with the form (a POST-only form shown again may answer 400).
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form)
        except ValidationError as exc:
            add_service_errors(form, exc, field_map)
        else:
            if message is not None:
                messages.success(request, message(result) if callable(message) else message)
            return redirect(success(result) if callable(success) else success)
    return render(request, template, {"form": form, **(context or {})}, status=status)
