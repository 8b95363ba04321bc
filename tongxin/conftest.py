import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tongxin.testing import Tree, build_tree

CHROMIUM = os.environ.get("TONGXIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _tests_read_english(settings):
    """Assertions are written against the English source strings; zh-hans stays the product's
    default (tongxin/core/tests/test_i18n.py proves it with the real setting)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Still Argon2 (test_login checks the real settings), with parameters cheap enough for tests."""
    from tongxin.accounts.tests.hashers import FAST_HASHERS

    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _second_factor_off(settings):
    """Tests log accounts in with force_login, which has no second factor; the tests of the second
    factor (tongxin/accounts/tests/test_mfa.py, browser_tests/test_mfa.py) turn it back on."""
    settings.TONGXIN_MFA_REQUIRED = "none"


@pytest.fixture(autouse=True)
def _audit_files_per_test(settings, tmp_path):
    """Each test its own directory of signed audit checkpoints and archives (never var/audit)."""
    settings.TONGXIN_AUDIT_DIR = tmp_path / "audit"


# the worker's heavy periodic sweeps: the kept figures (every node × period, up to 20 s a run) and
# the weekly restore drill (a backup of the whole database restored into a scratch one)
HEAVY_SWEEPS = ("statistics.keep_figures", "assurance.restore_drill")


@pytest.fixture(autouse=True)
def _heavy_sweeps_off_schedule(request, monkeypatch) -> None:
    """A test of deadlines or notifications runs every due job: it does not pay for the heavy
    sweeps, nor back up its own uncommitted transaction. The tests of those sweeps run them
    themselves; a test marked `scheduled_sweeps` sees the whole schedule."""
    if request.node.get_closest_marker("scheduled_sweeps"):
        return
    from tongxin.jobs import registry

    registry.load_all()
    kept = {kind: p for kind, p in registry.PERIODIC.items() if kind not in HEAVY_SWEEPS}
    monkeypatch.setattr(registry, "PERIODIC", kept)


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture(scope="session")
def _playwright_browser() -> Iterator[Any]:
    """One headless Chromium for the session: Debian's, driven by Playwright (no browser download)."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself between page actions are synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_context(_playwright_browser, live_server) -> Iterator[Any]:
    """A fresh browser context on the live server; fails the test on any console error (CSP included)."""
    _clear_limits()
    _load_default_configuration()
    context = _playwright_browser.new_context(base_url=live_server.url, locale="zh-CN")
    errors: list[str] = []
    context.on("weberror", lambda e: errors.append(str(e.error)))
    context.errors = errors
    yield context
    _settle(context)
    context.close()
    assert not errors, errors


@pytest.fixture
def phone_context(_playwright_browser, live_server) -> Iterator[Any]:
    _clear_limits()
    _load_default_configuration()
    context = _playwright_browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    yield context
    _settle(context)
    context.close()


# the data migrations that load each installation's default configuration (categories, rate rules,
# log kinds, care tags): a transactional test's flush empties their tables, a browser test needs them
DEFAULT_CONFIGURATION = (
    ("tongxin.cases.migrations.0002_default_configuration", "load_defaults"),
    ("tongxin.cases.migrations.0011_rate_rules_version_1", "version_1"),
    ("tongxin.gridwork.migrations.0002_default_log_kinds", "load_defaults"),
    ("tongxin.households.migrations.0002_default_care_tags", "load_defaults"),
)


def _load_default_configuration() -> None:
    """Load them again (the migrations' own functions, which leave existing rows alone)."""
    import importlib

    from django.apps import apps

    for module, function in DEFAULT_CONFIGURATION:
        getattr(importlib.import_module(module), function)(apps, None)


def _clear_limits() -> None:
    """The rate limits live in the database cache's table, which a transactional test's flush does
    not empty: each browser test starts with none counted."""
    from django.core.cache import cache

    cache.clear()


def _settle(context: Any) -> None:
    """Let requests a page still has in flight (an htmx refresh after the last click) finish on the
    live server before the test's tables are flushed under it."""
    for page in context.pages:
        # a page that never settles is the test's own failure to report, not the teardown's
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=5000)


def console_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """A transactional test outside the browser tests must restore the database it found
    (serialized_rollback=True). Without it, its teardown flush re-creates the content types and
    permissions, and the next serialized test on the same worker fails to load its snapshot over them
    (the PostgreSQL run's concurrency tests, whose order depends on how xdist shares the tests out)."""
    offenders = []
    for item in items:
        mark = item.get_closest_marker("django_db")
        if mark is None or item.get_closest_marker("browser") is not None:
            continue
        if mark.kwargs.get("transaction") and not mark.kwargs.get("serialized_rollback"):
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError(
            "transactional tests without serialized_rollback=True: " + ", ".join(offenders)
        )
