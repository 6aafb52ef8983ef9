"""Break-glass in the browser: a police officer opens a case their force is not involved in
by saying why; the case's team manager sees the alert and marks it seen. Every page passes
axe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from safeguard.cases.models import BreakGlass
from safeguard.cases.services import case_allocate
from safeguard.core.models import AuditEntry
from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create

from .test_referral_journeys import sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Child brought to the custody suite overnight; I need to know if there is a plan"


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def new_page(browser, live_server) -> Iterator[object]:
    """A page in a browser context of its own, failing the test on any HTTP error except
    the "case not found" (404) that offers break-glass, and on any script error."""
    contexts = []
    problems: list[str] = []

    def make(allowed_404: str):
        context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                      timezone_id="Europe/London",
                                      viewport={"width": 1200, "height": 900})
        contexts.append(context)
        page = context.new_page()

        def on_response(r) -> None:
            if r.status >= 400 and not (r.status == 404 and allowed_404 in r.url):
                problems.append(f"HTTP {r.status} {r.url}")

        page.on("response", on_response)
        page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" and "404" not in m.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


def test_a_police_officer_opens_a_case_by_break_glass(north, new_page, assert_accessible):
    case = referral_create(
        actor=north["front_door"].user, received_on=date(2026, 11, 23), source="2A",
        concerns="Bruises seen at school", child={
            "given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14)}
    ).case
    case_allocate(actor=north["manager"].user, case_id=case.pk,
                  worker_id=north["social_worker"].pk)

    police = new_page(f"/cases/{case.pk}/")
    sign_in(police, "north-police")
    police.goto(f"/cases/{case.pk}/")
    assert police.title() == "Case not found – Safeguard"
    assert "Turner" not in police.content()
    assert_accessible(police, "case not found, with break-glass")

    submit(police, "#break-glass")
    assert police.title() == "Error: Case not found – Safeguard"
    assert "Enter why you need to see this case" in police.inner_text(".govuk-error-summary")
    assert_accessible(police, "break-glass error")
    police.screenshot(path="/tmp/safeguard-break-glass.png", full_page=True)
    police.click(".govuk-error-summary a")
    assert police.evaluate("document.activeElement.id") == "id_reason"

    police.fill("#id_reason", REASON)
    submit(police, "#break-glass")
    assert police.url.endswith(f"/cases/{case.pk}/")
    assert "Ava Turner" in police.inner_text("h1")
    banner = police.inner_text("#break-glass-banner")
    assert "You opened this case by break-glass" in banner and REASON in banner
    assert_accessible(police, "case opened by break-glass")
    access = BreakGlass.objects.get()
    assert access.reason == REASON
    assert AuditEntry.objects.filter(action="break_glass", reason=REASON,
                                     case_id=case.pk).exists()

    manager = new_page("/never")
    sign_in(manager, "north-manager")
    alerts = manager.inner_text("#break-glass-alerts")
    assert "1 case was opened by break-glass" in alerts
    assert "Sarah Bennett" in alerts and case.reference in alerts and REASON in alerts
    assert_accessible(manager, "my work with a break-glass alert")
    manager.screenshot(path="/tmp/safeguard-break-glass-alert.png", full_page=True)
    submit(manager, "#break-glass-alerts button")
    assert manager.locator("#break-glass-alerts").count() == 0
