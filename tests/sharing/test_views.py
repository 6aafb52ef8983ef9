"""The sharing pages: the GOV.UK error pattern, nothing saved on bad input, complete records."""

from datetime import date

import pytest
import time_machine
from django.test import Client

from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create
from safeguard.sharing.models import SharingDecision

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def setting():
    north = build_area("Northshire", "901", "north")
    south = build_area("Southshire", "902", "south")
    referral = referral_create(
        actor=north["school_dsl"].user, received_on=date(2026, 11, 23), source="2A",
        concerns="Bruising", child={"given_name": "Ava", "family_name": "Turner",
                                    "date_of_birth": date(2015, 3, 14)})
    return north, south, referral.case


GOOD = {"decision": "share", "decided_on-day": "24", "decided_on-month": "11",
        "decided_on-year": "2026", "what": "Police concerns", "purpose": "Protect the child",
        "consent_sought": "no", "consent_not_sought_reason": "Would put the child at risk",
        "article_6_basis": "6(1)(e)", "paragraph_18_reason": "would_prejudice",
        "person_told": "no", "person_not_told_reason": "Police investigation"}


def test_record_a_decision_without_consent(client: Client, setting) -> None:
    north, _south, case = setting
    client.force_login(north["social_worker"].user)
    assert client.get(f"/sharing/cases/{case.pk}/new/").status_code == 200
    response = client.post(f"/sharing/cases/{case.pk}/new/",
                           {**GOOD, "with_agency": str(north.police.pk)})
    record = SharingDecision.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{record.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "Public task" in page and "Seeking consent would prejudice" in page


def test_bad_input_shows_the_errors_and_saves_nothing(client: Client, setting) -> None:
    north, _south, case = setting
    client.force_login(north["social_worker"].user)
    response = client.post(f"/sharing/cases/{case.pk}/new/",
                           {**GOOD, "article_6_basis": "", "with_agency": str(north.police.pk),
                            "purpose": "Protect the child, as typed"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and "govuk-error-summary" in html
    assert "Select the lawful basis under Article 6" in html
    assert "Protect the child, as typed" in html
    assert not SharingDecision.objects.exists()


def test_another_area_cannot_see_or_record(client: Client, setting) -> None:
    _north, south, case = setting
    client.force_login(south["social_worker"].user)
    assert client.get(f"/sharing/cases/{case.pk}/").status_code == 404
    assert client.post(f"/sharing/cases/{case.pk}/new/", GOOD).status_code == 404
    assert not SharingDecision.objects.exists()
