"""The order pool asks before an order is taken, without JavaScript: 接单 opens a <details> whose
only submit button is the confirmation."""

import pytest
from django.urls import reverse

from tongxin.cases.testing import report_case
from tongxin.cases.tests.pages import fresh_cache, make_cast, move

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield from fresh_cache()


def test_taking_an_order_needs_the_confirmation(tree):
    cast = make_cast(tree)
    case = move(report_case(tree), ("accept", cast.secretary, {}), ("pool", cast.secretary, {}))
    body = cast.client("member").get(reverse("cases:pool")).content.decode()
    card = body.split(case.tracking_code, 1)[1]
    confirm = card.split('<details class="take-confirm">', 1)[1].split("</details>", 1)[0]
    # the first button only opens the step; the form and its submit button sit inside it
    assert "<summary" in confirm and reverse("cases:act", args=[case.pk, "take"]) in confirm
    assert confirm.count('type="submit"') == 1
    assert card.split('<details class="take-confirm">', 1)[0].count('type="submit"') == 0
