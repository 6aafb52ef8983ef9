"""The front door in a real browser, with an accessibility check (axe) on every page:

(a) a referral from a school decided within a day: the school's designated safeguarding lead
    signs in and makes a referral; the front door worker sees it in the queue with its due
    date; a social worker decides (an assessment) with feedback, through check answers; the
    manager authorises; the school sees the decision and the feedback; the case page shows
    the decision duty met;
(b) two people editing one record: two browsers open the same decision, both submit; the
    second is told someone else changed it, with the decision as it is now and their own
    answers kept, and nothing is overwritten;
(c) drafts: answers typed are kept as the person types and put back when they come back.

Everyone signs in through the sign-in page. Dates come from the clock and the statutory
engine, never typed in by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from safeguard.cases.models import Obligation
from safeguard.core.dates import format_date, today
from safeguard.core.models import Draft
from safeguard.demo.areas import DEMO_PASSWORD, build_area
from safeguard.referrals.models import Referral, ReferralDecision
from safeguard.referrals.services import referral_create, referral_decide
from safeguard.testing.two_factor import give_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp"


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def new_page(browser, live_server) -> Iterator[object]:
    """``new_page()``: a page in a browser context of its own (another person's browser),
    failing the test on any HTTP error, script error or console error."""
    contexts = []
    problems: list[str] = []

    def make():
        context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                      timezone_id="Europe/London",
                                      viewport={"width": 1200, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
                if r.status >= 400 and r.status != 409 else None)
        page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" and "409" not in m.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


def sign_in(page, username: str) -> None:
    page.goto("/")
    assert page.url.endswith("/sign-in?next=/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#sign-in")
    give_second_factor(page, username)  # north-manager's role must give a code


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def fill_date(page, name: str, day: date) -> None:
    page.fill(f"#id_{name}-day", str(day.day))
    page.fill(f"#id_{name}-month", str(day.month))
    page.fill(f"#id_{name}-year", str(day.year))


def rows(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.replace(/\\s+/g, ' ').trim()))",
    )


def summary(page, selector: str) -> dict[str, str]:
    return dict(page.eval_on_selector_all(
        f"{selector} .govuk-summary-list__row",
        "rows => rows.map(r => [r.querySelector('dt').innerText.trim(),"
        " r.querySelector('dd').innerText.replace(/\\s+/g, ' ').trim()])"))


def test_a_referral_from_a_school_decided_within_a_day(north, new_page, assert_accessible):
    # The school's designated safeguarding lead makes a referral.
    school = new_page()
    sign_in(school, "north-school_dsl")
    assert school.title() == "Home – Safeguard"
    assert_accessible(school, "partner's home page")
    submit(school, "text=Make a referral")
    assert school.title() == "Make a referral – Safeguard"
    assert_accessible(school, "referral form")
    # A mistyped NHS number is shown against its field, and nothing is sent.
    school.fill("#id_given_name", "Ava")
    school.fill("#id_family_name", "Turner")
    fill_date(school, "date_of_birth", date(2015, 3, 14))
    school.fill("#id_nhs_number", "943 476 5918")
    school.fill("#id_concerns", "Ava has bruises on both arms and said her stepfather hurt her.")
    submit(school, "#send-referral")
    assert school.title() == "Error: Make a referral – Safeguard"
    assert school.locator(".govuk-error-summary a").all_inner_texts() == [
        "NHS number is not valid: check the digits"]
    assert school.input_value("#id_concerns").startswith("Ava has bruises")
    assert_accessible(school, "referral form with an error")
    assert not Referral.objects.exists()
    school.fill("#id_nhs_number", "943 476 5919")
    submit(school, "#send-referral")
    referral = Referral.objects.get()
    due = Obligation.objects.get(case=referral.case, duty="referral.decision").due
    assert "Referral sent" in school.inner_text(".govuk-notification-banner")
    assert f"by {format_date(due)}" in school.inner_text(".govuk-notification-banner")
    assert_accessible(school, "referral sent")

    # The front door worker sees it in the queue, due within one working day.
    front_door = new_page()
    sign_in(front_door, "north-front_door")
    submit(front_door, "nav >> text=Front door")
    [row] = rows(front_door, "#queue")
    assert row[0].startswith("Ava Turner")
    assert row[1] == format_date(today())
    assert row[2].startswith("Northshire Primary School")
    assert row[3:6] == [format_date(due), "Due", "0"]
    front_door.screenshot(path=f"{SCREENSHOTS}/safeguard-front-door.png", full_page=True)
    assert_accessible(front_door, "front door queue")

    # A social worker decides: an assessment, with feedback to the school.
    worker = new_page()
    sign_in(worker, "north-social_worker")
    worker.goto("/referrals/queue/")
    submit(worker, "#queue >> text=Decide")
    assert worker.title() == "Decide on next steps – Safeguard"
    assert_accessible(worker, "decision form")
    submit(worker, "#continue")  # nothing chosen yet
    assert worker.title() == "Error: Decide on next steps – Safeguard"
    assert "Select the decision on next steps" in worker.inner_text(".govuk-error-summary")
    assert_accessible(worker, "decision form with errors")
    worker.get_by_label("Assessment under section 17").check()
    worker.fill("#id_reasons", "Injuries and a disclosure: the child is in need.")
    worker.fill("#id_feedback_to_referrer", "Thank you. A social worker will assess Ava.")
    worker.check("#id_family_informed-2")  # No: the reason is revealed
    assert worker.is_visible("#id_family_not_informed_reason")
    worker.fill("#id_family_not_informed_reason", "Telling the stepfather may put Ava at risk")
    submit(worker, "#continue")
    assert worker.title() == "Check your answers before recording the decision – Safeguard"
    answers = summary(worker, "#answers")
    assert answers["Decision"].startswith("Assessment under section 17")
    assert answers["Family told"].startswith("No: Telling the stepfather")
    assert_accessible(worker, "check answers")
    submit(worker, "#record-decision")
    assert "Decision recorded" in worker.inner_text(".govuk-notification-banner")
    decision = ReferralDecision.objects.get()
    assert (decision.outcome, decision.decided_on, decision.authorised_by) == (
        "assessment", today(), None)
    assert not Draft.objects.exists()  # the answers were the draft: gone once recorded

    # The manager authorises it.
    manager = new_page()
    sign_in(manager, "north-manager")
    manager.goto(f"/referrals/{referral.pk}/")
    assert_accessible(manager, "referral for the manager")
    submit(manager, "#authorise")
    assert "Decision authorised" in manager.inner_text(".govuk-notification-banner")
    assert summary(manager, "#decision")["Authorised"] == (
        f"Priya Shah on {format_date(today())}")

    # The school sees the decision and the feedback (not the internal reasons).
    school.goto("/")
    [mine] = rows(school, "#my-referrals")
    assert mine[2] == "Assessment under section 17"
    submit(school, "#my-referrals >> text=Ava Turner")
    seen = summary(school, "#decision")
    assert seen["Decision"] == "Assessment under section 17"
    assert seen["Feedback to the referrer"] == "Thank you. A social worker will assess Ava."
    assert "Reasons" not in seen and "Family told" not in seen
    assert_accessible(school, "the school's view of the decision")

    # The case page: the decision duty met, the assessment now due, overdue first.
    worker.goto(f"/cases/{referral.case_id}/")
    duties = worker.eval_on_selector_all(
        "#obligations tbody tr",
        "rows => rows.map(r => [r.dataset.duty, ...[...r.cells].map(c => c.innerText.trim())])")
    decided = [d for d in duties if d[0] == "referral.decision"]
    assert [d[2:6] for d in decided] == [[format_date(due), "Met", format_date(today()), "0"]]
    assert [d[0] for d in duties] == ["referral.decision", "assessment.complete"]
    assert worker.locator("#chronology-table").inner_text().count("Referral") >= 2
    worker.screenshot(path=f"{SCREENSHOTS}/safeguard-case.png", full_page=True)
    assert_accessible(worker, "case page")

    # Signing out is a button in the navigation.
    submit(school, "nav >> text=Sign out")
    assert "You have signed out" in school.inner_text(".govuk-notification-banner")
    school.goto("/")
    assert "/sign-in" in school.url


def test_two_people_editing_one_decision(north, new_page, assert_accessible):
    referral = referral_create(
        actor=north["front_door"].user, received_on=today(), source="6",
        concerns="Police attended a domestic abuse incident", child={
            "given_name": "Leo", "family_name": "Price", "date_of_birth": date(2019, 6, 1)})
    referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                    decided_on=today(), outcome="early_help", reasons="First view",
                    family_informed=True)
    first, second = new_page(), new_page()
    sign_in(first, "north-social_worker")
    sign_in(second, "north-social_worker_2")
    for page in (first, second):
        page.goto(f"/referrals/{referral.pk}/decision/")
        assert page.input_value("#id_reasons") == "First view"
    first.get_by_label("Assessment under section 17").check()
    first.fill("#id_reasons", "Amara's view: an assessment")
    second.get_by_label("No further action", exact=True).check()
    second.fill("#id_reasons", "Ben's view: no further action")
    second.fill("#id_feedback_to_referrer", "Thank you; no further action")
    for page in (first, second):
        submit(page, "#continue")
    submit(first, "#record-decision")
    assert "Decision recorded" in first.inner_text(".govuk-notification-banner")

    submit(second, "#record-decision")
    assert second.title() == "Error: Decide on next steps – Safeguard"
    assert second.inner_text(".govuk-error-summary").count("Someone else changed this record")
    current = summary(second, "#current-decision")
    assert current["Reasons"] == "Amara's view: an assessment"
    assert current["Decision"] == "Assessment under section 17"
    # Their own answers are kept, to save knowingly or leave.
    assert second.input_value("#id_reasons") == "Ben's view: no further action"
    assert second.is_checked("#id_outcome-5")
    second.screenshot(path=f"{SCREENSHOTS}/safeguard-conflict.png", full_page=True)
    assert_accessible(second, "edit conflict")
    decision = ReferralDecision.objects.get()
    assert (decision.outcome, decision.reasons) == ("assessment", "Amara's view: an assessment")

    # Saving again now is a knowing choice, made against the version they were shown.
    submit(second, "#continue")
    submit(second, "#record-decision")
    decision.refresh_from_db()
    assert (decision.outcome, decision.reasons) == ("no_further_action",
                                                    "Ben's view: no further action")


def test_answers_are_kept_as_a_draft_and_put_back(north, new_page, assert_accessible):
    page = new_page()
    sign_in(page, "north-police")
    page.goto("/referrals/new/")
    page.fill("#id_family_name", "Hughes")
    page.fill("#id_concerns", "Neighbours heard a child screaming late at night")
    page.press("#id_concerns", "Tab")  # a change: saved at once
    page.wait_for_selector("text=Draft saved at")
    draft = Draft.objects.get(form="referral-new")
    assert draft.data["family_name"] == ["Hughes"]
    assert "csrfmiddlewaretoken" not in draft.data

    # The session ends (a time-out, say); after signing in again the answers are back.
    page.context.clear_cookies()
    sign_in(page, "north-police")
    page.goto("/referrals/new/")
    banner = page.inner_text(".govuk-notification-banner")
    assert "We restored answers you had not submitted, saved at" in banner
    assert page.input_value("#id_concerns") == "Neighbours heard a child screaming late at night"
    assert_accessible(page, "restored referral form")

    # "Save as draft" works without the module too: it is an ordinary submit button.
    page.fill("#id_given_name", "Sam")
    submit(page, "#save-draft")
    assert "Your answers were saved as a draft" in page.inner_text(".govuk-notification-banner")
    assert page.input_value("#id_given_name") == "Sam"
