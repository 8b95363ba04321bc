import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongxin.lib import codes, crypto, geo, masking, tree, validators

KEY = "0" * 43 + "="


@pytest.mark.parametrize(
    ("level", "code", "parent", "ok"),
    [
        ("city", "320500000000", None, True),
        ("city", "320501000000", None, False),
        ("county", "320508000000", "320500000000", True),
        ("county", "320608000000", "320500000000", False),
        ("street", "320508019000", "320508000000", True),
        ("street", "320508000000", "320508000000", False),
        ("street", "32050801900", "320508000000", False),
        ("community", "320508019044", "320508019000", True),
        ("community", "320508019000", "320508019000", False),
        ("community", "320508020044", "320508019000", False),
        ("community", "32050801904A", "320508019000", False),
        ("building", "32050801904400100001", "320508019044001", True),
        ("building", "32050801904400100000", "320508019044001", False),
        ("building", "32050801904400200001", "320508019044001", False),
    ],
)
def test_check_code(level, code, parent, ok):
    if ok:
        codes.check_code(level, code, parent_code=parent)
    else:
        with pytest.raises(codes.CodeError):
            codes.check_code(level, code, parent_code=parent)


def test_grid_code_is_community_code_plus_sequence():
    codes.check_code("grid", "320508019044001", community_code="320508019044")
    with pytest.raises(codes.CodeError):
        codes.check_code("grid", "320508019045001", community_code="320508019044")
    with pytest.raises(codes.CodeError):
        codes.check_code("grid", "320508019044000", community_code="320508019044")


def test_encryption_round_trip_and_lookup_hash():
    token = crypto.encrypt("13812341234", key=KEY)
    assert "1381234" not in token
    assert crypto.decrypt(token, key=KEY) == "13812341234"
    assert crypto.lookup_hash("13812341234", key=KEY, purpose="phone") == crypto.lookup_hash(
        "13812341234", key=KEY, purpose="phone"
    )
    assert crypto.lookup_hash("13812341234", key=KEY, purpose="phone") != crypto.lookup_hash(
        "13812341234", key=KEY, purpose="id_card"
    )
    with pytest.raises(ValueError):
        crypto.decrypt(token, key="1" * 43 + "=")


def test_masks():
    assert masking.mask_phone("13812341234") == "138****1234"
    assert masking.mask_id_card("320508199001011234") == "3205**********1234"
    assert masking.mask_phone("") == ""
    assert masking.mask_name("张三丰") == "张**"


def test_id_card_check_digit():
    first17 = "11010519491231002"
    number = first17 + validators.id_card_check_digit(first17)
    assert validators.is_valid_id_card(number)
    wrong = first17 + ("0" if number[-1] != "0" else "1")
    assert not validators.is_valid_id_card(wrong)
    assert not validators.is_valid_id_card("110105194913310021")  # month 13


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_subtree_range_contains_exactly_descendants(a, b):
    parent = tree.child_path("/1/", a)
    child = tree.child_path(parent, b)
    low, high = tree.subtree_range(parent)
    assert low <= child < high
    sibling = tree.child_path("/1/", a + 1)
    assert not (low <= sibling < high) or sibling.startswith(parent)
    # '/1/12/' is not inside '/1/1/'
    assert not (tree.subtree_range("/1/1/")[0] <= "/1/12/" < tree.subtree_range("/1/1/")[1])


def test_minimal_roots():
    assert tree.minimal_roots(["/1/2/", "/1/", "/3/", "/3/4/5/"]) == ["/1/", "/3/"]


def test_parse_polygon_rejects_bad_shapes():
    with pytest.raises(geo.GeometryError):
        geo.parse_polygon({"type": "Point", "coordinates": [1, 2]})
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(geo.GeometryError):
        geo.parse_polygon(bowtie)
    with pytest.raises(geo.GeometryError):
        geo.parse_polygon({"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]})
    poly = geo.parse_polygon({"type": "Feature", "geometry": geo.rectangle(120, 31, 120.01, 31.01)})
    assert poly.bounds == (120, 31, 120.01, 31.01)


@given(
    st.floats(min_value=73, max_value=135, allow_nan=False),
    st.floats(min_value=18, max_value=53, allow_nan=False),
)
def test_point_cell_is_among_covering_cells(lng, lat):
    cells = set(geo.cells_covering((lng - 0.001, lat - 0.001, lng + 0.001, lat + 0.001)))
    assert geo.cell_of(lng, lat) in cells
