"""The front door's pages through Django's test client: the GOV.UK error pattern on bad
input with nothing changed, the queue, the decision with check answers and its versions,
authorisation, and who may see what."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.test import Client

from safeguard.cases.models import Case, Involvement, Obligation
from safeguard.core.models import AuditEntry, Draft
from safeguard.demo.areas import build_area
from safeguard.referrals.models import Referral, ReferralDecision
from safeguard.referrals.services import referral_create, referral_decide

pytestmark = [pytest.mark.django_db, pytest.mark.db]

CHILD = {"given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14)}
FORM_CHILD = {"given_name": "Ava", "family_name": "Turner", "date_of_birth-day": "14",
              "date_of_birth-month": "3", "date_of_birth-year": "2015",
              "concerns": "Bruises on both arms"}
DECISION = {"decided_on-day": "24", "decided_on-month": "11", "decided_on-year": "2026",
            "outcome": "assessment", "reasons": "Injuries and a disclosure",
            "feedback_to_referrer": "An assessment will start", "family_informed": "yes",
            "version": "0"}


@pytest.fixture(autouse=True)
def clock():
    # Tuesday 24 November 2026, 10:00 in London.
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


def as_(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def school_referral(north, **child) -> Referral:
    return referral_create(actor=north["school_dsl"].user, concerns="Bruises",
                           child={**CHILD, **child})


def error_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [(href, " ".join(text.split()))
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary, re.S)]


# ---- making a referral ---------------------------------------------------------------------


def test_a_school_makes_a_referral(north) -> None:
    client = as_(north["school_dsl"])
    page = client.get("/referrals/new/").content.decode()
    assert "Referral source" not in page  # a partner's source is their agency's
    response = client.post("/referrals/new/", {**FORM_CHILD, "nhs_number": "943 476 5919",
                                               "upn": "B801200005001"})
    referral = Referral.objects.get()
    assert response["Location"] == f"/referrals/{referral.pk}/?sent=1"
    assert (referral.source, referral.received_on, referral.referrer_agency) == (
        "2A", date(2026, 11, 24), north.schools[0])
    child = referral.case.child
    assert (child.nhs_number, child.upn) == ("9434765919", "B801200005001")
    assert Involvement.objects.filter(case=referral.case, staff=north["school_dsl"]).exists()
    html = client.get(response["Location"]).content.decode()
    assert "Referral sent" in html and "by 25 November 2026" in html


@pytest.mark.parametrize("bad, field, message", [
    ({"nhs_number": "943 476 5918"}, "nhs_number", "NHS number is not valid: check the digits"),
    ({"nhs_number": "12345"}, "nhs_number", "NHS number must be 10 digits, like 943 476 5919"),
    ({"upn": "B801200005002"}, "upn",
     "Unique pupil number is not valid: check the letter and digits"),
    ({"family_name": ""}, "family_name", "Enter the child’s last name"),
    ({"concerns": "  "}, "concerns", "Enter the concerns about the child"),
    ({"date_of_birth-day": "", "date_of_birth-month": "", "date_of_birth-year": ""},
     "date_of_birth-day",
     "Enter the child’s date of birth, or the expected date of birth if the child is not born "
     "yet"),
    ({"date_of_birth-day": "31", "date_of_birth-month": "2"}, "date_of_birth-day",
     "Date of birth must be a real date"),
])
def test_bad_input_shows_the_error_on_its_field_and_changes_nothing(north, bad, field,
                                                                     message) -> None:
    response = as_(north["school_dsl"]).post("/referrals/new/", {**FORM_CHILD, **bad})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Make a referral – Safeguard</title>" in html
    assert error_links(html) == [(f"#id_{field}", message)]
    assert f'id="id_{field.split("-")[0]}-error"' in html  # the inline message
    assert "Bruises on both arms" in html or bad.get("concerns") == "  "
    assert not Referral.objects.exists() and not Case.objects.exists()


def test_an_unborn_child(north) -> None:
    as_(north["health"]).post("/referrals/new/", {
        "family_name": "Okoro", "expected_date_of_birth-day": "1",
        "expected_date_of_birth-month": "2", "expected_date_of_birth-year": "2027",
        "concerns": "Mother disclosed domestic abuse at the antenatal booking"})
    child = Referral.objects.get().case.child
    assert child.is_unborn and child.expected_date_of_birth == date(2027, 2, 1)
    assert Referral.objects.get().source == "3F"


def test_the_front_door_records_a_phoned_in_referral(north, south) -> None:
    client = as_(north["front_door"])
    page = client.get("/referrals/new/").content.decode()
    assert "Referral source" in page and "Northshire Police" in page
    assert "Southshire Police" not in page  # only the area's agencies
    response = client.post("/referrals/new/", {
        **FORM_CHILD, "received_on-day": "23", "received_on-month": "11",
        "received_on-year": "2026", "source": "6", "referrer_agency": str(north.police.pk),
        "referrer_name": "PC Bennett", "referrer_contact": "101"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.source, referral.received_on, referral.referrer_agency,
            referral.received_by) == ("6", date(2026, 11, 23), north.police, north["front_door"])
    # An agency of another area is refused (naming it would show them the case).
    response = client.post("/referrals/new/", {
        **FORM_CHILD, "received_on-day": "23", "received_on-month": "11",
        "received_on-year": "2026", "source": "6", "referrer_agency": str(south.police.pk)})
    assert "Select referring agency" in response.content.decode()
    assert Referral.objects.count() == 1


def test_a_front_door_referral_received_in_the_future_is_refused(north) -> None:
    response = as_(north["front_door"]).post("/referrals/new/", {
        **FORM_CHILD, "received_on-day": "25", "received_on-month": "11",
        "received_on-year": "2026", "source": "6"})
    assert error_links(response.content.decode()) == [
        ("#id_received_on-day", "Date the referral was received must be today or in the past")]
    assert not Referral.objects.exists()


def test_a_role_that_cannot_refer(north) -> None:
    response = as_(north["partnership"]).get("/referrals/new/")
    assert response.status_code == 403
    assert "You cannot make referrals" in response.content.decode()


# ---- the queue -----------------------------------------------------------------------------


def test_the_queue_shows_the_due_date_and_status(north, south) -> None:
    late = referral_create(actor=north["front_door"].user, received_on=date(2026, 11, 19),
                           source="6", concerns="x", child={**CHILD, "given_name": "Ben"})
    fresh = school_referral(north)
    html = as_(north["front_door"]).get("/referrals/queue/").content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html.split("<tbody")[1], re.S)
    text = [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]
    assert text[0].startswith("Ben Turner")  # the most urgent first
    assert "19 November 2026" in text[0] and "20 November 2026 Overdue 2 Decide" in text[0]
    assert "25 November 2026 Due 0 Decide" in text[1]
    assert f'href="/referrals/{fresh.pk}/decision/"' in html
    assert f'href="/referrals/{late.pk}/decision/"' in html
    # Another area's front door sees none of it; partners have no queue.
    assert "There are no referrals awaiting a decision" in as_(
        south["front_door"]).get("/referrals/queue/").content.decode()
    assert as_(north["school_dsl"]).get("/referrals/queue/").status_code == 404


def test_the_queue_a_page_at_a_time(north, monkeypatch) -> None:
    from safeguard.referrals import selectors

    late = referral_create(actor=north["front_door"].user, received_on=date(2026, 11, 19),
                           source="6", concerns="x", child={**CHILD, "given_name": "Ben"})
    fresh = school_referral(north)
    monkeypatch.setattr(selectors, "QUEUE_PAGE_ROWS", 1)
    client = as_(north["front_door"])
    first = client.get("/referrals/queue/").content.decode()
    # The counts are of the whole queue; the page holds the oldest.
    assert "2 awaiting a decision, 1 overdue" in first and "Showing 1 to 1" in first
    assert f'href="/referrals/{late.pk}/decision/"' in first
    assert f'href="/referrals/{fresh.pk}/decision/"' not in first
    assert 'href="?page=2"' in first and "govuk-pagination" in first
    second = client.get("/referrals/queue/?page=2").content.decode()
    assert "Front door (page 2 of 2)" in second
    assert f'href="/referrals/{fresh.pk}/decision/"' in second
    # Not a page number: the first page; beyond the last: the last.
    assert f"/referrals/{late.pk}/decision/" in client.get(
        "/referrals/queue/?page=x").content.decode()
    assert f"/referrals/{fresh.pk}/decision/" in client.get(
        "/referrals/queue/?page=99").content.decode()


def test_a_decided_referral_leaves_the_queue(north) -> None:
    referral = school_referral(north)
    assert Referral.objects.get(pk=referral.pk).awaiting_decision
    queue = as_(north["front_door"]).get("/referrals/queue/").content.decode()
    assert f'href="/referrals/{referral.pk}/decision/"' in queue
    referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                    decided_on=date(2026, 11, 24), outcome="early_help", reasons="First",
                    family_informed=True)
    # The marker the queue's index reads is kept with the decision.
    assert not Referral.objects.get(pk=referral.pk).awaiting_decision
    assert "There are no referrals awaiting a decision" in as_(
        north["front_door"]).get("/referrals/queue/").content.decode()


# ---- the decision --------------------------------------------------------------------------


def test_decide_check_answers_and_record(north) -> None:
    referral = school_referral(north)
    client = as_(north["social_worker"])
    page = client.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert 'name="version" value=""' in page  # no decision yet: version 0
    assert "There is reasonable cause to suspect" in page  # the guidance's words
    response = client.post(f"/referrals/{referral.pk}/decision/", DECISION)
    assert response["Location"] == f"/referrals/{referral.pk}/decision/check/"
    assert not ReferralDecision.objects.exists()  # not until the answers are checked
    check = client.get(response["Location"]).content.decode()
    assert "Check your answers before recording the decision" in check
    assert "Assessment under section 17" in check and "Injuries and a disclosure" in check
    response = client.post(f"/referrals/{referral.pk}/decision/check/")
    assert response["Location"] == f"/referrals/{referral.pk}/?decided=1"
    decision = ReferralDecision.objects.get()
    assert (decision.outcome, decision.decided_on, decision.recorded_by) == (
        "assessment", date(2026, 11, 24), north["social_worker"])
    assert not Draft.objects.exists()
    assert list(Obligation.objects.filter(case=referral.case).values_list("duty", "status")) == [
        ("referral.decision", "met"), ("assessment.complete", "due")]


@pytest.mark.parametrize("bad, field, message", [
    ({"outcome": ""}, "outcome", "Select the decision on next steps"),
    ({"outcome": "adopt"}, "outcome",
     "Select the decision on next steps"),
    ({"reasons": ""}, "reasons", "Enter the reasons for the decision"),
    ({"family_informed": "no"}, "family_not_informed_reason",
     "Enter why the family has not been told"),
    ({"family_informed": ""}, "family_informed",
     "Select yes if has the family been told what will happen"),
    ({"decided_on-day": "25"}, "decided_on-day", "Date of the decision must be today or in the "
     "past"),
])
def test_a_bad_decision_shows_the_errors(north, bad, field, message) -> None:
    referral = school_referral(north)
    response = as_(north["social_worker"]).post(f"/referrals/{referral.pk}/decision/",
                                                {**DECISION, **bad})
    html = response.content.decode()
    assert "<title>Error: Decide on next steps" in html
    assert (f"#id_{field}", message) in error_links(html)
    assert not ReferralDecision.objects.exists()


def test_the_service_s_rules_show_on_the_fields(north) -> None:
    referral = school_referral(north)
    client = as_(north["social_worker"])
    client.post(f"/referrals/{referral.pk}/decision/", {
        **DECISION, "outcome": "no_further_action", "feedback_to_referrer": "",
        "decided_on-day": "23"})
    response = client.post(f"/referrals/{referral.pk}/decision/check/")
    links = error_links(response.content.decode())
    assert ("#id_decided_on-day", "Decision date must be on or after the date the referral was "
            "received") in links
    assert ("#id_feedback_to_referrer", "Enter the feedback to the referrer, with the reasons "
            "the threshold was not met") in links
    assert not ReferralDecision.objects.exists()


def test_two_people_deciding_at_once_never_overwrite(north) -> None:
    referral = school_referral(north)
    amara, ben = as_(north["social_worker"]), as_(north["social_worker_2"])
    for client, reasons in ((amara, "Amara's"), (ben, "Ben's")):
        client.post(f"/referrals/{referral.pk}/decision/", {**DECISION, "reasons": reasons})
    assert amara.post(f"/referrals/{referral.pk}/decision/check/").status_code == 302
    response = ben.post(f"/referrals/{referral.pk}/decision/check/")
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this record" in html
    assert 'id="current-decision"' in html and "Amara&#39;s" in html
    assert "Ben&#39;s" in html  # his answers kept
    assert 'name="version" value="1"' in html  # to save knowingly, against what he saw
    assert ReferralDecision.objects.get().reasons == "Amara's"


def test_changing_a_decision_needs_its_version(north) -> None:
    referral = school_referral(north)
    referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                    decided_on=date(2026, 11, 24), outcome="early_help", reasons="First",
                    family_informed=True)
    client = as_(north["social_worker"])
    page = client.get(f"/referrals/{referral.pk}/decision/").content.decode()
    assert 'name="version" value="1"' in page and ">First</textarea>" in page
    client.post(f"/referrals/{referral.pk}/decision/", {**DECISION, "version": "1"})
    assert client.post(f"/referrals/{referral.pk}/decision/check/").status_code == 302
    decision = ReferralDecision.objects.get()
    assert (decision.outcome, decision.version) == ("assessment", 2)


def test_others_may_not_decide(north, south) -> None:
    referral = school_referral(north)
    for staff in (south["social_worker"], north["school_dsl"], north["police"]):
        assert as_(staff).get(f"/referrals/{referral.pk}/decision/").status_code == 404
        assert as_(staff).post(f"/referrals/{referral.pk}/decision/", DECISION
                               ).status_code == 404
    assert not ReferralDecision.objects.exists()


# ---- authorisation and what the referrer sees ----------------------------------------------


def test_the_manager_authorises_and_the_school_sees_the_feedback(north) -> None:
    referral = school_referral(north)
    decision = referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                               decided_on=date(2026, 11, 24), outcome="assessment",
                               reasons="Internal reasoning", feedback_to_referrer="Thank you",
                               family_informed=False,
                               family_not_informed_reason="Police investigation")
    # A social worker cannot authorise; the manager can, against the version shown.
    assert as_(north["social_worker"]).post(f"/referrals/{referral.pk}/authorise/",
                                            {"version": "1"}).status_code == 404
    manager = as_(north["manager"])
    assert 'id="authorise"' in manager.get(f"/referrals/{referral.pk}/").content.decode()
    stale = manager.post(f"/referrals/{referral.pk}/authorise/", {"version": "0"})
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    response = manager.post(f"/referrals/{referral.pk}/authorise/", {"version": "1"})
    assert response["Location"] == f"/referrals/{referral.pk}/?authorised=1"
    decision.refresh_from_db()
    assert decision.authorised_by == north["manager"]
    school = as_(north["school_dsl"]).get(f"/referrals/{referral.pk}/")
    html = school.content.decode()
    assert "Assessment under section 17" in html and "Thank you" in html
    assert "Internal reasoning" not in html and "Police investigation" not in html
    assert "Priya Shah on 24 November 2026" in html
    assert school["Cache-Control"] == "no-store"


def test_referrals_others_may_not_see_are_not_found(north, south) -> None:
    referral = school_referral(north)
    for staff in (south["front_door"], south["school_dsl"], north["police"]):
        assert as_(staff).get(f"/referrals/{referral.pk}/").status_code == 404
    assert as_(north["front_door"]).get("/referrals/999999/").status_code == 404
    views = AuditEntry.objects.filter(action="view", object_type="referrals.referral")
    assert views.count() == 0  # refused reads leave no view of the record
