"""Signing in and out, sign-in required everywhere, the home page and the navigation."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from safeguard.core.models import ApiToken, AuditEntry
from safeguard.demo.areas import DEMO_PASSWORD, build_area
from safeguard.referrals.services import referral_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


def nav(html: str) -> list[str]:
    block = html.split('class="govuk-service-navigation__list"', 1)[1].split("</ul>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", "", t).split()) for t in re.findall(
        r'class="govuk-service-navigation__link[^"]*"[^>]*>(.*?)</(?:a|button)>', block, re.S)]


def title(html: str) -> str:
    return " ".join(re.search(r"<title[^>]*>(.*?)</title>", html, re.S).group(1).split())


@pytest.mark.parametrize("path", ["/", "/cases/", "/cases/1/", "/cases/work/", "/cases/team/",
                                  "/referrals/new/", "/referrals/queue/", "/referrals/1/",
                                  "/people/search/", "/check-timeline", "/sign-out"])
def test_every_page_asks_for_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in?next={path}"


def test_the_sign_in_page_static_files_and_the_api_document_are_open(client: Client) -> None:
    page = client.get("/sign-in")
    assert page.status_code == 200
    html = page.content.decode()
    assert title(html) == "Sign in – Safeguard"
    assert 'id="id_password"' in html and 'type="password"' in html
    assert "govuk-service-navigation__list" not in html  # no menu before signing in
    assert client.get("/static/safeguard/safeguard.css").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_drafts_are_refused_without_sign_in(client: Client) -> None:
    response = client.post("/drafts/referral-new/", {"concerns": "x"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Sign in again")


def test_sign_in_then_on_to_the_page_asked_for(client: Client, north) -> None:
    response = client.post("/sign-in", {"username": "north-social_worker",
                                        "password": DEMO_PASSWORD, "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200


def test_a_next_address_elsewhere_is_ignored(client: Client, north) -> None:
    response = client.post("/sign-in", {"username": "north-social_worker",
                                        "password": DEMO_PASSWORD,
                                        "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_wrong_password_shows_the_error_pattern(client: Client, north) -> None:
    response = client.post("/sign-in", {"username": "north-social_worker",
                                        "password": "not-the-password"})
    html = response.content.decode()
    assert response.status_code == 200
    assert title(html) == "Error: Sign in – Safeguard"
    assert "govuk-error-summary" in html
    assert html.count("Enter a correct username and password") == 2  # summary and field
    assert 'value="north-social_worker"' in html
    assert "not-the-password" not in html  # a password is never shown again
    assert "_auth_user_id" not in client.session


def test_missing_answers(client: Client) -> None:
    html = client.post("/sign-in", {"username": "", "password": ""}).content.decode()
    assert "Enter your username" in html and "Enter your password" in html
    assert 'href="#id_username"' in html


def test_sign_out_is_a_post(client: Client, north) -> None:
    client.force_login(north["social_worker"].user)
    page = client.get("/sign-out")
    assert page.status_code == 200 and "Sign out of Safeguard" in page.content.decode()
    assert "_auth_user_id" in client.session  # a link never signs anyone out
    response = client.post("/sign-out")
    assert response["Location"] == "/sign-in?signed-out=1"
    assert "_auth_user_id" not in client.session
    assert "You have signed out" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("persona, expected", [
    ("social_worker", ["Home", "Front door", "My work", "Cases", "Search", "Make a referral",
                       "Check a timeline", "Sign out"]),
    ("manager", ["Home", "Front door", "My work", "My team", "Cases", "Search",
                 "Make a referral", "Check a timeline", "Sign out"]),
    ("school_dsl", ["Home", "Cases", "Search", "Make a referral", "Check a timeline",
                    "Sign out"]),
    ("partnership", ["Home", "Cases", "Search", "Check a timeline", "Sign out"]),
])
def test_the_navigation_follows_the_role(client: Client, north, persona, expected) -> None:
    client.force_login(north[persona].user)
    html = client.get("/").content.decode()
    assert nav(html) == expected
    assert 'aria-current="page"' in html.split("Home</", 1)[0].rsplit("<a", 1)[1]


def test_no_gov_uk_branding(client: Client, north) -> None:
    client.force_login(north["social_worker"].user)
    html = client.get("/").content.decode()
    assert "govuk-header" not in html and "govuk-logo" not in html
    assert "Crown copyright" not in html and "govuk-footer__crown" not in html
    assert "Amara Okafor, Northshire Council" in html


def test_home_for_social_care_is_my_work(client: Client, north) -> None:
    client.force_login(north["front_door"].user)
    response = client.get("/")
    html = response.content.decode()
    assert title(html) == "My work – Safeguard"
    assert "awaiting a decision" in html  # the front door's count


def test_home_for_a_partner_lists_their_referrals(client: Client, north) -> None:
    referral = referral_create(actor=north["school_dsl"].user, concerns="Bruising",
                               child={"given_name": "Ava", "family_name": "Turner",
                                      "date_of_birth": date(2015, 3, 14)})
    client.force_login(north["school_dsl"].user)
    html = client.get("/").content.decode()
    assert title(html) == "Home – Safeguard"
    assert f'href="/referrals/{referral.pk}/"' in html
    assert "Awaiting decision" in html
    assert f'href="/cases/{referral.case_id}/"' in html
    assert 'href="/referrals/new/"' in html


def test_a_user_with_no_staff_record_sees_nothing(client: Client, django_user_model) -> None:
    client.force_login(django_user_model.objects.create_user("nobody"))
    html = client.get("/").content.decode()
    assert "not linked to an agency" in html
    assert client.get("/cases/").status_code == 200
    assert client.get("/referrals/queue/").status_code == 404


def test_issue_token_command(north, capsys) -> None:
    call_command("issue_token", "north-social_worker", "case system import")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("sg_")
    token = ApiToken.objects.get()
    assert token.name == "case system import" and token.secret_hash != secret
    assert AuditEntry.objects.filter(action="issue_token").exists()
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/cases").status_code == 200
    call_command("issue_token", "north-social_worker", "case system import", "--revoke")
    assert api.get("/api/v1/cases").status_code == 401


def test_error_pages_follow_the_design_system(client: Client, north) -> None:
    client.force_login(north["social_worker"].user)
    response = client.get("/referrals/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert title(html) == "Page not found – Safeguard"
    assert "govuk-service-navigation" in html
    case = client.get("/cases/999999/")  # not found, with the way to open it by break-glass
    assert case.status_code == 404
    assert title(case.content.decode()) == "Case not found – Safeguard"
    assert "govuk-service-navigation" in case.content.decode()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(north["social_worker"].user)
    refused = strict.post("/referrals/new/", {"concerns": "x"})
    assert refused.status_code == 403
    assert "Your answers were not sent" in refused.content.decode()
