"""A person checks a case timeline in a real browser: key dates, mistakes, a file."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp"
URL = "/check-timeline"


@pytest.fixture
def page(page, sign_in, django_user_model):
    """A signed-in person's page: every page asks for sign-in."""
    django_user_model.objects.create_user("checker", password="a-long-test-password")
    sign_in(page, "checker", "a-long-test-password")
    return page


def fill_date(page, key: str, day: str, month: str, year: str) -> None:
    page.fill(f"#{key}-day", day)
    page.fill(f"#{key}-month", month)
    page.fill(f"#{key}-year", year)


def result_rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#obligations tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.replace(/\\s+/g, ' ').trim()))",
    )


def test_key_dates_of_a_late_decision_and_an_overdue_assessment(page, assert_accessible):
    page.goto(URL)
    assert page.title() == "Check a case timeline – Safeguard"
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert_accessible(page, "empty page")

    fill_date(page, "referral-received", "28", "8", "2026")
    fill_date(page, "referral-decision", "2", "9", "2026")
    page.get_by_label("Assessment", exact=True).check()
    fill_date(page, "as-of", "23", "11", "2026")
    with page.expect_navigation():
        page.click("#check-dates")

    assert page.title() == "Check a case timeline – Safeguard"
    assert page.inner_text("#results-summary") == "1 overdue, 1 late"
    rows = result_rows(page)
    assert [row[2] for row in rows] == ["Overdue", "Late"]
    overdue = rows[0]
    assert overdue[0].startswith("Complete the assessment")
    assert overdue[1] == "2 November 2026"
    assert overdue[4] == "15"
    assert rows[1][1:5] == ["1 September 2026", "Late", "2 September 2026", "1"]
    # What was typed is still there to change.
    assert page.input_value("#referral-received-day") == "28"
    assert page.is_checked("#referral-decision-outcome-3")
    page.screenshot(path=f"{SCREENSHOTS}/safeguard-results.png", full_page=True)
    assert_accessible(page, "results page")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as JSON").click()
    download = download_info.value
    assert download.suggested_filename == "obligations-2026-11-23.json"
    document = json.loads(open(download.path(), encoding="utf-8").read())
    assert [o["status"] for o in document["obligations"]] == ["late", "overdue"]


def test_bad_dates_show_the_error_summary_which_leads_to_the_field(page, assert_accessible):
    page.goto(URL)
    fill_date(page, "referral-received", "31", "2", "2026")
    fill_date(page, "initial-conference", "16", "", "2026")
    with page.expect_navigation():
        page.click("#check-dates")

    assert page.title() == "Error: Check a case timeline – Safeguard"
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    # GOV.UK Frontend moves focus to the summary so it is read out first.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    links = summary.locator("a")
    assert links.all_inner_texts() == [
        "The date the referral was received must be a real date",
        "The date of the initial child protection conference must include a month",
        "Select yes if the child became the subject of a child protection plan",
    ]
    assert page.inner_text("#referral-received-error").endswith(
        "The date the referral was received must be a real date"
    )
    assert page.input_value("#referral-received-day") == "31"
    assert page.input_value("#initial-conference-year") == "2026"
    page.screenshot(path=f"{SCREENSHOTS}/safeguard-errors.png")
    assert_accessible(page, "page with errors")

    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "initial-conference-month"
    links.nth(0).click()
    assert page.evaluate("document.activeElement.id") == "referral-received-day"


def test_upload_a_timeline_file(page, assert_accessible):
    timeline = {
        "events": [
            {"type": "referral_received", "date": "2026-08-28"},
            {"type": "referral_decision", "date": "2026-09-02", "outcome": "assessment"},
        ]
    }
    page.goto(URL)
    page.set_input_files(
        "#timeline-file",
        files=[{"name": "timeline.json", "mimeType": "application/json",
                "buffer": json.dumps(timeline).encode()}],
    )
    fill_date(page, "file-as-of", "23", "11", "2026")
    with page.expect_navigation():
        page.click("#check-file")
    assert [row[2] for row in result_rows(page)] == ["Overdue", "Late"]

    bad = {"events": [{"type": "referral_decision", "date": "2026-09-02"}]}
    page.set_input_files(
        "#timeline-file",
        files=[{"name": "bad.json", "mimeType": "application/json",
                "buffer": json.dumps(bad).encode()}],
    )
    with page.expect_navigation():
        page.click("#check-file")
    assert page.title().startswith("Error: ")
    link = page.locator(".govuk-error-summary a")
    assert link.inner_text().startswith("Event 0 (referral_decision), field 'outcome'")
    link.click()
    assert page.evaluate("document.activeElement.id") == "timeline-file"
    assert_accessible(page, "page with a file error")
