import pytest

from tongxin.core.roles import Role
from tongxin.testing import make_user
from tongxin.venues.testing import make_unit, make_venue


@pytest.fixture
def staff(tree):
    return make_user(Role.COMMUNITY_STAFF, tree.community_a1, username="staff_a1")


@pytest.fixture
def other_staff(tree):
    return make_user(Role.COMMUNITY_STAFF, tree.community_b1, username="staff_b1")


@pytest.fixture
def street(tree):
    return make_user(Role.STREET_OFFICIAL, tree.street_a, username="street_a")


@pytest.fixture
def other_street(tree):
    return make_user(Role.STREET_OFFICIAL, tree.street_b, username="street_b")


@pytest.fixture
def liaison(tree):
    return make_user(Role.PARTNER_LIAISON, tree.community_a1, username="liaison_a1")


@pytest.fixture
def member(tree):
    return make_user(Role.MEMBER, tree.community_a1, username="member_a1")


@pytest.fixture
def centre(tree):
    return make_venue(tree.community_a1)


@pytest.fixture
def shared_home(tree, liaison):
    unit = make_unit(tree.community_a1, liaisons=(liaison,))
    return make_venue(tree.community_a1, name="医院共享家园", kind="shared_home", unit=unit)


@pytest.fixture
def far_centre(tree):
    return make_venue(tree.community_b1, name="平江党群服务中心", lat=31.40, lng=120.70)
