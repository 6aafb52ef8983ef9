"""The early help pages: consent refused shows the error and starts nothing; the plan, a
review and the step-up from the pages; other areas see nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from safeguard.earlyhelp.models import EarlyHelpAssessment
from safeguard.people.models import Person
from safeguard.referrals.models import Referral

from .test_services import start

pytestmark = [pytest.mark.django_db]


def day(prefix: str, d: date) -> dict[str, str]:
    return {f"{prefix}-day": str(d.day), f"{prefix}-month": str(d.month),
            f"{prefix}-year": str(d.year)}


def test_no_consent_no_assessment(client: Client, north) -> None:
    client.force_login(north["early_help"].user)
    page = client.get("/early-help/new/").content.decode()
    assert "A referral does not need consent" in page
    form = {"consent_given": "no", "given_name": "Leo", "family_name": "Hart",
            **day("date_of_birth", date(2019, 5, 1)), **day("started_on", date(2026, 11, 3)),
            "lead_practitioner": str(north["early_help"].pk), "needs": "Speech delay"}
    response = client.post("/early-help/new/", form)
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: Start an early help" in html
    assert 'href="#id_consent_given"' in html and "it cannot start without consent" in html
    assert 'value="Hart"' in html
    assert not EarlyHelpAssessment.objects.exists() and not Person.objects.exists()

    response = client.post("/early-help/new/", {
        **form, "consent_given": "yes", "consent_from": "child_and_parents",
        "consent_given_by": "Leo and Jo Hart", **day("consent_recorded_on", date(2026, 11, 2))})
    record = EarlyHelpAssessment.objects.get()
    assert response["Location"] == f"/early-help/{record.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Given by Leo and Jo Hart" in html and "Refer to children’s social care" in html


def test_plan_review_and_step_up_from_the_pages(client: Client, north) -> None:
    record = start(north)
    client.force_login(north["early_help"].user)
    url = f"/early-help/{record.pk}/plan/"
    bad = client.post(url, {"version": "1", "outcomes": "Talks more",
                            **day("started_on", date(2026, 11, 10)),
                            **day("next_review_on", date(2026, 11, 1))})
    assert "Date of the first review must be after the plan is agreed" in bad.content.decode()
    assert client.post(url, {"version": "1", "outcomes": "Talks more",
                             **day("started_on", date(2026, 11, 10)),
                             **day("next_review_on", date(2026, 12, 1))}).status_code == 302
    record.refresh_from_db()
    assert client.post(f"/early-help/{record.pk}/reviews/new/", {
        "version": str(record.version), "progress": "Good",
        **day("held_on", date(2026, 11, 20)),
        **day("next_review_on", date(2027, 1, 5))}).status_code == 302
    record.refresh_from_db()
    page = client.get(f"/early-help/{record.pk}/step-up/").content.decode()
    assert "You do not need consent to make this referral" in page
    assert "Speech delay; housing" in page  # the concerns start from the assessment's needs
    response = client.post(f"/early-help/{record.pk}/step-up/",
                           {"version": str(record.version), "concerns": "Disclosed harm"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    html = client.get(f"/early-help/{record.pk}/").content.decode()
    assert "Referred to children’s social care on 24 November 2026" in html
    assert referral.case.reference in html


def test_others_see_nothing(client: Client, north, south) -> None:
    record = start(north)
    for user in (south["social_worker"].user, north["police"].user):
        client.force_login(user)
        assert client.get(f"/early-help/{record.pk}/").status_code == 404
        assert client.post(f"/early-help/{record.pk}/close/",
                           {"version": "1", "reason": "other",
                            **day("closed_on", date(2026, 11, 24))}).status_code == 404
        assert "Leo" not in client.get("/early-help/").content.decode()
    record.refresh_from_db()
    assert record.is_open


def test_a_stepped_down_case_is_named_only_to_those_who_see_it(north) -> None:
    """The early help practitioner leads a record stepped down from a case they may not
    see: the page, the API and their own access history never name that case."""
    from django.test import Client

    from safeguard.cases.policy import can_view_case
    from safeguard.earlyhelp.models import EarlyHelpAssessment
    from safeguard.referrals.services import referral_create

    referral = referral_create(actor=north["front_door"].user, received_on=date(2026, 11, 2),
                               source="6", concerns="x",
                               child={"given_name": "Ava", "family_name": "Stone",
                                      "date_of_birth": date(2015, 3, 1)})
    case = referral.case
    practitioner = north["early_help"]
    assert not can_view_case(practitioner.user, case)
    record = EarlyHelpAssessment.objects.create(
        child=case.child, local_authority=north.la, agency=practitioner.agency,
        lead_practitioner=practitioner, started_on=date(2026, 11, 3), consent_given=True,
        consent_from="parents", consent_given_by="Jo Stone", needs="Support at home",
        consent_recorded_on=date(2026, 11, 3),
        stepped_down_from=case)
    client = Client()
    client.force_login(practitioner.user)
    page = client.get(f"/early-help/{record.pk}/").content.decode()
    assert "Stepped down from children" in page and case.reference not in page
    api = client.get(f"/api/v1/early-help/{record.pk}")
    assert api.status_code == 200 and api.json()["stepped_down_from_case_id"] is None
    history = client.get("/account/access-history/").content.decode()
    assert "Viewed" in history and case.reference not in history
    social_care = Client()
    social_care.force_login(north["social_worker"].user)
    assert case.reference in social_care.get(f"/early-help/{record.pk}/").content.decode()
