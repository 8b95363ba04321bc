"""Helpers of the server-rendered pages: paging, query-string ids, the way back, the filtered list
page, the form page and the POST-only action of a page."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tongxin.core.forms import add_service_errors
from tongxin.core.keyset import BadCursor, KeysetPage, offset_window, window
from tongxin.core.periods import PeriodForm, list_tools

PER_PAGE = 50
# htmx pickers send at most this many <option>s; a search narrows the rest
CHOICES_LIMIT = 50

F = TypeVar("F", bound=forms.BaseForm)
R = TypeVar("R")


def paginate(
    request: HttpRequest, queryset: Any, per_page: int = PER_PAGE, *, count_limit: int | None = None
) -> KeysetPage:
    """A page of the list by keyset (core/keyset.py): `?cursor=` from the page's links, so a deep
    page costs what the first does. A cursor that was altered or belongs to another list is said in
    a message and the first page is shown. `?page=N` (bookmarks from before the cursors) still shows
    page N, read by OFFSET once, out of range the last page; its links go on by cursor. With
    `count_limit` (keyset.COUNT_LIMIT for lists that grow with a city) the count stops there and the
    pager says "more than" it."""
    cursor = request.GET.get("cursor")
    if cursor:
        try:
            return KeysetPage(queryset, window(queryset, cursor, per_page), per_page, count_limit)
        except BadCursor:
            messages.error(request, _("The link to this page is not valid any more; here is the first page."))
    elif (number := request.GET.get("page", "")).isdigit() and int(number) > 1:
        wanted = Paginator(queryset, per_page).get_page(number)
        offset = (wanted.number - 1) * per_page
        return KeysetPage(queryset, offset_window(queryset, offset, per_page), per_page, count_limit)
    return KeysetPage(queryset, window(queryset, None, per_page), per_page, count_limit)


def int_param(request: HttpRequest, name: str) -> int | None:
    """A query-string id, or None when absent or not a number."""
    value = (request.GET.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def posted(request: HttpRequest) -> Any:
    """A form's data: the POST's on a POST (also when empty: the form says what is missing), else
    none (an unbound form, shown with its initial values)."""
    return request.POST if request.method == "POST" else None


def back(request: HttpRequest, default: Any) -> str:
    """Where to go back to: `next` (posted or in the query string), else the Referer, if it is a
    URL of this site; otherwise `default` (a URL, a URL name or an object with a URL)."""
    for target in (request.POST.get("next"), request.GET.get("next"), request.META.get("HTTP_REFERER")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return resolve_url(default)


def list_page(
    request: HttpRequest,
    template: str,
    selection: tuple[PeriodForm, Any],
    *,
    export: str,
    context: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A filtered list a page at a time: `selection` is the list's (filter form, queryset), as its
    listing module gives them; the page gets the form, the count of the whole filtered list and the
    link to the Excel export (URL name `export`) with the same filters (core/_list_filter.html).

    `context` adds the page's own values; a function of the context so far where they need the page."""
    form, queryset = selection
    page = paginate(request, queryset)
    listed = {"page": page, **list_tools(request, form, page.paginator.count, reverse(export))}
    extra = context(listed) if callable(context) else context or {}
    return render(request, template, {**listed, **extra})


def form_page(
    request: HttpRequest,
    form: F,
    *,
    save: Callable[[F], R],
    success: Callable[[R], Any] | str | None = None,
    template: str,
    context: dict[str, Any] | None = None,
    message: Callable[[R], str] | str | None = None,
    field_map: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The create/edit page: on a POST of a valid form, `save(form)` calls the service.

    A ValidationError from the service goes onto the form (`field_map` renames its keys) and the
    page is shown again; on success the message is added and the browser is sent to `success`
    (a URL or URL name, or a function of what `save` returned giving a URL or an object with one;
    without it, to what `save` returned: the object made).
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
            target: Any = success(result) if callable(success) else success or result
            return redirect(target)
    return render(request, template, {"form": form, **(context or {})}, status=status)


def post_action(
    request: HttpRequest,
    do: Callable[[], R],
    *,
    back: Any,
    ok: Callable[[R], str] | str,
    form: forms.BaseForm | None = None,
    invalid: Callable[[], str] | str = "",
) -> HttpResponse:
    """A button or small form of a page that POSTs one change, then goes `back` to the page.

    With a `form` that is not valid, `invalid` is the error message and nothing changes. Otherwise
    `do()` calls the service: a ValidationError from it is the error message, else `ok` (a message,
    or a function of what `do` returned) the success one. `back` is a URL, a URL name or an object
    with a URL."""
    if form is not None and not form.is_valid():
        messages.error(request, invalid() if callable(invalid) else invalid)
        return redirect(back)
    try:
        result = do()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, ok(result) if callable(ok) else ok)
    return redirect(back)
