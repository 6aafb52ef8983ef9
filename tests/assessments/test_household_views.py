"""The household pages: siblings always listed, adding people, errors, access."""

from __future__ import annotations

import pytest
from django.test import Client

from safeguard.people.models import HouseholdMember, Person

from .conftest import refer
from .test_household import BROTHER

pytestmark = [pytest.mark.django_db]


def test_add_people_and_see_siblings(client: Client, north, referral) -> None:
    client.force_login(north["social_worker"].user)
    case_id = referral.case_id
    page = client.get(f"/people/cases/{case_id}/household/").content.decode()
    assert "Siblings within the family should always be considered" in page
    assert "No siblings are recorded." in page
    bad = client.post(f"/people/cases/{case_id}/household/members/new/",
                      {"given_name": "Jo", "family_name": "", "relationship": "mother",
                       "parental_responsibility": "yes"})
    html = bad.content.decode()
    assert "<title>Error:" in html and "Enter the person’s last name" in html
    assert 'href="#id_family_name"' in html and 'value="Jo"' in html
    assert not HouseholdMember.objects.exists()
    response = client.post(f"/people/cases/{case_id}/household/members/new/",
                           {"given_name": "Jo", "family_name": "Turner", "is_child": "no",
                            "relationship": "mother", "parental_responsibility": "yes"})
    assert response.status_code == 302
    sam = refer(north, child=BROTHER, outcome=None)
    response = client.post(f"/people/cases/{case_id}/household/relationships/new/",
                           {"person": "", "given_name": "Sam", "family_name": "Turner",
                            "is_child": "yes", "date_of_birth-day": "1",
                            "date_of_birth-month": "7", "date_of_birth-year": "2018",
                            "relationship": "sibling", "parental_responsibility": "no"})
    assert response.status_code == 302
    html = client.get(f"/people/cases/{case_id}/household/").content.decode()
    assert "Jo Turner" in html and 'id="siblings"' in html and "Sam Turner" in html
    # Sam was typed in as someone new: a separate record from the referred Sam.
    assert Person.objects.filter(given_name="Sam").count() == 2
    assert sam.case.reference not in html


def test_existing_people_are_offered_from_the_family(client: Client, north, referral) -> None:
    client.force_login(north["social_worker"].user)
    client.post(f"/people/cases/{referral.case_id}/household/members/new/",
                {"given_name": "Jo", "family_name": "Turner", "is_child": "no",
                 "relationship": "mother", "parental_responsibility": "yes"})
    sam = refer(north, child=BROTHER, outcome=None)
    page = client.get(f"/people/cases/{sam.case_id}/household/members/new/").content.decode()
    assert "Jo Turner" not in page  # not yet linked to Sam's family
    jo = Person.objects.get(given_name="Jo")
    response = client.post(f"/people/cases/{sam.case_id}/household/relationships/new/",
                           {"person": str(jo.pk), "relationship": "mother",
                            "parental_responsibility": "yes"})
    # Jo is not offered on Sam's page, so choosing her by id is refused by the form.
    assert response.status_code == 200 and "<title>Error:" in response.content.decode()


def test_access(client: Client, north, south, referral) -> None:
    client.force_login(south["social_worker"].user)
    assert client.get(f"/people/cases/{referral.case_id}/household/").status_code == 404
    client.force_login(north["school_dsl"].user)
    assert client.get(f"/people/cases/{referral.case_id}/household/").status_code == 200
    assert client.post(f"/people/cases/{referral.case_id}/household/members/new/",
                       {"family_name": "X", "is_child": "no",
                        "parental_responsibility": "no"}).status_code == 403
    assert not HouseholdMember.objects.exists()
