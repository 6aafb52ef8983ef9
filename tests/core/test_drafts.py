"""Drafts: answers kept as typed (never passwords), put back when the form is opened again,
saved with "Save as draft" without JavaScript, and gone once the form is submitted."""

from __future__ import annotations

import pytest
import time_machine
from django.http import QueryDict
from django.test import Client

from safeguard.core.drafts import clean_data, discard_draft, load_draft, save_draft
from safeguard.core.models import Draft
from safeguard.demo.areas import build_area
from safeguard.referrals.models import Referral

pytestmark = pytest.mark.django_db

GOOD = {"given_name": "Ava", "family_name": "Turner", "date_of_birth-day": "14",
        "date_of_birth-month": "3", "date_of_birth-year": "2015", "sex": "F",
        "concerns": "Bruises on both arms"}


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-11-24 10:42:00+00:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def police(client: Client, north) -> Client:
    client.force_login(north["police"].user)
    return client


def test_passwords_and_the_csrf_token_are_never_kept() -> None:
    data = QueryDict(mutable=True)
    data.setlist("concerns", ["A"])
    data.setlist("factors", ["1A", "2B"])
    data["password"] = "secret"
    data["new_password2"] = "secret"
    data["csrfmiddlewaretoken"] = "token"
    data["save-draft"] = "1"
    assert clean_data(data) == {"concerns": ["A"], "factors": ["1A", "2B"]}


def test_one_draft_per_person_form_and_key(north) -> None:
    user = north["social_worker"].user
    save_draft(owner=user, form="referral-decision", key="1", data={"reasons": "first"})
    save_draft(owner=user, form="referral-decision", key="1", data={"reasons": "second"})
    save_draft(owner=user, form="referral-decision", key="2", data={"reasons": "other"})
    assert Draft.objects.count() == 2
    assert load_draft(owner=user, form="referral-decision", key="1").data == {
        "reasons": ["second"]}
    assert load_draft(owner=north["manager"].user, form="referral-decision", key="1") is None
    discard_draft(owner=user, form="referral-decision", key="1")
    assert load_draft(owner=user, form="referral-decision", key="1") is None


def test_the_endpoint_keeps_the_answers(police, north) -> None:
    response = police.post("/drafts/referral-new/", {**GOOD, "password": "x"})
    assert response.status_code == 200
    assert response.json() == {"saved_at": "10:42"}
    assert response["Cache-Control"] == "no-store"
    draft = Draft.objects.get(owner=north["police"].user, form="referral-new", key="")
    assert draft.data["concerns"] == ["Bruises on both arms"] and "password" not in draft.data
    assert police.get("/drafts/referral-new/").status_code == 405


def test_the_endpoint_needs_the_csrf_token(north) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(north["police"].user)
    assert strict.post("/drafts/referral-new/", GOOD).status_code == 403
    assert not Draft.objects.exists()


def test_save_as_draft_without_javascript_then_restored(police, north) -> None:
    response = police.post("/referrals/new/", {**GOOD, "concerns": "", "save-draft": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/referrals/new/?draft=saved"
    html = police.get(response["Location"]).content.decode()
    assert "Your answers were saved as a draft at 10:42" in html
    assert not Referral.objects.exists()
    # Opened again later: the answers are back, with no errors shouted at fields left
    # empty, and the banner says when they were saved.
    html = police.get("/referrals/new/").content.decode()
    assert "We restored answers you had not submitted, saved at 10:42" in html
    assert 'value="Turner"' in html and 'value="14"' in html
    assert "govuk-error-summary" not in html and "govuk-form-group--error" not in html
    assert "<title>Make a referral" in html


def test_a_draft_from_another_day_says_which(police, north, clock) -> None:
    police.post("/drafts/referral-new/", GOOD)
    clock.shift(24 * 3600)  # the session timed out overnight: sign in again
    assert police.get("/referrals/new/")["Location"] == "/sign-in?next=/referrals/new/"
    police.force_login(north["police"].user)
    html = police.get("/referrals/new/").content.decode()
    assert "We restored answers you had not submitted, saved at 10:42 on 24 November 2026" in html


def test_the_draft_goes_once_the_form_is_submitted(police, north) -> None:
    police.post("/drafts/referral-new/", GOOD)
    response = police.post("/referrals/new/", GOOD)
    assert response.status_code == 302
    assert Referral.objects.count() == 1
    assert not Draft.objects.exists()
    assert "restored" not in police.get("/referrals/new/").content.decode()


def test_forms_opt_in_with_the_draft_url(police) -> None:
    html = police.get("/referrals/new/").content.decode()
    assert 'data-draft-url="/drafts/referral-new/"' in html
    assert 'name="save-draft"' in html
    assert '<script type="module" src="/static/safeguard/drafts.mjs">' in html
    assert "<script>" not in html.split("</body>")[0].split("js-enabled", 1)[1]  # no inline


def test_a_date_of_birth_in_the_future_is_refused_by_the_form(police) -> None:
    response = police.post("/referrals/new/", {**GOOD, "date_of_birth-year": "2090"})
    assert "Date of birth must be today or in the past" in response.content.decode()
    assert not Referral.objects.exists()
