"""/api/v1/sharing: the same services as the pages, with problem documents naming the field
for bad input (nothing changed) and 404 for a case the caller may not see."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from safeguard.api.auth import issue_token
from safeguard.sharing.models import ConferenceReportSent, SharingDecision

from .conftest import WITH_CONSENT, WITHOUT_CONSENT

pytestmark = [pytest.mark.django_db]
BASE = "/api/v1/sharing"
PROBLEM = "application/problem+json"


class Api:
    def __init__(self, staff) -> None:
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": "Bearer " + issue_token(user=staff.user, name="t")}

    def get(self, path: str):
        return self.client.get(BASE + path, **self.auth)

    def post(self, path: str, body: dict):
        return self.client.post(BASE + path, json.dumps(body, default=str),
                                content_type="application/json", **self.auth)


def test_record_a_decision_and_read_it(north, conference):
    api = Api(north["police"])
    case = conference.case
    bad = api.post(f"/cases/{case.pk}/decisions",
                   {"decision": "share", "what": "Custody record",
                    "with_agency_id": north.la.pk, **WITHOUT_CONSENT, "article_6_basis": ""})
    assert bad.status_code == 400 and bad["Content-Type"] == PROBLEM
    assert set(bad.json()["errors"]) == {"article_6_basis"}
    assert "article_6_basis" in bad.json()["detail"]
    assert not SharingDecision.objects.exists()
    good = api.post(f"/cases/{case.pk}/decisions",
                    {"decision": "share", "what": "Custody record",
                     "with_agency_id": north.la.pk, **WITHOUT_CONSENT,
                     "items": [{"type": "conference", "id": conference.pk}]})
    assert good.status_code == 201
    made = good.json()
    assert made["without_consent"] and made["decided_by_agency_id"] == north.police.pk
    assert made["items"] == [{"type": "conference", "id": conference.pk}]
    assert api.get(f"/cases/{case.pk}/decisions/{made['id']}").json() == made
    assert [d["id"] for d in api.get(f"/cases/{case.pk}/decisions").json()] == [made["id"]]


def test_a_malformed_basis_is_a_problem_naming_the_field(north, conference):
    response = Api(north["social_worker"]).post(
        f"/cases/{conference.case.pk}/decisions",
        {"decision": "share", "what": "x", "with_whom": "y", **WITHOUT_CONSENT,
         "article_6_basis": "6(1)(z)"})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert "/article_6_basis" in response.json()["detail"]
    assert not SharingDecision.objects.exists()


def test_send_the_report_and_each_agency_sees_its_own(north, conference):
    chair = Api(north["chair"])
    path = f"/conferences/{conference.pk}/reports"
    bad = chair.post(path, {"agency_ids": [], **WITH_CONSENT})
    assert bad.status_code == 400 and bad.json()["errors"] == {
        "agency_ids": "Select the agencies to send the report to"}
    assert not ConferenceReportSent.objects.exists()
    sent = chair.post(path, {"agency_ids": [north.police.pk, north.trust.pk], **WITH_CONSENT})
    assert sent.status_code == 201
    body = sent.json()
    assert {r["agency_id"] for r in body["recipients"]} == {north.police.pk, north.trust.pk}
    assert all(r["sharing_decision"]["action"] == "conference_report"
               for r in body["recipients"])
    assert body["report"]["category"] == "Physical abuse"
    police = Api(north["police"]).get(path).json()
    assert [[r["agency_id"] for r in s["recipients"]] for s in police] == [[north.police.pk]]
    assert Api(north["school_dsl"]).get(path).json() == []


def test_who_cannot_send_or_export_gets_a_404_and_nothing_changes(north, south, conference):
    case = conference.case
    other = Api(south["social_worker"])
    for path, body in ((f"/conferences/{conference.pk}/reports",
                        {"agency_ids": [north.police.pk], **WITH_CONSENT}),
                       (f"/cases/{case.pk}/exports",
                        {"sections": ["chronology"], "with_whom": "Court", **WITH_CONSENT})):
        response = other.post(path, body)
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert Api(north["police"]).post(f"/cases/{case.pk}/exports", {
        "sections": ["chronology"], "with_whom": "Court", **WITH_CONSENT}).status_code == 404
    assert not SharingDecision.objects.exists()


def test_export_a_case_record(north, south, conference):
    api = Api(north["social_worker"])
    path = f"/cases/{conference.case.pk}/exports"
    bad = api.post(path, {"sections": [], "with_agency_id": south.la.pk, **WITH_CONSENT})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"sections"}
    assert not SharingDecision.objects.exists()
    response = api.post(path, {"sections": ["chronology", "obligations"],
                               "with_agency_id": south.la.pk, **WITHOUT_CONSENT})
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    document = response.json()
    record = SharingDecision.objects.get()
    assert document["sharing_decision_id"] == record.pk
    assert document["case"]["reference"] == conference.case.reference
    assert {"chronology", "obligations"} <= set(document) and "family" not in document
    assert record.without_consent and record.with_agency == south.la


def test_the_openapi_document_describes_the_sharing_operations():
    document = Client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert set(paths[f"{BASE}/conferences/{{conference_id}}/reports"]) == {"get", "post"}
    assert "400" in paths[f"{BASE}/cases/{{case_id}}/exports"]["post"]["responses"]
