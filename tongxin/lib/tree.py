"""Materialised paths: '/12/345/6789/'. Subtree = every path in [prefix, prefix + '~').

The range form uses a plain B-tree index on every database (LIKE 'x%' does not on SQLite
with ESCAPE, nor on PostgreSQL without a pattern opclass).
"""

PATH_SEP = "/"
PATH_END = "~"  # sorts after '/' and every digit


def child_path(parent_path: str, node_id: int) -> str:
    return f"{parent_path or PATH_SEP}{node_id}{PATH_SEP}"


def subtree_range(path: str) -> tuple[str, str]:
    return path, path + PATH_END


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)


def ancestor_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip(PATH_SEP).split(PATH_SEP) if p]


def minimal_roots(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another path in the list."""
    roots: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    return sorted(roots)
