import pytest

from tongxin.core.roles import Role
from tongxin.testing import Tree, make_user


@pytest.fixture
def admin(tree: Tree):
    """Imports and exports everything in the city (system administrator)."""
    return make_user(Role.SYSTEM_ADMIN, tree.city)


@pytest.fixture
def street_b_official(tree: Tree):
    return make_user(Role.STREET_OFFICIAL, tree.street_b)


@pytest.fixture
def street_a_official(tree: Tree):
    return make_user(Role.STREET_OFFICIAL, tree.street_a)
