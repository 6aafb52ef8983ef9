"""The set-up code pages: an administrator or a team manager finds a person they may issue a
set-up code for (a team manager: the privileged roles of their own agency) and issues one,
shown once, with how long it lasts; the service refuses anyone else (403) and audits each
code; bad input gets the GOV.UK error pattern and changes nothing; no cache keeps them."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.core.models import AuditEntry
from safeguard.demo.areas import DEMO_PASSWORD, build_area
from safeguard.web.models import SetUpCode
from safeguard.web.signin import (
    _digest,
    may_issue_set_up_code,
    normalise_code,
    set_up_code_pending,
    set_up_code_unused,
)

pytestmark = pytest.mark.django_db

LIST = "/account/set-up-codes/"
SET_UP = "/sign-in/two-factor/set-up"


def issue_url(user) -> str:
    return f"{LIST}{user.pk}/"


@pytest.fixture
def areas():
    return build_area("Northshire", "901", "north"), build_area("Southshire", "902", "south")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def people_listed(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-person="(\d+)"', html)}


def shown_code(html: str) -> str:
    found = re.search(r'id="set-up-code"><code>([0-9a-f-]+)</code>', html)
    assert found, "no code on the page"
    return found.group(1)


def test_a_team_manager_sees_the_privileged_roles_of_their_own_agency(areas) -> None:
    north, south = areas
    client = signed_in(north["manager"].user)
    response = client.get(LIST)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "Set-up codes for authenticator apps" in html
    assert people_listed(html) == {north[k].user_id for k in ("chair", "lado", "partnership")}
    for person in ("chair", "lado", "partnership"):
        assert may_issue_set_up_code(north["manager"].user, north[person].user)
    assert f'href="{issue_url(north["lado"].user)}"' in html
    assert "David Clarke" in html and "Sarah Bennett" not in html  # not the police's
    assert 'id="footer-set-up-codes"' in html  # found from every page's "Your account"


def test_an_administrator_sees_everyone_who_needs_an_app(areas, django_user_model) -> None:
    north, south = areas
    admin = django_user_model.objects.create_user("admin-person", is_staff=True)
    client = signed_in(admin)
    html = client.get(LIST).content.decode()
    listed = people_listed(html)
    assert north["manager"].user_id in listed and south["lado"].user_id in listed
    assert north["social_worker"].user_id not in listed  # their role needs no app
    response = client.post(issue_url(south["lado"].user), {"hours": "24"})
    assert response.status_code == 200 and "Set-up code issued" in response.content.decode()


@pytest.mark.parametrize("persona", ["social_worker", "front_door", "police", "chair", "lado",
                                     "partnership"])
def test_anyone_else_is_refused(areas, persona) -> None:
    north, _south = areas
    client = signed_in(north[persona].user)
    other = north["lado" if persona != "lado" else "chair"].user
    assert client.get(LIST).status_code == 403
    assert client.get(issue_url(other)).status_code == 403
    assert client.post(issue_url(other), {"hours": "72"}).status_code == 403
    assert not SetUpCode.objects.exists()
    assert not AuditEntry.objects.filter(action="set_up_code_issued").exists()
    assert 'id="footer-set-up-codes"' not in client.get("/").content.decode()


def test_a_team_manager_cannot_issue_for_another_agency_or_themselves(areas) -> None:
    north, south = areas
    manager = north["manager"].user
    client = signed_in(manager)
    nobody = (get_user_model().objects.order_by("-pk").values_list("pk", flat=True)
              .first() or 0) + 1000
    for url in (issue_url(south["lado"].user), issue_url(north["police"].user),
                issue_url(manager), f"{LIST}{nobody}/"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"hours": "72"}).status_code == 403, url
    assert not SetUpCode.objects.exists()


def test_a_team_manager_issues_a_code_that_works_once(areas) -> None:
    north, _south = areas
    lado = north["lado"].user
    TOTPDevice.objects.filter(user=lado).delete()  # a new LADO: no app yet
    client = signed_in(north["manager"].user)
    page = client.get(issue_url(lado))
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Issue a set-up code" in html and "David Clarke" in html
    assert 'name="hours"' in html and "3 days" in html
    response = client.post(issue_url(lado), {"hours": "72"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    code = shown_code(html)
    assert "govuk-panel" in html and "Set-up code issued" in html
    assert "The code lasts 3 days, until" in html and "It works once" in html
    stored = SetUpCode.objects.get(user=lado)
    assert stored.code_hash == _digest(normalise_code(code)) and code not in stored.code_hash
    assert stored.issued_by_id == north["manager"].user_id
    assert (stored.expires_at - stored.issued_at).total_seconds() == 72 * 3600
    entry = AuditEntry.objects.get(action="set_up_code_issued")
    assert entry.actor_id == north["manager"].user_id and entry.object_id == str(lado.pk)
    assert entry.detail == {"hours": 72}
    assert code not in str(entry.detail)
    assert code not in str(dict(client.session))  # shown once: kept nowhere
    # The list now says a code is waiting; the page for the person says so too.
    assert "Code issued" in client.get(LIST).content.decode()
    assert 'id="set-up-code-waiting"' in client.get(issue_url(lado)).content.decode()
    # The LADO sets up their app with it.
    lado_client = Client()
    lado_client.post("/sign-in", {"username": "north-lado", "password": DEMO_PASSWORD})
    assert lado_client.post(SET_UP, {"set_up_code": code})["Location"] == SET_UP
    # A new code from the page stops the first, unused one, working.
    assert set_up_code_pending(lado, stored.pk) is not None
    again = shown_code(client.post(issue_url(lado), {"hours": "24"}).content.decode())
    assert again != code
    assert set_up_code_pending(lado, stored.pk) is None
    assert set_up_code_unused(lado).code_hash == _digest(normalise_code(again))


@pytest.mark.parametrize("answers", [{}, {"hours": ""}, {"hours": "9999"}, {"hours": "abc"},
                                     {"hours": "0"}, {"hours": "72 OR 1=1"}])
def test_bad_input_shows_the_error_and_changes_nothing(areas, answers) -> None:
    north, _south = areas
    client = signed_in(north["manager"].user)
    response = client.post(issue_url(north["lado"].user), answers)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Error: Issue a set-up code" in html
    assert "govuk-error-summary" in html and 'href="#id_hours"' in html
    assert html.count("Select how long the set-up code should last") == 2
    assert not SetUpCode.objects.exists()
    assert not AuditEntry.objects.filter(action="set_up_code_issued").exists()


def test_the_page_is_not_offered_to_a_session_held_at_the_two_factor_step(areas) -> None:
    north, _south = areas
    client = Client()
    client.post("/sign-in", {"username": "north-manager", "password": DEMO_PASSWORD})
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(
        "/sign-in/two-factor")
