"""The page helpers (core.pages, core.forms) and the permission helpers (core.permissions)."""

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory

from tongxin.core.pages import back, form_page, int_param, paginate
from tongxin.core.permissions import can, get_for_user
from tongxin.core.roles import Capability, Role
from tongxin.organisations.models import PartyOrganisation
from tongxin.regions.selectors import editable_region
from tongxin.testing import make_user

VIEW, EDIT = Capability.STRUCTURE_VIEW, Capability.STRUCTURE_EDIT


def request(method: str = "get", path: str = "/", data: Any = None, **extra: Any) -> Any:
    req = getattr(RequestFactory(), method)(path, data or {}, **extra)
    req.session = SessionStore()
    req._messages = FallbackStorage(req)
    return req


# ---- paginate, int_param, back ---------------------------------------------------------------------


def test_paginate_reads_the_page_number_and_falls_back_on_nonsense():
    items = list(range(120))
    assert list(paginate(request(data={"page": "2"}), items)) == list(range(50, 100))
    assert paginate(request(data={"page": "x"}), items).number == 1
    assert paginate(request(data={"page": "99"}), items).number == 3  # the last page
    assert len(paginate(request(), items, per_page=10)) == 10


@pytest.mark.parametrize(
    ("value", "expected"), [("7", 7), (" 12 ", 12), ("", None), ("-3", None), ("x", None), ("1.5", None)]
)
def test_int_param(value, expected):
    assert int_param(request(data={"node": value}), "node") == expected


def test_int_param_absent():
    assert int_param(request(), "node") is None


def test_back_prefers_next_then_referer_of_this_site():
    assert back(request(data={"next": "/cases/3/"}), "/") == "/cases/3/"
    assert back(request("post", data={"next": "/lists/"}), "/") == "/lists/"
    referer = "http://testserver/people/?page=2"
    assert back(request(HTTP_REFERER=referer), "/") == referer


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http://other/"]
)
def test_back_refuses_other_sites(target):
    assert back(request(data={"next": target}), "/home/") == "/home/"
    assert back(request(HTTP_REFERER=target), "/home/") == "/home/"


@pytest.mark.django_db
def test_back_resolves_a_url_name():
    assert back(request(), "regions:list") == "/regions/"


# ---- form_page --------------------------------------------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField(max_length=5)


@pytest.fixture
def page_template(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"page.html": "{{ form.name.errors }}|{{ form.non_field_errors }}|{{ extra }}"},
                    )
                ]
            },
        }
    ]


def show(req: Any, save: Any, **kwargs: Any) -> Any:
    form = NameForm(req.POST if req.method == "POST" else None)
    kwargs.setdefault("success", lambda name: f"/done/{name}/")
    return form_page(req, form, save=save, template="page.html", context={"extra": "more"}, **kwargs)


def saved(form: NameForm) -> str:
    return form.cleaned_data["name"]


def test_form_page_get_shows_the_form_and_saves_nothing(page_template):
    calls: list[Any] = []
    response = show(request(), calls.append)
    assert response.status_code == 200
    assert response.content.decode() == "||more"
    assert calls == []


def test_form_page_valid_post_saves_then_redirects_with_the_message(page_template):
    req = request("post", data={"name": "abc"})
    response = show(req, saved, message=lambda name: f"{name} was saved.")
    assert response.status_code == 302
    assert response["Location"] == "/done/abc/"
    assert [str(m) for m in get_messages(req)] == ["abc was saved."]


def test_form_page_success_may_be_a_url_and_message_a_string(page_template):
    req = request("post", data={"name": "abc"})
    response = show(req, saved, success="/list/", message="Saved.")
    assert response["Location"] == "/list/"
    assert [str(m) for m in get_messages(req)] == ["Saved."]


