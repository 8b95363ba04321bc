import pytest

from tongxin.core.roles import Role
from tongxin.gridwork.testing import any_tag, make_household
from tongxin.testing import build_tree, make_user


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture
def worker(tree):
    return make_user(Role.GRID_WORKER, tree.grids["1.1"], username="worker11")


@pytest.fixture
def other_worker(tree):
    return make_user(Role.GRID_WORKER, tree.grids["1.2"], username="worker12")


@pytest.fixture
def secretary(tree):
    return make_user(Role.COMMUNITY_SECRETARY, tree.community_a1, username="secretary1")


@pytest.fixture
def street(tree):
    return make_user(Role.STREET_OFFICIAL, tree.street_a, username="street_a")


@pytest.fixture
def households(tree):
    tag = any_tag().code
    return [make_household(tree.building, f"{n}01", tag=tag if n == 1 else "") for n in range(1, 4)]
