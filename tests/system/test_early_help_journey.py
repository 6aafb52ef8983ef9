"""Early help and the household in a real browser, with an accessibility check on every page:
an early help practitioner is refused without consent, starts the assessment with it, and
steps up to children's social care (no consent needed); a social worker adds the child's
mother and sees the siblings section."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from safeguard.core.dates import today
from safeguard.demo.areas import build_area
from safeguard.earlyhelp.models import EarlyHelpAssessment
from safeguard.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, staff) -> None:
    client = Client()
    client.force_login(staff.user)
    page.context.clear_cookies()
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])


def settle(page) -> None:
    """Let the draft of what was typed reach the server before the form is sent: leave the
    field (its change is saved as a draft at once) and wait until the page says it is saved,
    so the draft and the form never reach the server together."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-draft-status]')]"
        ".every(s => s.textContent.startsWith('Draft saved'))")


def submit(page, selector: str) -> None:
    """Press the button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def fill_date(page, name: str, day) -> None:
    page.fill(f"#id_{name}-day", str(day.day))
    page.fill(f"#id_{name}-month", str(day.month))
    page.fill(f"#id_{name}-year", str(day.year))


def test_consent_then_step_up_then_the_household(page, live_server, assert_accessible):
    north = build_area("Northshire", "901", "north")
    sign_in(page, live_server, north["early_help"])
    page.goto("/early-help/new/")
    assert page.title() == "Start an early help assessment – Safeguard"
    assert_accessible(page, "early help start page")
    page.locator("#id_consent_given-2").check()  # No
    page.fill("#id_given_name", "Leo")
    page.fill("#id_family_name", "Hart")
    fill_date(page, "date_of_birth", today().replace(year=today().year - 7))
    page.fill("#id_needs", "Speech delay; the family's housing")
    settle(page)
    submit(page, "#start")
    assert page.title() == "Error: Start an early help assessment – Safeguard"
    links = page.locator(".govuk-error-summary a").all_inner_texts()
    assert len(links) == 1 and links[0].startswith("An early help assessment needs the "
                                                   "agreement of the child")
    assert page.input_value("#id_family_name") == "Hart"
    assert_accessible(page, "early help start page with the consent error")
    assert not EarlyHelpAssessment.objects.exists()

    page.locator("#id_consent_given").check()  # Yes
    page.get_by_label("The child and their parents or carers").check()
    page.fill("#id_consent_given_by", "Leo and his mother, Jo Hart")
    fill_date(page, "consent_recorded_on", today())
    settle(page)
    submit(page, "#start")
    assert page.title() == "Early help assessment – Safeguard"
    assert "Given by Leo and his mother, Jo Hart" in page.inner_text("#record")
    assert_accessible(page, "early help record")

    submit(page, "#step-up")
    assert page.title() == "Refer to children’s social care – Safeguard"
    assert "You do not need consent to make this referral" in page.inner_text("main")
    assert_accessible(page, "step-up page")
    page.fill("#id_concerns", "Leo said his mother's partner hits him")
    submit(page, "#refer")
    assert "Referred to children’s social care on" in page.inner_text("#stepped-up")
    referral = Referral.objects.get()
    assert referral.source == "5D"

    sign_in(page, live_server, north["social_worker"])
    page.goto(f"/people/cases/{referral.case_id}/household/")
    assert page.title() == "Household and family – Safeguard"
    assert "Siblings within the family should always be considered" in page.inner_text("main")
    assert_accessible(page, "household page")
    with page.expect_navigation():
        page.get_by_role("button", name="Add someone who lives with the child").click()
    assert_accessible(page, "add a household member page")
    page.fill("#id_given_name", "Jo")
    page.fill("#id_family_name", "Hart")
    page.locator("#id_is_child-2").check()  # No
    page.select_option("#id_relationship", "mother")
    page.locator("#id_parental_responsibility").check()  # Yes
    submit(page, "#save")
    assert "Jo Hart" in page.inner_text("#household")
    assert_accessible(page, "household page with a member")
