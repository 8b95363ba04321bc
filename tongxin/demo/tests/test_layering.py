"""The demo is the top layer: it may use any app, and no app's code uses it (their tests may build
a demo district as data)."""

import ast
from pathlib import Path

import tongxin

ROOT = Path(tongxin.__file__).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _is_test(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or "browser_tests" in parts or path.name in {"conftest.py", "testing.py"}


def test_no_app_imports_the_demo():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(ROOT.rglob("*.py"))
        if path.relative_to(ROOT).parts[0] != "demo"
        and not _is_test(path)
        and any(name == "tongxin.demo" or name.startswith("tongxin.demo.") for name in _imports(path))
    ]
    assert offenders == []
