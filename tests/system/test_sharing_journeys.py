"""Information sharing in a real browser, with an accessibility check (axe) on every page:

(a) sharing with consent: the social worker records a decision to share with the police,
    the mother having agreed, and then a decision not to share the mother's health records
    with a housing officer, consent refused;
(b) sharing without consent: the error summary when the Article 6 basis is missing, then the
    record with the basis, the DPA 2018 Schedule 1 paragraph 18 reason, and the family not
    told with the reason;
(c) the conference chair sends the initial conference's report to two invited agencies from
    the conference page; the page lists what was sent to whom, and each agency's sharing
    record is complete;
(d) the social worker exports the case record for the receiving authority, to print.

People sign in by a session made with Django's test client, its cookie handed to the
browser (the sign-in page has journeys of its own). Dates count back from today.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client

from safeguard.core.dates import format_date, today
from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create, referral_decide
from safeguard.sharing.models import SharingDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, staff) -> None:
    client = Client()
    client.force_login(staff.user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def summary(page, selector: str = "#decision") -> dict[str, str]:
    """A summary list: key -> value."""
    rows = page.eval_on_selector_all(
        f"{selector} .govuk-summary-list__row",
        "rows => rows.map(r => [r.querySelector('dt').innerText.trim(), "
        "r.querySelector('dd').innerText.replace(/\\s+/g, ' ').trim()])")
    return dict(rows)


def fill_date(page, name: str, day: date) -> None:
    page.fill(f"#id_{name}-day", str(day.day))
    page.fill(f"#id_{name}-month", str(day.month))
    page.fill(f"#id_{name}-year", str(day.year))


def radio(page, name: str, value: str) -> None:
    page.check(f'input[name="{name}"][value="{value}"]')


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def case(north):
    received = today() - timedelta(days=20)
    referral = referral_create(
        actor=north["school_dsl"].user, received_on=received, source="2A",
        concerns="Bruising on the child's arms",
        child={"given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14)})
    referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                    decided_on=received, outcome="strategy_discussion",
                    reasons="Reasonable cause to suspect significant harm",
                    feedback_to_referrer="A strategy discussion will be held")
    return referral.case


def test_a_decision_to_share_with_consent_and_one_not_to(page, live_server, assert_accessible,
                                                          north, case):
    sign_in(page, live_server, north["social_worker"])
    page.goto(f"/sharing/cases/{case.pk}/new/")
    assert page.title() == "Record a decision to share information – Safeguard"
    assert_accessible(page, "sharing decision form")
    radio(page, "decision", "share")
    fill_date(page, "decided_on", today())
    page.fill("#id_what", "The outcome of the home visit")
    page.select_option("#id_with_agency", label="Northshire Police")
    page.fill("#id_with_whom", "DS Sarah Bennett")
    page.fill("#id_purpose", "To plan the joint visit")
    radio(page, "consent_sought", "yes")
    radio(page, "consent_given", "yes")
    radio(page, "person_told", "yes")
    submit(page, "form[method=post] button.govuk-button")
    assert page.title() == "Information sharing decision – Safeguard"
    shown = summary(page)
    assert shown["Decision"] == "Share" and shown["Date"] == format_date(today())
    assert shown["With"] == "Northshire Police – DS Sarah Bennett"
    assert shown["Consent"] == "Sought; given" and shown["Child or family told"] == "Yes"
    assert "Lawful basis" not in shown
    assert_accessible(page, "sharing decision")

    # A request to share declined: consent refused, and no reason to override it.
    page.goto(f"/sharing/cases/{case.pk}/new/")
    radio(page, "decision", "withhold")
    fill_date(page, "decided_on", today())
    page.fill("#id_what", "The mother's health records")
    page.fill("#id_with_whom", "Housing officer")
    page.fill("#id_purpose", "Asked for by the housing officer")
    radio(page, "consent_sought", "yes")
    radio(page, "consent_given", "no")
    radio(page, "person_told", "yes")
    submit(page, "form[method=post] button.govuk-button")
    shown = summary(page)
    assert shown["Decision"] == "Do not share" and shown["Consent"] == "Sought; not given"
    share, withhold = SharingDecision.objects.order_by("pk")
    assert (share.decision, share.with_agency, share.consent_given) == ("share", north.police,
                                                                        True)
    assert (withhold.decision, withhold.with_whom, withhold.consent_given) == (
        "withhold", "Housing officer", False)


def test_sharing_without_consent_names_the_lawful_basis(page, live_server, assert_accessible,
                                                        north, case):
    sign_in(page, live_server, north["social_worker"])
    page.goto(f"/sharing/cases/{case.pk}/new/")
    radio(page, "decision", "share")
    fill_date(page, "decided_on", today())
    page.fill("#id_what", "The police's concerns about the mother's partner")
    page.select_option("#id_with_agency", label="Northshire Hospitals NHS Foundation Trust")
    page.fill("#id_purpose", "So the named doctor can assess the injuries")
    radio(page, "consent_sought", "no")
    page.fill("#id_consent_not_sought_reason", "Seeking it would alert the partner")
    radio(page, "paragraph_18_reason", "would_prejudice")
    radio(page, "person_told", "no")
    page.fill("#id_person_not_told_reason", "A police investigation is under way")
    submit(page, "form[method=post] button.govuk-button")
    assert page.title() == "Error: Record a decision to share information – Safeguard"
    errors = page.inner_text(".govuk-error-summary")
    assert "Select the lawful basis under Article 6 of the UK GDPR" in errors
    assert_accessible(page, "sharing decision with an error")
    assert not SharingDecision.objects.exists()
    page.click(".govuk-error-summary a")
    radio(page, "article_6_basis", "6(1)(e)")
    submit(page, "form[method=post] button.govuk-button")
    shown = summary(page)
    assert shown["Lawful basis"] == "Public task (Article 6(1)(e))"
    assert shown["Without consent because"] == (
        "Seeking consent would prejudice the protection of the child")
    assert shown["Consent"] == "Not sought: Seeking it would alert the partner"
    assert shown["Child or family told"] == "No: A police investigation is under way"
    assert_accessible(page, "sharing decision without consent")
    record = SharingDecision.objects.get()
    assert record.without_consent and record.with_agency == north.trust


def _conference(north, case):
    """Strategy discussion, substantiated enquiries and an initial conference (by the
    services) inviting the police, health and the school: the conference."""
    from safeguard.protection.services import (
        conference_record,
        s47_outcome_record,
        strategy_discussion_record,
    )

    t = today()
    sw = north["social_worker"].user
    discussion = strategy_discussion_record(
        actor=sw, case_id=case.pk, held_on=t - timedelta(days=19), s47_initiated=True,
        criminal_investigation=False,
        attendees=[{"agency_id": north.la.pk, "staff_id": north["social_worker"].pk},
                   {"agency_id": north.police.pk, "name": "DS Sarah Bennett"},
                   {"agency_id": north.trust.pk, "staff_id": north["health"].pk}],
        decisions="Section 47 enquiries")
    s47_outcome_record(actor=sw, enquiry_id=discussion.enquiry.pk,
                       outcome_on=t - timedelta(days=15), substantiated=True, conference=True)
    return conference_record(
        actor=north["chair"].user, case_id=case.pk, kind="initial",
        held_on=t - timedelta(days=12), chair_id=north["chair"].pk, plan_decision=True,
        category="NEG", lead_social_worker_id=north["social_worker"].pk,
        summary="Neglect of the child's health needs; plan agreed",
        invitees=[{"agency_id": north.la.pk, "staff_id": north["social_worker"].pk},
                  {"agency_id": north.police.pk, "name": "DS Sarah Bennett"},
                  {"agency_id": north.trust.pk, "staff_id": north["health"].pk},
                  {"agency_id": north.schools[0].pk, "name": "Mark Evans", "role": "DSL"}],
        core_group=[{"agency_id": north.schools[0].pk, "name": "Mark Evans"}])


def test_the_chair_sends_the_conference_report(page, live_server, assert_accessible, north,
                                               case):
    conference = _conference(north, case)
    sign_in(page, live_server, north["chair"])
    page.goto(f"/protection/conferences/{conference.pk}/")
    with page.expect_navigation():
        page.click("#send-report-link")
    assert page.title() == "Send the conference’s report – Safeguard"
    report = summary(page, "#report")
    assert report["Category of abuse"] == "Neglect"
    assert "Mark Evans (Northshire Primary School)" in report["Core group"]
    assert report["Next review conference due"] != "Not yet known"
    assert page.input_value("#id_purpose").startswith("So that each agency working with")
    assert_accessible(page, "send the conference report")
    page.get_by_label("Northshire Police (DS Sarah Bennett)").check()
    page.get_by_label("Northshire Primary School (Mark Evans, DSL)").check()
    radio(page, "consent_sought", "yes")
    radio(page, "consent_given", "yes")
    radio(page, "person_told", "yes")
    submit(page, "#send-report")

    assert page.url.endswith(f"/protection/conferences/{conference.pk}/")
    assert "Report sent to 2 agencies" in page.inner_text(".govuk-notification-banner")
    sent = page.eval_on_selector_all(
        "#reports-sent tbody tr", "rows => rows.map(r => r.cells[1].innerText.trim())")
    assert sorted(sent) == ["Northshire Police", "Northshire Primary School"]
    assert_accessible(page, "conference with the report sent")
    with page.expect_navigation():
        page.click("#reports-sent tbody tr:first-child a")
    shown = summary(page)
    assert shown["Made by"] == "Conference report sent"
    assert shown["Decided by"] == "Helen Morris, Conference chair, Northshire Council"
    assert shown["Consent"] == "Sought; given"
    assert_accessible(page, "a sharing record made by sending the report")

    records = list(SharingDecision.objects.order_by("with_agency__name"))
    assert [r.with_agency for r in records] == [north.police, north.schools[0]]
    for record in records:
        assert record.decision == "share" and record.action == "conference_report"
        assert record.purpose and record.what and record.consent_given and record.person_told
        assert record.decided_by == north["chair"]
        assert {"type": "conference", "id": conference.pk} in record.items


def test_a_case_record_exported_to_print(page, live_server, assert_accessible, north, case):
    """(d) The export: for the receiving authority, a page to print, with its record."""
    south = build_area("Southshire", "902", "south")
    sign_in(page, live_server, north["social_worker"])
    page.goto(f"/sharing/cases/{case.pk}/export/")
    assert page.title() == "Export the case record – Safeguard"
    assert_accessible(page, "export form")
    page.select_option("#id_with_agency", label="Southshire Council")
    page.get_by_label("The chronology: every recorded event, with its date and agency").check()
    radio(page, "format", "html")
    page.fill("#id_purpose", "The child has moved to Southshire")
    radio(page, "consent_sought", "yes")
    radio(page, "consent_given", "yes")
    radio(page, "person_told", "yes")
    submit(page, "#export")
    assert page.title() == f"Case record {case.reference} – Safeguard"
    assert summary(page, "#export-for")["For"] == "Southshire Council"
    assert page.locator("#export-chronology tbody tr").count() >= 1
    assert_accessible(page, "exported case record")
    record = SharingDecision.objects.get()
    assert (record.with_agency, record.action) == (south.la, "case_export")
