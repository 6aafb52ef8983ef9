"""Child protection in a real browser, with an accessibility check on every page:

1. a strategy discussion (with the police and health) → section 47 enquiries → initial
   conference → plan → core group → review (the plan continues) → the plan ended, checking
   at each step that the duties the pages show are the statutory engine's for the case;
2. a strategy discussion without the police is refused with the error summary, and nothing
   is recorded.

People sign in by a session made with Django's test client (the sign-in page is tested on
its own), its cookie handed to the browser.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from safeguard.cases.timeline import case_timeline
from safeguard.core.dates import format_date, today
from safeguard.demo.areas import build_area
from safeguard.protection.models import ChildProtectionPlan, StrategyDiscussion
from safeguard.referrals.services import referral_create, referral_decide
from safeguard.statutory import compute_obligations, parse_timeline
from safeguard.web.presenters import STATUSES

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


def fill_date(page, name: str, day: date) -> None:
    page.fill(f"#id_{name}-day", str(day.day))
    page.fill(f"#id_{name}-month", str(day.month))
    page.fill(f"#id_{name}-year", str(day.year))


def table(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.replace(/\\s+/g, ' ').trim()))",
    )


def shown_duties(page, selector: str = "#duties") -> dict[str, tuple[str, str]]:
    """The duties table: title -> (due, status)."""
    return {re.split(r" WT20\d\d", row[0])[0]: (row[1], row[2])
            for row in table(page, selector)}


def engine_duties(case, duties: set[str]) -> dict[str, tuple[str, str]]:
    """What the statutory engine gives for the case today (the latest of each duty)."""
    result = {}
    for o in compute_obligations(parse_timeline(case_timeline(case)), today()):
        if o.duty in duties:
            due = "No fixed deadline" if o.due is None else format_date(o.due)
            result[o.title] = (due, STATUSES[o.status].label)
    return result


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def days():
    """The journey's dates, counted back from today (a person cannot record the future)."""
    t = today()
    return {"referral": t - timedelta(days=20), "strategy": t - timedelta(days=19),
            "outcome": t - timedelta(days=15), "icpc": t - timedelta(days=12),
            "core_group": t - timedelta(days=5), "review": t - timedelta(days=2), "end": t}


