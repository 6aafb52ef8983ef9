"""The assessments API: the same services as the pages, problem documents naming the fields,
404 for anyone who may not see the case, 409 for a stale version."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from safeguard.api.auth import issue_token
from safeguard.assessments.models import Assessment
from safeguard.cases.models import Obligation

from .test_services import SECTIONS

pytestmark = [pytest.mark.django_db]
PROBLEM = "application/problem+json"


def api(staff) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user=staff.user, name='t')}"})


def send(client: Client, method: str, path: str, body: dict) -> object:
    return getattr(client, method)(f"/api/v1/assessments{path}", data=json.dumps(body, default=str),
                                   content_type="application/json")


def test_start_record_and_complete_late_through_the_api(north, referral) -> None:
    sw = api(north["social_worker"])
    response = send(sw, "post", "", {"case_id": referral.case_id, "referral_id": referral.pk,
                                     "kind": "s17", "started_on": "2026-08-28"})
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["timescale"] == {"due": "2026-11-02", "status": "overdue",
                                "working_days_left": 0, "working_days_late": 16,
                                "source": "WT2018 1.75"}
    aid = doc["id"]
    response = send(sw, "patch", f"/{aid}", {"version": doc["version"], "factors": ["21", "1B"]})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "/api/v1/problems/invalid-fields"
    assert set(problem["errors"]) == {"factors"}

    body = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in SECTIONS.items()}
    response = send(sw, "patch", f"/{aid}", {"version": doc["version"], **body})
    assert response.status_code == 200, response.content
    doc = response.json()
    assert doc["child_seen_alone"] is True and doc["factors"] == ["4B", "16A"]

    late = {"version": doc["version"], "completed_on": "2026-11-23", "outcome": "early_help"}
    response = send(sw, "post", f"/{aid}/completion", late)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"reason_late"}
    assert "45 working days" in response.json()["errors"]["reason_late"]
    response = send(sw, "post", f"/{aid}/completion", {**late, "reason_late": "Family away"})
    assert response.status_code == 200
    doc = response.json()
    assert doc["timescale"]["status"] == "late" and doc["timescale"]["working_days_late"] == 15
    ob = Obligation.objects.get(case_id=referral.case_id, duty="assessment.complete")
    assert (ob.status, ob.working_days_late) == ("late", 15)

    response = send(api(north["manager"]), "post", f"/{aid}/authorisation",
                    {"version": doc["version"]})
    assert response.status_code == 200 and response.json()["authorised_by"]["name"]


def test_bad_values_and_stale_versions(north, referral) -> None:
    sw = api(north["social_worker"])
    response = send(sw, "post", "", {"case_id": referral.case_id, "referral_id": referral.pk,
                                     "kind": "s99", "started_on": "2026-08-28"})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["pointer"] == "/kind"
    response = send(sw, "post", "", {"case_id": referral.case_id, "referral_id": referral.pk,
                                     "kind": "s17", "started_on": "2026-08-01"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"started_on"}
    assert not Assessment.objects.exists()
    aid = send(sw, "post", "", {"case_id": referral.case_id, "referral_id": referral.pk,
                                "kind": "s17", "started_on": "2026-08-28"}).json()["id"]
    assert send(sw, "patch", f"/{aid}", {"version": 1, "wishes_and_feelings": "A"}
                ).status_code == 200
    response = send(sw, "patch", f"/{aid}", {"version": 1, "wishes_and_feelings": "B"})
    assert response.status_code == 409 and response.json()["current_version"] == 2
    assert Assessment.objects.get().wishes_and_feelings == "A"


def test_others_get_404(north, south, referral) -> None:
    sw = api(north["social_worker"])
    aid = send(sw, "post", "", {"case_id": referral.case_id, "referral_id": referral.pk,
                                "kind": "s17", "started_on": "2026-08-28"}).json()["id"]
    other = api(south["social_worker"])
    assert other.get(f"/api/v1/assessments/{aid}").status_code == 404
    assert other.get(f"/api/v1/assessments/cases/{referral.case_id}").status_code == 404
    response = send(other, "patch", f"/{aid}", {"version": 1, "wishes_and_feelings": "x"})
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    response = send(api(north["police"]), "post", "", {
        "case_id": referral.case_id, "referral_id": referral.pk, "kind": "s17",
        "started_on": "2026-08-28"})
    assert response.status_code == 404
    assert Assessment.objects.count() == 1
    assert Client().get(f"/api/v1/assessments/{aid}").status_code == 401


def test_plan_and_closure_through_the_api(north, referral) -> None:
    sw = api(north["social_worker"])
    aid = send(sw, "post", "", {"case_id": referral.case_id, "referral_id": referral.pk,
                                "kind": "s17", "started_on": "2026-08-28"}).json()["id"]
    body = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in SECTIONS.items()}
    send(sw, "patch", f"/{aid}", {"version": 1, **body})
    send(sw, "post", f"/{aid}/completion", {"version": 2, "completed_on": "2026-10-30",
                                            "outcome": "child_in_need_plan"})
    response = send(sw, "post", f"/{aid}/child-in-need-plan", {
        "started_on": "2026-11-02", "summary": "Family support",
        "outcomes": [{"outcome": "", "measure": "x"}], "next_review_on": "2026-12-01"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"outcomes.0.outcome"}
    response = send(sw, "post", f"/{aid}/child-in-need-plan", {
        "started_on": "2026-11-02", "summary": "Family support",
        "outcomes": [{"outcome": "Goes to school", "measure": "95%"}],
        "agency_ids": [north.schools[0].pk], "next_review_on": "2026-12-01"})
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["agency_ids"] == [north.schools[0].pk] and len(plan["outcomes"]) == 1
    response = send(sw, "post", f"/child-in-need-plans/{plan['id']}/reviews", {
        "version": plan["version"], "held_on": "2026-11-20", "progress": "Good",
        "sufficient_progress": True, "next_review_on": "2027-01-10"})
    assert response.status_code == 201 and len(response.json()["reviews"]) == 1
    plan = response.json()
    response = send(sw, "post", f"/cases/{referral.case_id}/closure", {
        "version": 1, "closed_on": "2026-11-24", "reason": "RC8"})
    assert response.status_code == 400 and "child in need plan" in response.json()["errors"]["case"]
    response = send(sw, "post", f"/child-in-need-plans/{plan['id']}/end", {
        "version": plan["version"], "ended_on": "2026-11-24", "end_reason": "needs_met"})
    assert response.status_code == 200
    case_version = Assessment.objects.get().case.version
    response = send(sw, "post", f"/cases/{referral.case_id}/closure", {
        "version": case_version, "closed_on": "2026-11-24", "reason": "RC9",
        "early_help": {"lead_practitioner_id": north["early_help"].pk,
                       "started_on": "2026-11-24", "consent_given": True,
                       "consent_from": "parents", "consent_given_by": "Jo Turner",
                       "consent_recorded_on": "2026-11-24", "needs": "Routines"}})
    assert response.status_code == 200, response.content
    assert response.json()["closure_reason"] == "RC9" and response.json()["early_help_id"]


def test_the_operations_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/assessments", "/api/v1/assessments/{assessment_id}",
            "/api/v1/assessments/{assessment_id}/completion",
            "/api/v1/early-help", "/api/v1/early-help/{assessment_id}/step-up"} <= set(paths)
    completion = paths["/api/v1/assessments/{assessment_id}/completion"]["post"]
    assert {"400", "404", "409"} <= set(completion["responses"])
