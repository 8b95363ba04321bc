"""Line icons (24×24 SVG paths) for the resident's category tiles, by the first-level category's
code of the default tree (defaults.py); a category added later gets the generic one. Served inline:
nothing loads from elsewhere."""

GENERIC = "M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h6v6h-6z"

GROUP_ICONS = {
    "01": "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6",  # 环境卫生: a bin
    "02": "M4 21V6l8-3 8 3v15M9 21v-5h6v5M8 9h2M14 9h2M8 13h2M14 13h2",  # 物业管理: a building
    "03": "M3 4h11v8H8l-3 3v-3H3zM17 9h4v8h-2v3l-3-3h-6v-3",  # 矛盾纠纷: two speech bubbles
    "04": "M8 3 4 21M16 3l4 18M12 4v3M12 11v3M12 18v2",  # 道路设施: a road
    "05": "M13 2 4 14h7l-1 8 9-12h-7z",  # 供水供电: a bolt
    "06": "M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6zM9 12l2 2 4-4",  # 治安: a shield
    "07": "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v6M12 7v1",  # 政策咨询: information
    "08": "M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.5-7 10-7 10z",  # 民生求助: a heart
}


def group_icon(code: str) -> str:
    return GROUP_ICONS.get(code, GENERIC)
