"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live
server (real HTTP), with an accessibility check by axe.

Playwright's browsers are not downloaded (`playwright install` is never run): the tests use
the system Chromium at /usr/bin/chromium and are skipped, saying why, when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from safeguard.testing.two_factor import give_second_factor

# The session's Chromium is tests/conftest.py's ``browser``. Playwright's sync API runs an
# event loop in the test's thread; Django then refuses database calls from "async" code
# unless told the thread is safe, which it is here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class BrowserProblems(list[str]):
    """What went wrong in the page: HTTP errors, script errors, console errors."""


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh page whose relative URLs go to the live server.

    The test fails if any request answers 4xx/5xx (a missing font or image, say), or if
    the page logs a JavaScript error.
    """
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1200, "height": 900},
        accept_downloads=True,
    )
    new_page = context.new_page()
    problems = BrowserProblems()
    new_page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
    )
    new_page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    new_page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    new_page.problems = problems
    yield new_page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def assert_accessible():
    """Run axe on the page as it stands; fail listing every violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, what: str) -> None:
        results = axe.run(page)
        if results.violations_count:
            print(f"axe violations on the {what}:\n{results.generate_report()}")
        assert results.violations_count == 0, f"{what}: {results.generate_report()}"

    return check


@pytest.fixture
def sign_in():
    """``sign_in(page, username, password)``: through the sign-in page, as a person would —
    with the code from their authenticator app when their role must give one."""

    def do(page, username: str, password: str) -> None:
        page.goto("/sign-in")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#sign-in")
        page.wait_for_load_state()
        assert page.title() != "Error: Sign in – Safeguard", "sign-in failed"
        give_second_factor(page, username)

    return do

