"""Two-factor authentication for privileged roles: set-up, the code at sign-in, the one
place that holds a session back (pages and API), the audit, and the demo's key."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.agencies.models import TWO_FACTOR_ROLES, Role
from safeguard.core.models import AuditEntry
from safeguard.demo.areas import DEMO_PASSWORD, DEMO_TOTP_SECRET, build_area
from safeguard.testing.two_factor import code_for
from safeguard.web.accounts import CODE_FORMAT, CODE_REQUIRED, CODE_THROTTLED, CODE_WRONG
from safeguard.web.signin import needs_second_factor

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/sign-in/two-factor"
SET_UP = "/sign-in/two-factor/set-up"


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


def sign_in(client: Client, username: str, next_url: str = "") -> object:
    data = {"username": username, "password": DEMO_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/sign-in", data)


def title(html: str) -> str:
    return " ".join(re.search(r"<title[^>]*>(.*?)</title>", html, re.S).group(1).split())


def test_the_privileged_roles_are_the_four_named() -> None:
    assert TWO_FACTOR_ROLES == {Role.TEAM_MANAGER, Role.CONFERENCE_CHAIR,
                                Role.DESIGNATED_OFFICER, Role.PARTNERSHIP_OFFICER}


@pytest.mark.parametrize("persona, needs", [
    ("manager", True), ("chair", True), ("lado", True), ("partnership", True),
    ("social_worker", False), ("front_door", False), ("police", False), ("health", False),
    ("school_dsl", False), ("early_help", False),
])
def test_who_must_give_a_second_factor(north, persona, needs) -> None:
    assert needs_second_factor(north[persona].user) is needs


def test_other_roles_sign_in_with_the_password_alone(client: Client, north) -> None:
    response = sign_in(client, "north-social_worker", "/cases/")
    assert response["Location"] == "/cases/"
    entry = AuditEntry.objects.get(action="sign_in")
    assert entry.detail == {"second_factor": "not_required"}
    assert client.get(TWO_FACTOR)["Location"] == "/"  # nothing to do there


def test_a_manager_gives_the_code_after_the_password(client: Client, north) -> None:
    response = sign_in(client, "north-manager", "/cases/")
    assert response["Location"] == f"{TWO_FACTOR}?next=%2Fcases%2F"
    assert AuditEntry.objects.get(action="sign_in").detail == {"second_factor": "due"}
    # Signed in part-way: every page leads to the code, with the page asked for kept.
    for path in ("/", "/cases/", "/referrals/queue/", "/people/search/", "/check-timeline"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{TWO_FACTOR}?next="), path
    page = client.get(f"{TWO_FACTOR}?next=/cases/")
    html = page.content.decode()
    assert page.status_code == 200
    assert title(html) == "Enter the code from your authenticator app – Safeguard"
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert "govuk-label--l" in html and "govuk-label-wrapper" in html  # the label is the h1
    assert 'name="next" value="/cases/"' in html
    assert "govuk-service-navigation__link" in html  # sign out …
    assert 'href="/cases/"' not in html  # … and no other links yet
    session_key = client.session.session_key

    response = client.post(TWO_FACTOR, {"code": code_for("north-manager"), "next": "/cases/"})
    assert response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert client.session.session_key != session_key  # a new session for the new privilege
    assert AuditEntry.objects.filter(action="two_factor_verified").count() == 1


def test_wrong_and_malformed_codes(client: Client, north) -> None:
    sign_in(client, "north-chair")
    for code, message in (("", CODE_REQUIRED), ("12345", CODE_FORMAT), ("abcdef", CODE_FORMAT)):
        html = client.post(TWO_FACTOR, {"code": code}).content.decode()
        assert title(html).startswith("Error: ") and "govuk-error-summary" in html
        # In the summary and at the field (the empty code's message is the heading too).
        assert html.count(message) == (4 if message == CODE_REQUIRED else 2), code
        assert 'href="#id_code"' in html
    right = code_for("north-chair")
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    html = client.post(TWO_FACTOR, {"code": wrong}).content.decode()
    assert html.count(CODE_WRONG) == 2
    assert wrong not in html  # a code is never shown again
    assert client.get("/cases/").status_code == 302
    refused = AuditEntry.objects.get(action="two_factor_refused")
    assert refused.detail == {"step": "sign_in", "throttled": False}
    assert refused.actor_label == "north-chair"


def test_codes_are_throttled_after_a_wrong_one(client: Client, north) -> None:
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False) as traveller:
        sign_in(client, "north-lado")
        client.post(TWO_FACTOR, {"code": "000000"})
        html = client.post(TWO_FACTOR, {"code": code_for("north-lado")}).content.decode()
        assert CODE_THROTTLED in html  # even the right code, straight after a wrong one
        assert AuditEntry.objects.filter(action="two_factor_refused",
                                         detail__throttled=True).exists()
        traveller.shift(2)
        response = client.post(TWO_FACTOR, {"code": code_for("north-lado")})
        assert response["Location"] == "/"


def test_a_code_is_accepted_once(north) -> None:
    first, second = Client(), Client()
    sign_in(first, "north-partnership")
    sign_in(second, "north-partnership")
    device = TOTPDevice.objects.get(user=north["partnership"].user)
    code = f"{totp(device.bin_key):06d}"
    assert first.post(TWO_FACTOR, {"code": code}).status_code == 302
    assert CODE_WRONG in second.post(TWO_FACTOR, {"code": code}).content.decode()


def test_first_sign_in_sets_up_the_authenticator_app(client: Client, north) -> None:
    from safeguard.web.signin import issue_set_up_code

    user = north["manager"].user
    TOTPDevice.objects.filter(user=user).delete()
    response = sign_in(client, "north-manager", "/cases/team/")
    assert client.get(response["Location"])["Location"] == f"{SET_UP}?next=%2Fcases%2Fteam%2F"
    # The set-up code first (tests/web/test_two_factor_recovery.py has its own tests).
    set_up_code = issue_set_up_code(actor=None, user=user)
    assert client.post(SET_UP, {"set_up_code": set_up_code, "next": "/cases/team/"}
                       )["Location"] == f"{SET_UP}?next=%2Fcases%2Fteam%2F"
    page = client.get(f"{SET_UP}?next=/cases/team/")
    html = page.content.decode()
    assert title(html) == "Set up two-factor authentication – Safeguard"
    assert 'src="data:image/svg+xml;base64,' in html and 'alt="QR code' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert b32decode(key.replace(" ", "")) == device.bin_key
    assert key in client.get(SET_UP).content.decode()  # the same key when shown again
    assert client.get(TWO_FACTOR)["Location"] == SET_UP
    assert client.get("/cases/").status_code == 302

    html = client.post(SET_UP, {"code": "000000"}).content.decode()
    assert CODE_WRONG in html and key in html
    with time_machine.travel(time.time() + 2, tick=True):  # past the wrong code's throttle
        code = f"{totp(b32decode(key.replace(' ', ''))):06d}"  # as the person's app would
        response = client.post(SET_UP, {"code": code, "next": "/cases/team/"})
    # Then the recovery codes, shown once, on the way to the page asked for.
    assert response["Location"] == "/account/two-factor/recovery-codes?next=%2Fcases%2Fteam%2F"
    device.refresh_from_db()
    assert device.confirmed and client.get("/cases/team/").status_code == 200
    set_up = AuditEntry.objects.get(action="two_factor_set_up")
    assert set_up.detail == {"device": "totp"} and set_up.actor_label == "north-manager"
    for entry in AuditEntry.objects.all():
        assert key.replace(" ", "") not in str(entry.detail) and device.key not in str(
            entry.detail)
    # Next time: the code, not the set-up.
    client.post("/sign-out")
    sign_in(client, "north-manager")
    assert client.get(SET_UP)["Location"] == TWO_FACTOR


def test_a_new_device_cannot_be_set_up_over_a_confirmed_one(client: Client, north) -> None:
    sign_in(client, "north-manager")
    assert client.get(SET_UP)["Location"] == TWO_FACTOR
    assert TOTPDevice.objects.filter(user=north["manager"].user).count() == 1


def test_sign_out_works_before_the_code(client: Client, north) -> None:
    sign_in(client, "north-manager")
    assert client.get("/sign-out").status_code == 200
    response = client.post("/sign-out")
    assert response["Location"] == "/sign-in?signed-out=1"
    assert "_auth_user_id" not in client.session
    assert client.get(TWO_FACTOR)["Location"] == f"/sign-in?next={TWO_FACTOR}"


def test_the_api_refuses_a_session_that_owes_its_code(client: Client, north) -> None:
    sign_in(client, "north-manager")
    response = client.get("/api/v1/cases")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/forbidden") and "authenticator app" in problem["detail"]
    assert client.get("/api/v1/openapi.json").status_code == 200  # the open document
    client.post(TWO_FACTOR, {"code": code_for("north-manager")})
    assert client.get("/api/v1/cases").status_code == 200


def test_personal_api_tokens_are_not_affected(north) -> None:
    from safeguard.api.auth import issue_token

    secret = issue_token(user=north["manager"].user, name="reporting")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/cases").status_code == 200


def test_the_demo_key_opens_every_privileged_demo_account(north) -> None:
    code = f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}"  # what an app given the key shows
    for persona in ("manager", "chair", "lado", "partnership"):
        client = Client()
        sign_in(client, f"north-{persona}")
        device = TOTPDevice.objects.get(user=north[persona].user)
        assert device.confirmed and device.bin_key == b32decode(DEMO_TOTP_SECRET)
        assert client.post(TWO_FACTOR, {"code": code})["Location"] == "/", persona
    assert not TOTPDevice.objects.filter(user=north["social_worker"].user).exists()


def test_the_demo_prints_the_key(north, capsys) -> None:
    from safeguard.demo.build import print_personas

    print_personas()
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert f"Add this demo key to your app (the same for every demo account): " \
           f"{DEMO_TOTP_SECRET}" in out
