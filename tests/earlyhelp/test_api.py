"""The early help API: consent refused names the field and starts nothing; step-up; 404 and
403 for others."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from safeguard.api.auth import issue_token
from safeguard.earlyhelp.models import EarlyHelpAssessment
from safeguard.referrals.models import Referral

pytestmark = [pytest.mark.django_db]
PROBLEM = "application/problem+json"
START = {"child": {"given_name": "Leo", "family_name": "Hart", "date_of_birth": "2019-05-01"},
         "started_on": "2026-11-03", "consent_given": True, "consent_from": "child_and_parents",
         "consent_given_by": "Leo and Jo Hart", "consent_recorded_on": "2026-11-02",
         "needs": "Speech delay"}


def api(staff) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user=staff.user, name='t')}"})


def post(client: Client, path: str, body: dict) -> object:
    return client.post(f"/api/v1/early-help{path}", data=json.dumps(body),
                       content_type="application/json")


def test_no_consent_is_a_problem_naming_the_field(north) -> None:
    response = post(api(north["early_help"]), "", {**START, "consent_given": False})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert set(response.json()["errors"]) == {"consent_given"}
    response = post(api(north["early_help"]), "", {**START, "consent_given_by": "",
                                                   "child": {"family_name": ""}})
    assert set(response.json()["errors"]) == {"consent_given_by", "child.family_name",
                                              "child.date_of_birth"}
    assert not EarlyHelpAssessment.objects.exists()
    response = post(api(north["police"]), "", START)
    assert response.status_code == 403 and response.json()["type"].endswith("/forbidden")


def test_start_plan_review_step_up(north, south) -> None:
    eh = api(north["early_help"])
    response = post(eh, "", START)
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["consent_given"] and doc["lead_practitioner"]["id"] == north["early_help"].pk
    rid = doc["id"]
    response = post(eh, f"/{rid}/plan", {"version": doc["version"], "started_on": "2026-11-10",
                                         "outcomes": "50 words", "next_review_on": None})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"next_review_on"}
    response = post(eh, f"/{rid}/plan", {"version": doc["version"], "started_on": "2026-11-10",
                                         "outcomes": "50 words", "next_review_on": "2026-12-10"})
    assert response.status_code == 201
    doc = response.json()
    response = post(eh, f"/{rid}/reviews", {"version": 1, "held_on": "2026-11-20",
                                            "progress": "x", "next_review_on": "2026-12-20"})
    assert response.status_code == 409
    response = post(eh, f"/{rid}/reviews", {"version": doc["version"], "held_on": "2026-11-20",
                                            "progress": "Better",
                                            "next_review_on": "2026-12-20"})
    assert response.status_code == 201 and len(response.json()["plan"]["reviews"]) == 1
    doc = response.json()
    assert api(south["social_worker"]).get(f"/api/v1/early-help/{rid}").status_code == 404
    response = post(api(north["health"]), f"/{rid}/step-up",
                    {"version": doc["version"], "concerns": "x"})
    assert response.status_code == 404  # health is not involved: sees nothing
    response = post(eh, f"/{rid}/step-up", {"version": doc["version"], "concerns": "Harm"})
    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert response.json()["case_id"] == referral.case_id and referral.source == "5D"
    assert api(north["early_help"]).get(f"/api/v1/early-help/{rid}").json()[
        "stepped_up_to_referral_id"] == referral.pk
