"""The set-up code pages in Chromium (Debian's, through Playwright), checked by axe: a team
manager signs in (password and app), finds "Set-up codes for authenticator apps" under "Your
account", chooses a person, gets the error pattern when they choose no time, then the code."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from safeguard.demo.areas import DEMO_PASSWORD, build_area
from safeguard.testing.two_factor import give_second_factor
from safeguard.web.models import SetUpCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, as tests/system
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 1200, "height": 900})
    new_page = context.new_page()
    problems: list[str] = []
    new_page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
                if r.status >= 400 else None)
    new_page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield new_page
    context.close()
    assert not problems, problems


def accessible(page, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"


def test_a_team_manager_issues_a_set_up_code(page, live_server) -> None:
    north = build_area("Northshire", "901", "north")
    page.goto("/sign-in")
    page.fill("#id_username", "north-manager")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#sign-in")
    page.wait_for_load_state()
    give_second_factor(page, "north-manager")
    with page.expect_navigation():
        page.click("#footer-set-up-codes")
    assert page.title() == "Set-up codes for authenticator apps – Safeguard"
    accessible(page, "list of people")
    with page.expect_navigation():
        page.click("text=Issue a set-up code for David Clarke")
    assert page.title() == "Issue a set-up code – Safeguard"
    accessible(page, "issue page")
    with page.expect_navigation():
        page.click("#issue-set-up-code")
    assert page.title() == "Error: Issue a set-up code – Safeguard"
    assert page.locator(".govuk-error-summary").is_visible()
    accessible(page, "issue page with an error")
    page.check("text=3 days")
    with page.expect_navigation():
        page.click("#issue-set-up-code")
    assert page.title() == "Set-up code issued – Safeguard"
    code = page.locator("#set-up-code").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{4}(-[0-9a-f]{4}){3}", code)
    assert code not in page.url
    accessible(page, "code issued")
    assert SetUpCode.objects.filter(user=north["lado"].user).count() == 1