def test_form_page_invalid_form_is_shown_again_without_saving(page_template):
    calls: list[Any] = []
    req = request("post", data={"name": "too long"})
    response = show(req, calls.append, message="Saved.")
    assert response.status_code == 200
    assert "At most 5 characters" in response.content.decode()
    assert calls == []
    assert list(get_messages(req)) == []


def test_form_page_service_error_on_a_field(page_template):
    def refuse(form: NameForm) -> None:
        raise ValidationError({"name": ["This name is taken."]})

    req = request("post", data={"name": "abc"})
    response = show(req, refuse, message="Saved.")
    assert response.status_code == 200
    errors, non_field, _extra = response.content.decode().split("|")
    assert "This name is taken." in errors
    assert non_field == ""
    assert list(get_messages(req)) == []


@pytest.mark.parametrize(
    "error",
    [ValidationError("Not now."), ValidationError({"region": ["Not now."]})],
    ids=["without a key", "a key the form has no field for"],
)
def test_form_page_service_error_without_a_field_is_a_non_field_error(page_template, error):
    def refuse(form: NameForm) -> None:
        raise error

    response = show(request("post", data={"name": "abc"}), refuse)
    errors, non_field, _extra = response.content.decode().split("|")
    assert response.status_code == 200
    assert errors == ""
    assert "Not now." in non_field


def test_form_page_shows_the_form_again_with_the_status_asked_for(page_template):
    response = show(request("post", data={"name": "too long"}), saved, status=400)
    assert response.status_code == 400


def test_form_page_field_map_renames_the_service_key(page_template):
    def refuse(form: NameForm) -> None:
        raise ValidationError({"title": ["Too similar."]})

    response = show(request("post", data={"name": "abc"}), refuse, field_map={"title": "name"})
    assert "Too similar." in response.content.decode().split("|")[0]


# ---- permissions ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_can_follows_the_scope(tree):
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    assert can(official, EDIT, tree.community_a1.path)
    assert not can(official, EDIT, tree.community_b1.path)
    assert not can(official, EDIT, None)
    assert not can(make_user(Role.GRID_LEADER, tree.community_a1), EDIT, tree.community_a1.path)
    assert not can(None, VIEW, tree.city.path)


@pytest.mark.django_db
def test_get_for_user_in_scope_and_may_edit(tree):
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    org = tree.orgs["community"]
    found, may_edit = get_for_user(PartyOrganisation.objects.all(), org.pk, official, view=VIEW, edit=EDIT)
    assert found == org
    assert may_edit is True


@pytest.mark.django_db
def test_get_for_user_read_only(tree):
    leader = make_user(Role.GRID_LEADER, tree.community_a1)
    org = tree.orgs["community"]
    found, may_edit = get_for_user(PartyOrganisation.objects.all(), org.pk, leader, view=VIEW, edit=EDIT)
    assert found == org
    assert may_edit is False


@pytest.mark.django_db
def test_get_for_user_outside_scope_or_missing_is_404(tree):
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    queryset = PartyOrganisation.objects.all()
    with pytest.raises(Http404):
        get_for_user(queryset, tree.orgs["county"].pk, official, view=VIEW, edit=EDIT)
    with pytest.raises(Http404):
        get_for_user(queryset, 0, official, view=VIEW, edit=EDIT)
    with pytest.raises(Http404):
        get_for_user(queryset, tree.orgs["community"].pk, None, view=VIEW, edit=EDIT)


@pytest.mark.django_db
def test_editable_region(tree):
    official = make_user(Role.STREET_OFFICIAL, tree.street_a)
    assert editable_region(official, tree.community_a1.pk) == tree.community_a1
    with pytest.raises(Http404):
        editable_region(official, tree.community_b1.pk)
    with pytest.raises(PermissionDenied):
        editable_region(make_user(Role.GRID_LEADER, tree.community_a1), tree.community_a1.pk)
    # a capability the official holds nowhere: still visible, so a 403 rather than a 404
    with pytest.raises(PermissionDenied):
        editable_region(official, tree.community_a1.pk, Capability.CASES_CONFIGURE)
