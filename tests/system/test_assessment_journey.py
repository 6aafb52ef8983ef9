"""An assessment in a real browser, with an accessibility check on every page: a social worker
starts it from the referral, records seeing the child (alone) and the rest of the task list,
completes it after the 45 working days and is told the reason is required, then completes it
with the reason — and the page shows what the statutory engine says.

Dates are set from today with the engine's calendar (the referral 60 working days ago), so
the live server needs no frozen clock. The social worker signs in by a session made with
Django's test client, its cookie handed to the browser.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.test import Client

from safeguard.assessments.models import Assessment
from safeguard.cases.models import Obligation
from safeguard.core.dates import format_date, today
from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create, referral_decide
from safeguard.statutory.calendar import england
from safeguard.statutory.duties import assessment_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp"


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


def open_task(page, title: str) -> None:
    with page.expect_navigation():
        page.locator(".govuk-task-list__link", has_text=title).click()


def test_an_assessment_completed_late_needs_the_reason(page, live_server, assert_accessible):
    north = build_area("Northshire", "901", "north")
    received = england().working_days_before(today(), 60)
    due = assessment_due(received)
    late_by = england().working_days_between(due, today())
    referral = referral_create(
        actor=north["school_dsl"].user, received_on=received, source="2A",
        concerns="Bruising seen on arms",
        child={"given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14)})
    referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                    decided_on=received, outcome="assessment", reasons="Needs assessment",
                    feedback_to_referrer="An assessment will start", family_informed=True)
    case = referral.case
    sign_in(page, live_server, north["social_worker"])

    # Start the assessment from the referral.
    page.goto(f"/assessments/cases/{case.pk}/new/")
    assert page.title() == "Start an assessment – Safeguard"
    assert_accessible(page, "start page")
    page.get_by_label("Child in need (section 17)").check()
    assert page.locator("input[name=referral]").first.is_checked()  # the one referral
    submit(page, "#start")
    assert page.title() == "Assessment (Child in need (section 17)) – Safeguard"
    assert page.inner_text("#due-date") == format_date(due)
    assert page.inner_text("#working-days") == f"{late_by} working days overdue"
    assert page.inner_text("#progress") == "You have completed 0 of 6 sections."
    assert_accessible(page, "assessment task list")

    # See the child, alone.
    open_task(page, "See the child")
    assert page.title() == "See the child – Safeguard"
    assert_accessible(page, "child seen page")
    fill_date(page, "child_seen_on", today())
    page.locator("#id_child_seen_alone").check()  # the first radio: Yes
    settle(page)
    submit(page, "#save")
    assert page.locator(".govuk-notification-banner--success").inner_text().endswith(
        "Child seen recorded")
    assert "alone" in page.locator(".govuk-task-list__item", has_text="See the child").inner_text()

    for title, text in (("The child's wishes and feelings", "Wants to stay at home"),
                        ("The child's developmental needs", "Healthy, anxious at school"),
                        ("Parenting capacity", "Mother caring but struggling"),
                        ("Family and environmental factors", "Overcrowded flat")):
        open_task(page, title)
        page.fill("#id_text", text)
        settle(page)
        submit(page, "#save")
    open_task(page, "Factors identified")
    page.get_by_label("Mental health: parent or carer (4B)").check()
    settle(page)
    submit(page, "#save")
    assert page.inner_text("#progress") == "You have completed 6 of 6 sections."

    # Complete it late, without a reason: the GOV.UK error pattern, nothing saved.
    open_task(page, "Complete the assessment")
    assert_accessible(page, "completion page")
    page.get_by_label("No further action").check()
    settle(page)
    submit(page, "#complete")
    assert page.title() == "Error: Complete the assessment – Safeguard"
    summary = page.locator(".govuk-error-summary")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    message = (f"Enter the reason the assessment took longer than 45 working days: it was due "
               f"by {format_date(due)} and is {late_by} working days late (Working Together "
               "2018, 1.75)")
    assert summary.locator("a").all_inner_texts() == [message]
    assert page.inner_text("#id_reason_late-error").endswith(message)
    assert page.locator("#id_outcome-2").is_checked() or page.get_by_label(
        "No further action").is_checked()
    page.screenshot(path=f"{SCREENSHOTS}/safeguard-assessment-late.png", full_page=True)
    assert_accessible(page, "completion page with the error")
    assert Assessment.objects.get().completed_on is None
    summary.locator("a").click()
    assert page.evaluate("document.activeElement.id") == "id_reason_late"

    # With the reason, it completes; the engine says late.
    page.fill("#id_reason_late", "The family were abroad for three weeks")
    settle(page)
    submit(page, "#complete")
    assert page.title() == "Assessment (Child in need (section 17)) – Safeguard"
    assert page.inner_text("#working-days") == f"Completed {late_by} working days late"
    assert "The family were abroad" in page.inner_text("#assessment-summary")
    assert_accessible(page, "completed assessment")
    ob = Obligation.objects.get(case=case, duty="assessment.complete")
    assert (ob.status, ob.met_on, ob.working_days_late) == ("late", today(), late_by)