@pytest.fixture
def case(north, days):
    referral = referral_create(
        actor=north["school_dsl"].user, received_on=days["referral"], source="2A",
        concerns="Bruising on the child's arms",
        child={"given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14)})
    referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                    decided_on=days["referral"], outcome="strategy_discussion",
                    reasons="Reasonable cause to suspect significant harm",
                    feedback_to_referrer="A strategy discussion will be held")
    return referral.case


def fill_strategy(page, north, day: date, *, police: bool) -> None:
    fill_date(page, "held_on", day)
    page.get_by_label("Amara Okafor, social worker").check()
    rows = [("Northshire Hospitals NHS Foundation Trust", "Dr Grace Adeyemi", "Named doctor")]
    if police:
        rows.append(("Northshire Police", "DS Sarah Bennett", "Detective sergeant"))
    for number, (agency, name, role) in enumerate(rows, start=1):
        page.select_option(f"#id_attendee_{number}_agency", label=agency)
        page.fill(f"#id_attendee_{number}_name", name)
        page.fill(f"#id_attendee_{number}_role", role)
    page.check("#id_s47_initiated")  # Yes
    page.check("#id_criminal_investigation")  # Yes
    page.fill("#id_decisions", "Section 47 enquiries; joint visit with the police today")
    page.fill("#id_action_1_text", "Joint visit to the child")
    page.select_option("#id_action_1_owner", label="Northshire Police")
    fill_date(page, "action_1_due", day)


def test_strategy_discussion_to_the_end_of_the_plan(page, live_server, assert_accessible,
                                                    north, case, days):
    protection_duties = {"icpc.hold", "cpp.core-group", "cpp.first-review",
                         "cpp.later-reviews", "cpp.end-at-18"}

    # The social worker records the strategy discussion.
    sign_in(page, live_server, north["social_worker"])
    page.goto(f"/protection/cases/{case.pk}/")
    assert page.title() == "Child protection – Safeguard"
    assert_accessible(page, "case protection page")
    page.get_by_role("link", name="A strategy discussion").click()
    assert page.title() == "Record a strategy discussion – Safeguard"
    assert_accessible(page, "strategy discussion form")
    fill_strategy(page, north, days["strategy"], police=True)
    page.click("#save")

    assert page.title() == "Strategy discussion – Safeguard"
    assert "Strategy discussion recorded" in page.inner_text(".govuk-notification-banner")
    assert table(page, "#attendees")[:3] == [
        ["Northshire Council", "Amara Okafor", "Social worker"],
        ["Northshire Hospitals NHS Foundation Trust", "Dr Grace Adeyemi", "Named doctor"],
        ["Northshire Police", "DS Sarah Bennett", "Detective sergeant"],
    ]
    assert shown_duties(page) == engine_duties(case, {"icpc.hold"})
    assert "Hold the initial child protection conference" in shown_duties(page)
    assert_accessible(page, "strategy discussion")

    # The outcome of the enquiries: substantiated, a conference to be convened.
    page.click("#record-outcome")
    assert_accessible(page, "section 47 outcome form")
    fill_date(page, "outcome_on", days["outcome"])
    page.check("#id_substantiated")
    page.check("#id_conference")
    page.click("#save")
    assert "Concerns substantiated" in page.inner_text("#enquiry")
    assert page.is_visible("#record-conference")

    # The chair records the initial conference, which makes the child subject of a plan.
    sign_in(page, live_server, north["chair"])
    page.goto(f"/protection/cases/{case.pk}/conferences/new/?kind=initial")
    assert page.title() == "Record an initial child protection conference – Safeguard"
    assert_accessible(page, "conference form")
    fill_date(page, "held_on", days["icpc"])
    page.select_option("#id_chair", label="Helen Morris, conference chair")
    invited = [
        ("Northshire Council", "Amara Okafor", ["#id_invitee_1_flags", "#id_invitee_1_flags-2"]),
        ("Northshire Police", "DS Sarah Bennett", ["#id_invitee_2_flags", "#id_invitee_2_flags-2",
                                                   "#id_invitee_2_flags-3"]),
        ("Northshire Hospitals NHS Foundation Trust", "Dr Grace Adeyemi",
         ["#id_invitee_3_flags", "#id_invitee_3_flags-3"]),
        ("Northshire Road Surgery", "Dr Patel", ["#id_invitee_4_flags-2"]),
        ("Northshire Primary School", "Mark Evans", ["#id_invitee_5_flags"]),
    ]
    for number, (agency, name, boxes) in enumerate(invited, start=1):
        page.select_option(f"#id_invitee_{number}_agency", label=agency)
        page.fill(f"#id_invitee_{number}_name", name)
        for box in boxes:
            page.check(box)
    page.check("#id_plan_decision")  # Yes
    page.get_by_label("Physical abuse").check()
    page.select_option("#id_lead_social_worker", label="Amara Okafor, social worker")
    page.click("#save")

    assert page.title() == "Initial child protection conference – Safeguard"
    assert table(page, "#invitees")[3] == ["Northshire Road Surgery", "Dr Patel", "No", "Yes"]
    assert shown_duties(page) == engine_duties(case, protection_duties)
    assert shown_duties(page)["Hold the initial child protection conference"][1] == "Met"
    assert "Hold the first core group meeting" in shown_duties(page)
    assert_accessible(page, "conference")
    page.click("#plan-link")
    assert page.title() == "Child protection plan – Safeguard"
    assert [row[0] for row in table(page, "#core-group")] == [
        "Northshire Council", "Northshire Police", "Northshire Hospitals NHS Foundation Trust"]
    assert_accessible(page, "plan")
    plan_url = page.url

    # A health practitioner in the core group records its first meeting.
    sign_in(page, live_server, north["health"])
    page.goto(plan_url)
    assert not page.is_visible("#end-plan")  # ending the plan is the local authority's
    page.click("#record-core-group")
    assert_accessible(page, "core group form")
    fill_date(page, "held_on", days["core_group"])
    page.fill("#id_notes", "Plan developed; paediatric follow-up agreed")
    page.click("#save")
    assert page.title() == "Child protection plan – Safeguard"
    assert table(page, "#core-group-meetings") == [
        [format_date(days["core_group"]), "Plan developed; paediatric follow-up agreed"]]
    duties = shown_duties(page)
    assert duties["Hold the first core group meeting"][1] == "Met"
    assert duties == engine_duties(case, {d for d in protection_duties if d != "icpc.hold"})

    # The chair records the review: the plan continues.
    sign_in(page, live_server, north["chair"])
    page.goto(f"/protection/cases/{case.pk}/conferences/new/?kind=review")
    assert page.title() == "Record a child protection review conference – Safeguard"
    assert_accessible(page, "review form")
    fill_date(page, "held_on", days["review"])
    page.select_option("#id_chair", label="Helen Morris, conference chair")
    page.select_option("#id_invitee_1_agency", label="Northshire Police")
    page.fill("#id_invitee_1_name", "DS Sarah Bennett")
    page.check("#id_invitee_1_flags")
    page.check("#id_plan_decision")  # Yes: the plan continues
    page.click("#save")
    assert page.title() == "Child protection review conference – Safeguard"
    assert "The plan continues" in page.inner_text("#conference")
    page.click("#plan-link")
    duties = shown_duties(page)
    assert duties["Hold the first child protection review conference"][1] == "Met"
    assert duties["Hold the next child protection review conference"][1] == "Due"
    assert duties == engine_duties(case, {d for d in protection_duties if d != "icpc.hold"})

    # The social worker ends the plan: the child is no longer at risk.
    sign_in(page, live_server, north["social_worker"])
    page.goto(plan_url)
    page.click("#end-plan")
    assert page.title() == "End the child protection plan – Safeguard"
    assert page.inner_text("#to-notify").splitlines() == [
        "Northshire Council", "Northshire Hospitals NHS Foundation Trust", "Northshire Police",
        "Northshire Primary School", "Northshire Road Surgery"]
    assert_accessible(page, "end the plan form")
    page.get_by_label("No longer at risk of significant harm").check()
    fill_date(page, "ended_on", days["end"])
    page.click("#save")
    assert page.title() == "Child protection plan – Safeguard"
    assert page.inner_text("#plan-status") == "Ended"
    assert [row[0] for row in table(page, "#end-notifications")] == [
        "Northshire Council", "Northshire Hospitals NHS Foundation Trust", "Northshire Police",
        "Northshire Primary School", "Northshire Road Surgery"]
    page.screenshot(path=f"{SCREENSHOTS}/safeguard-plan-ended.png", full_page=True)
    assert_accessible(page, "ended plan")
    plan = ChildProtectionPlan.objects.get(case=case)
    assert (plan.ended_on, plan.end_reason) == (days["end"], "no_longer_at_risk")

    # The case's protection page: no current plan; the duties are the engine's.
    page.goto(f"/protection/cases/{case.pk}/")
    assert "not the subject of a child protection plan" in page.inner_text("main")
    assert shown_duties(page) == engine_duties(case, protection_duties)
    # The case page, where it exists, shows the same case.
    try:
        resolve(f"/cases/{case.pk}/")
    except Resolver404:
        return
    page.goto(f"/cases/{case.pk}/")
    assert "Ava Turner" in page.inner_text("main")


def test_a_strategy_discussion_without_the_police_is_refused(page, live_server,
                                                             assert_accessible, north, case,
                                                             days):
    sign_in(page, live_server, north["social_worker"])
    page.goto(f"/protection/cases/{case.pk}/strategy-discussions/new/")
    fill_strategy(page, north, days["strategy"], police=False)
    with page.expect_navigation():  # the refusal is a new page: read it once it is there
        page.click("#save")

    assert page.title() == "Error: Record a strategy discussion – Safeguard"
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert summary.locator("a").all_inner_texts() == ["Add an attendee from the police"]
    assert page.inner_text("#partners-error").endswith("Add an attendee from the police")
    # What was typed is still there to correct.
    assert page.input_value("#id_attendee_1_name") == "Dr Grace Adeyemi"
    assert page.is_checked("#id_s47_initiated")
    page.screenshot(path=f"{SCREENSHOTS}/safeguard-strategy-refused.png", full_page=True)
    assert_accessible(page, "refused strategy discussion")
    summary.locator("a").first.click()
    assert page.url.endswith("#id_partners")
    assert not StrategyDiscussion.objects.exists()

    # Adding the police, it is recorded.
    page.select_option("#id_attendee_2_agency", label="Northshire Police")
    page.fill("#id_attendee_2_name", "DS Sarah Bennett")
    page.click("#save")
    assert page.title() == "Strategy discussion – Safeguard"
    assert StrategyDiscussion.objects.count() == 1


def test_the_other_protection_pages_are_accessible(page, live_server, assert_accessible,
                                                   north, case, days):
    """Every other page of the app, empty and with errors, passes axe."""
    from safeguard.protection.services import (
        conference_record,
        s47_outcome_record,
        strategy_discussion_record,
    )

    sw = north["social_worker"].user
    discussion = strategy_discussion_record(
        actor=sw, case_id=case.pk, held_on=days["strategy"], s47_initiated=True,
        criminal_investigation=False, decisions="Enquiries",
        attendees=[{"agency_id": north.la.pk, "staff_id": north["social_worker"].pk},
                   {"agency_id": north.police.pk, "name": "DS Bennett"},
                   {"agency_id": north.gp.pk, "name": "Dr Patel"}])
    enquiry = s47_outcome_record(actor=sw, enquiry_id=discussion.enquiry.pk,
                                 outcome_on=days["outcome"], substantiated=False,
                                 conference=False)
    sign_in(page, live_server, north["social_worker"])
    for path in (f"/protection/cases/{case.pk}/immediate-protection/new/",
                 f"/protection/cases/{case.pk}/moved-in/new/",
                 f"/protection/cases/{case.pk}/return-home/new/"):
        page.goto(path)
        assert_accessible(page, path)
        page.click("#save")
        assert page.title().startswith("Error: ")
        assert_accessible(page, f"{path} with errors")

    sign_in(page, live_server, north["police"])
    page.goto(f"/protection/strategy-discussions/{discussion.pk}/")
    page.click("#ask-conference")
    assert_accessible(page, "conference request form")
    page.fill("#id_reasons", "A second disclosure to officers")
    page.click("#save")
    assert "A second disclosure to officers" in page.inner_text("#conference-request")

    sign_in(page, live_server, north["manager"])
    page.goto("/protection/conference-requests/")
    assert table(page, "#conference-requests")[0][2] == "Northshire Police"
    assert_accessible(page, "conference requests")

    conference = conference_record(
        actor=sw, case_id=case.pk, kind="initial", held_on=days["icpc"],
        chair_id=north["chair"].pk, plan_decision=True, category="NEG",
        lead_social_worker_id=north["social_worker"].pk,
        invitees=[{"agency_id": north.police.pk, "name": "DS Bennett", "attended": True}])
    assert conference.enquiry == enquiry
    plan = conference.plan_started
    page.goto(f"/protection/plans/{plan.pk}/outcomes/")
    assert_accessible(page, "plan outcomes form")
    page.fill("#id_outcomes", "The child is fed, clean and at school every day")
    page.click("#save")
    page.click("#add-action")
    assert_accessible(page, "plan action form")
    page.fill("#id_action", "Daily attendance check")
    page.select_option("#id_owner_agency", label="Northshire Primary School")
    page.click("#save")
    assert table(page, "#plan-actions")[0][:2] == ["Daily attendance check",
                                                   "Northshire Primary School"]
    page.get_by_role("button", name="Mark as done").click()
    assert table(page, "#plan-actions")[0][3].startswith("Done")
    assert_accessible(page, "plan with an action done")
    page.goto(f"/protection/cases/{case.pk}/")
    assert_accessible(page, "case protection page with a plan")
