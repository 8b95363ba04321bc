import pytest

from tongxin.testing import Tree, build_tree


@pytest.fixture(autouse=True)
def _english_off(settings):  # noqa: PT004
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()
