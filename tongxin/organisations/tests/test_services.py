import pytest
from django.core.exceptions import ValidationError

from tongxin.organisations.models import OrgKind
from tongxin.organisations.services import (
    organisation_create,
    organisation_move,
    organisation_warnings,
)
from tongxin.testing import make_member

pytestmark = pytest.mark.django_db


def test_group_needs_a_branch_parent(tree):
    with pytest.raises(ValidationError) as exc:
        organisation_create(
            name="党小组", kind=OrgKind.GROUP, code="G-1", region=tree.building, parent=tree.orgs["community"]
        )
    assert "parent" in exc.value.message_dict
    group = organisation_create(
        name="1幢党小组",
        kind=OrgKind.GROUP,
        code="G-1",
        region=tree.building,
        parent=tree.orgs["grid_branch"],
    )
    assert group.path.startswith(tree.orgs["grid_branch"].path)


def test_region_must_lie_within_parent_region(tree):
    with pytest.raises(ValidationError) as exc:
        organisation_create(
            name="跨区支部",
            kind=OrgKind.BRANCH,
            code="B-9",
            region=tree.community_b1,
            parent=tree.orgs["community"],
        )
    assert "region" in exc.value.message_dict


def test_branch_size_warnings(tree):
    branch = tree.orgs["grid_branch"]
    assert any("3" in w for w in organisation_warnings(branch))
    for _ in range(3):
        make_member(tree.grids["1.1"], branch)
    assert organisation_warnings(branch) == []
    for _ in range(4):
        make_member(tree.grids["1.1"], branch)
    assert any("3–5" in w for w in organisation_warnings(branch))
    assert organisation_warnings(tree.orgs["community"]) == []


def test_move_rewrites_paths(tree):
    new_committee = organisation_create(
        name="中共锦帆路社区委员会",
        kind=OrgKind.COMMITTEE,
        code="ORG-9",
        region=tree.community_a2,
        parent=tree.orgs["street"],
    )
    with pytest.raises(ValidationError):  # the branch's grid is not in 锦帆路社区
        organisation_move(organisation=tree.orgs["grid_branch"], new_parent=new_committee)
    moved = organisation_move(organisation=tree.orgs["community"], new_parent=tree.orgs["county"])
    branch = tree.orgs["grid_branch"]
    branch.refresh_from_db()
    assert branch.path.startswith(moved.path)
    assert branch.depth == moved.depth + 1
