"""Fixtures shared by all of Safeguard's tests.

The environment itself (a temporary ``SAFEGUARD_VAR``; SQLite, or a throwaway PostgreSQL
server when ``SAFEGUARD_TEST_DATABASE=postgres``) is set up by the plugin
:mod:`safeguard.testing.pytest_plugin`, loaded from pyproject's pytest ``addopts``: it must
act before pytest-django reads the settings, which is before this file is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safeguard.testing.pytest_plugin import database_under_test


@pytest.fixture(scope="session")
def safeguard_var() -> Path:
    """The temporary folder this test run uses as ``var/``."""
    return Path(os.environ["SAFEGUARD_VAR"])


@pytest.fixture(scope="session")
def expected_database_vendor() -> str:
    """Django's ``connection.vendor`` for the database this run tests."""
    return {"sqlite": "sqlite", "postgres": "postgresql"}[database_under_test()]


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Client.force_login`` skips the password; here it skips the second factor too, so a
    privileged persona signed in that way is fully signed in (as before 2FA existed). Tests
    of the two-factor step sign in through the pages, or call ``ClientMixin.force_login``."""
    from django.test import Client
    from django.test.client import ClientMixin

    from safeguard.testing.two_factor import mark_verified

    def force_login(self: Client, user: object, backend: str | None = None) -> None:
        ClientMixin.force_login(self, user, backend)
        mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


# ---- the browser: one Playwright (and one Chromium) for the whole run ----------------------
# Playwright's sync API runs an event loop in the test's thread: a second ``sync_playwright``
# started while one is running fails ("using Playwright Sync API inside the asyncio loop"),
# so every browser test, wherever it is, uses this session's.

from collections.abc import Iterator  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
