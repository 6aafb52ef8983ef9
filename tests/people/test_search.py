"""Search for a person: typos in names, date of birth, NHS number, UPN; only people on cases
the searcher may see; every search audited (without the terms)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from safeguard.core.models import AuditEntry
from safeguard.core.services import Invalid
from safeguard.demo.areas import build_area
from safeguard.people.models import Person, Relationship
from safeguard.people.selectors import people_search
from safeguard.people.services import name_key
from safeguard.referrals.services import referral_create

pytestmark = [pytest.mark.django_db, pytest.mark.db]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


@pytest.fixture
def people(north, south):
    def refer(area, given, family, born, **ids):
        return referral_create(actor=area["front_door"].user, received_on=date(2026, 11, 23),
                               source="6", concerns="x",
                               child={"given_name": given, "family_name": family,
                                      "date_of_birth": born, **ids}).case
    cases = {
        "ava": refer(north, "Ava", "Turner", date(2015, 3, 14), nhs_number="9434765919"),
        "john": refer(north, "John", "Smith", date(2012, 7, 1), upn="B801200005001"),
        "thompson": refer(north, "Mia", "Thompson", date(2019, 2, 2)),
        "elsewhere": refer(south, "Ava", "Turnor", date(2015, 3, 14)),
    }
    mother = Person.objects.create(given_name="Jade", family_name="Turner", is_child=False,
                                   family_name_key=name_key("Turner"))
    Relationship.objects.create(child=cases["ava"].child, person=mother, kind="mother")
    return cases


def names(found) -> list[str]:
    return [f.person.full_name for f in found]


@pytest.mark.parametrize("typed, expected", [
    ("Ava Turner", ["Ava Turner"]),
    ("ava tunrer", ["Ava Turner"]),  # letters swapped
    ("Turner Ava", ["Ava Turner"]),  # the other way round
    ("Tomson", ["Mia Thompson"]),  # sounds alike
    ("Smyth", ["John Smith"]),
    ("Jon Smith", ["John Smith"]),
])
def test_names_with_typos(north, people, typed, expected) -> None:
    found = people_search(north["social_worker"].user, name=typed)
    assert names(found)[:len(expected)] == expected


def test_a_family_name_alone_finds_the_family(north, people) -> None:
    found = people_search(north["social_worker"].user, name="Turner")
    assert set(names(found)) == {"Ava Turner", "Jade Turner"}
    jade = next(f for f in found if f.person.given_name == "Jade")
    assert [(link.case, link.relationship) for link in jade.links] == [
        (people["ava"], "Mother of Ava Turner")]


def test_identifiers_and_date_of_birth(north, people) -> None:
    user = north["social_worker"].user
    assert names(people_search(user, nhs_number="943 476 5919")) == ["Ava Turner"]
    assert names(people_search(user, upn="b801200005001")) == ["John Smith"]
    assert names(people_search(user, date_of_birth=date(2019, 2, 2))) == ["Mia Thompson"]
    assert names(people_search(user, name="Ava", date_of_birth=date(2012, 7, 1))) == []
    with pytest.raises(Invalid) as caught:
        people_search(user)
    assert set(caught.value.errors) == {"name"}


def test_only_people_on_cases_the_searcher_may_see(north, south, people) -> None:
    # Southshire's Ava Turnor (same date of birth) is not Northshire's to see, and back.
    north_found = people_search(north["social_worker"].user, name="Ava Turnor",
                                date_of_birth=date(2015, 3, 14))
    assert names(north_found) == ["Ava Turner"]
    assert names(people_search(south["social_worker"].user, name="Ava Turner")) == [
        "Ava Turnor"]
    # Partners not involved find nobody; a user with no staff record finds nobody.
    assert people_search(north["police"].user, name="Turner") == []


def test_searches_are_audited_without_the_terms(north, people) -> None:
    people_search(north["social_worker"].user, name="Turner", nhs_number="9434765919")
    entry = AuditEntry.objects.filter(action="search").get()
    assert entry.detail == {"fields": ["name", "nhs_number"], "results": 1}
    assert "Turner" not in str(entry.content()) and "9434765919" not in str(entry.content())


def test_the_search_page(north, people) -> None:
    client = Client()
    client.force_login(north["social_worker"].user)
    empty = client.get("/people/search/")
    assert empty.status_code == 200 and "people found" not in empty.content.decode()
    response = client.get("/people/search/", {"name": "tunrer"})
    html = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "2 people found" in html
    assert f'href="/cases/{people["ava"].pk}/"' in html and "Mother of Ava Turner" in html
    bad = client.get("/people/search/", {"nhs_number": "943 476 5918"}).content.decode()
    assert "<title>Error: Search for a person" in bad
    assert "NHS number is not valid: check the digits" in bad
    nothing = client.get("/people/search/", {"name": ""}).content.decode()
    assert "Enter a name, date of birth, NHS number or unique pupil number" in nothing
