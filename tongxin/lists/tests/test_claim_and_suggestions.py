"""The claim control names the unit and never preselects one; the counters follow a claim;
suggestions match the need by category, kind or shared words and say why."""

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.lists.models import NeedCategory, ResourceKind
from tongxin.lists.selectors import resource_suggestions
from tongxin.lists.services import resource_create
from tongxin.partners.models import UnitKind
from tongxin.partners.services import unit_create, unit_liaisons_set
from tongxin.partners.testing import build_cobuilding, publish_need

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cast(tree):
    return build_cobuilding(tree)


def login(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_liaison_of_one_unit_claims_in_its_name(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    body = login(cast.liaison_a, "zh-hans").get(reverse("lists:needs")).content.decode()
    assert "以【姑苏区水务局】名义认领" in body
    detail = login(cast.liaison_a, "zh-hans").get(reverse("lists:need", args=[need.pk])).content.decode()
    assert "以【姑苏区水务局】名义认领" in detail
    # the other street's liaison is offered nothing here, and their unit never shows
    assert "苏州大学" not in body


def test_a_user_of_several_units_must_choose(cast, tree):
    second = unit_create(
        name="姑苏区民政局", kind=UnitKind.COUNTY_DEPARTMENT, region=tree.street_a, actor=cast.street
    )
    unit_liaisons_set(unit=second, liaisons=[cast.liaison_a], actor=cast.street)
    from tongxin.partners.services import pairing_create

    pairing_create(
        unit=second, region=tree.community_a1, actor=cast.street, started_on=cast.pairing_a.started_on
    )
    need = publish_need(tree.community_a1, cast.secretary)
    client = login(cast.liaison_a)
    for url in (reverse("lists:needs"), reverse("lists:need", args=[need.pk])):
        body = client.get(url).content.decode()
        select = body.split('name="unit"', 1)[1].split("</select>", 1)[0]
        assert '<option value="" selected>' in select
        assert f'<option value="{cast.unit_a.pk}" selected' not in select
        assert f'<option value="{second.pk}" selected' not in select
    # posting without a choice claims nothing
    response = client.post(reverse("lists:need_claim", args=[need.pk]), {"unit": ""}, **HTMX)
    assert "Choose the unit" in response.content.decode()
    need.refresh_from_db()
    assert need.claimed_by_unit is None


def test_the_counters_are_read_again_after_a_claim(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary)
    client = login(cast.liaison_a)
    page = client.get(reverse("lists:needs") + "?status=open").content.decode()
    assert 'id="need-counts"' in page and 'hx-trigger="need-claimed from:body"' in page
    assert (
        'hx-get="/lists/needs/?status=open"' in page
        or "status=open" in page.split('id="need-counts"')[1][:200]
    )
    response = client.post(reverse("lists:need_claim", args=[need.pk]), {"unit": cast.unit_a.pk}, **HTMX)
    assert response["HX-Trigger"] == "need-claimed"
    counts = client.get(reverse("lists:needs")).context["counts"]
    assert counts["claimed"] == 1 and counts["open"] == 0


def test_suggestions_match_by_kind_and_words_and_say_why(cast, tree):
    need = publish_need(
        tree.community_a1,
        cast.secretary,
        title="留守儿童暑期助学辅导",
        description="需要大学生志愿者为留守儿童做课业辅导，并设立助学金",
        category=NeedCategory.EDUCATION,
        wanted_kind=ResourceKind.PEOPLE,
    )
    same_category = resource_create(
        unit=cast.unit_a,
        actor=cast.liaison_a,
        kind=ResourceKind.MONEY,
        category=NeedCategory.EDUCATION,
        title="教育关爱基金",
    )
    by_words = resource_create(
        unit=cast.unit_a, actor=cast.liaison_a, kind=ResourceKind.SKILLS, title="课业辅导与助学金申请指导"
    )
    by_kind = resource_create(
        unit=cast.unit_a, actor=cast.liaison_a, kind=ResourceKind.PEOPLE, title="机关志愿服务队"
    )
    unrelated = resource_create(
        unit=cast.unit_a, actor=cast.liaison_a, kind=ResourceKind.EQUIPMENT, title="发电机两台"
    )
    other_category = resource_create(
        unit=cast.unit_a,
        actor=cast.liaison_a,
        kind=ResourceKind.PEOPLE,
        category=NeedCategory.LEGAL,
        title="律师助学辅导",
    )
    suggestions = {s.resource: s for s in resource_suggestions(cast.secretary, need)}
    assert set(suggestions) == {same_category, by_words, by_kind}
    assert unrelated not in suggestions and other_category not in suggestions
    assert any(
        r.startswith("Words in common: ") and "助学金" in r and "辅导" in r
        for r in suggestions[by_words].reasons
    )
    assert any(r.startswith("Same category: ") for r in suggestions[same_category].reasons)
    assert any(r.startswith("The kind of help wanted: ") for r in suggestions[by_kind].reasons)
    # the reasons in Chinese on the page
    body = login(cast.secretary, "zh-hans").get(reverse("lists:need", args=[need.pk])).content.decode()
    assert "共同词：" in body and "类型相同：" in body


def test_no_suggestion_when_nothing_matches(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary, title="修理路灯", description="三号楼前路灯坏了")
    resource_create(unit=cast.unit_a, actor=cast.liaison_a, kind=ResourceKind.PEOPLE, title="党员志愿者")
    resource_create(unit=cast.unit_a, actor=cast.liaison_a, kind=ResourceKind.SKILLS, title="法律咨询")
    assert resource_suggestions(cast.secretary, need) == []
    body = login(cast.secretary).get(reverse("lists:need", args=[need.pk])).content.decode()
    assert "Resources that fit" not in body


def test_suggestions_stay_in_scope(cast, tree):
    need = publish_need(tree.community_a1, cast.secretary, title="助学辅导", category=NeedCategory.EDUCATION)
    resource_create(unit=cast.unit_b, actor=cast.liaison_b, kind=ResourceKind.PEOPLE, title="大学生助学辅导")
    # the other street's unit is not visible to this community, nor its resources as suggestions
    assert resource_suggestions(cast.secretary, need) == []
    assert resource_suggestions(cast.liaison_b, need) == [] or all(
        s.resource.unit == cast.unit_b for s in resource_suggestions(cast.liaison_b, need)
    )
    assert login(cast.stranger).get(reverse("lists:need", args=[need.pk])).status_code == 404
