"""The case pathway's API: every operation asks for sign-in (401), answers bad input with a
problem naming the field (400), hides others' cases (404) and refuses stale changes (409);
the same services and selectors as the pages."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from safeguard.api.auth import issue_token
from safeguard.cases.models import Obligation
from safeguard.cases.timeline import case_timeline
from safeguard.core.models import AuditEntry
from safeguard.demo.areas import build_area
from safeguard.referrals.models import Referral, ReferralDecision
from safeguard.referrals.services import referral_create, referral_decide
from safeguard.statutory import obligations_document

pytestmark = [pytest.mark.django_db, pytest.mark.db]

PROBLEM = "application/problem+json"
CHILD = {"given_name": "Ava", "family_name": "Turner", "date_of_birth": "2015-03-14"}
DECISION = {"decided_on": "2026-11-24", "outcome": "assessment", "reasons": "In need",
            "feedback_to_referrer": "An assessment will start", "family_informed": True}


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


def api(staff) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user=staff.user, name='t')}"})


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"/api/v1/problems/{slug}" and body["status"] == status
    return body


@pytest.fixture
def referral(north) -> Referral:
    return referral_create(actor=north["school_dsl"].user, concerns="Bruises",
                           child={**CHILD, "date_of_birth": date(2015, 3, 14)})


OPERATIONS = [
    ("get", "/api/v1/cases", None),
    ("get", "/api/v1/cases/{case}", None),
    ("get", "/api/v1/cases/{case}/timeline", None),
    ("post", "/api/v1/cases/{case}/allocation", {"worker_id": 1, "version": 1}),
    ("post", "/api/v1/cases/{case}/break-glass", {"reason": "A child at risk tonight"}),
    ("get", "/api/v1/referrals/queue", None),
    ("post", "/api/v1/referrals", {"concerns": "x", "child": CHILD}),
    ("get", "/api/v1/referrals/{referral}", None),
    ("post", "/api/v1/referrals/{referral}/decision", DECISION),
    ("post", "/api/v1/referrals/{referral}/authorisation", {"version": 1}),
    ("get", "/api/v1/people/search?name=Ava", None),
    ("get", "/api/v1/work?scope=mine", None),
]


@pytest.mark.parametrize("method, path, body", OPERATIONS)
def test_every_operation_asks_for_sign_in(referral, method, path, body) -> None:
    path = path.format(case=referral.case_id, referral=referral.pk)
    client = Client(enforce_csrf_checks=True)
    response = post(client, path, body) if method == "post" else client.get(path)
    problem(response, 401, "sign-in-required")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Referral.objects.count() == 1 and not ReferralDecision.objects.exists()


def test_the_openapi_document_describes_every_operation(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    for method, path, _body in OPERATIONS:
        template = path.split("?")[0].replace("{case}", "{case_id}").replace(
            "{referral}", "{referral_id}")
        operation = document["paths"][template][method]
        assert operation["summary"] and operation["operationId"]
        assert operation["security"] == [{"BearerToken": []}, {"Session": []}]
        assert operation["responses"]["401"]["content"][PROBLEM]["schema"] == {
            "$ref": "#/components/schemas/Problem"}
    decide = document["paths"]["/api/v1/referrals/{referral_id}/decision"]["post"]
    assert {"200", "400", "401", "404", "409"} <= set(decide["responses"])
    schemas = document["components"]["schemas"]
    assert set(schemas["ReferralDecisionIn"]["properties"]) >= {"outcome", "version", "reasons"}
    assert schemas["CaseObligationOut"]["properties"]["status"]["enum"] == [
        "met", "late", "due", "overdue", "withdrawn", "missed"]


# ---- cases ---------------------------------------------------------------------------------


def test_cases_list_and_read(north, south, referral) -> None:
    client = api(north["social_worker"])
    listed = client.get("/api/v1/cases?page_size=10").json()
    assert listed["count"] == 1 and listed["results"][0]["reference"] == "901-000001"
    assert listed["results"][0]["child"]["nhs_number"] == ""
    case = client.get(f"/api/v1/cases/{referral.case_id}")
    assert case.status_code == 200 and case["Cache-Control"] == "no-store"
    body = case.json()
    # The obligations, in the contract's output form, exactly as the engine gives them for
    # the case's timeline: what `safeguard export-timelines` + `safeguard obligations` give.
    expected = obligations_document(case_timeline(referral.case), date(2026, 11, 24))
    assert body["obligations"] == expected["obligations"]
    assert body["obligations_as_of"] == "2026-11-24"
    assert [c["event"] for c in body["chronology"]] == ["Referral received"]
    assert AuditEntry.objects.filter(action="view", case_id=referral.case_id, source="api"
                                     ).exists()
    assert api(south["social_worker"]).get("/api/v1/cases").json()["count"] == 0


def test_the_case_timeline_is_the_contract_input(north, referral) -> None:
    response = api(north["social_worker"]).get(f"/api/v1/cases/{referral.case_id}/timeline")
    assert response.json() == {"child": {"date_of_birth": "2015-03-14"},
                               "events": [{"type": "referral_received",
                                           "date": "2026-11-24"}]}
    # ...which the obligations operation reads back into the stored obligations.
    checked = post(api(north["social_worker"]), "/api/v1/obligations?as_of=2026-11-24",
                   response.json()).json()
    stored = [o.as_contract() for o in Obligation.objects.filter(case=referral.case)]
    assert checked["obligations"] == stored


@pytest.mark.parametrize("path", ["/api/v1/cases/{case}", "/api/v1/cases/{case}/timeline",
                                  "/api/v1/cases/999999"])
def test_others_cases_are_not_found(north, south, referral, path) -> None:
    path = path.format(case=referral.case_id)
    for staff in (south["social_worker"], north["police"]):
        body = problem(api(staff).get(path), 404, "not-found")
        assert "do not have access" in body["detail"]


def test_bad_paging_names_the_parameter(north) -> None:
    body = problem(api(north["social_worker"]).get("/api/v1/cases?page=0"), 400,
                   "invalid-request")
    assert body["errors"][0]["parameter"] == "page"


def test_allocation(north, south, referral) -> None:
    case_id = referral.case_id
    manager = api(north["manager"])
    ok = post(manager, f"/api/v1/cases/{case_id}/allocation",
              {"worker_id": north["social_worker"].pk, "version": 1})
    assert ok.status_code == 200 and ok.json()["allocated_worker"]["name"] == "Amara Okafor"
    stale = post(manager, f"/api/v1/cases/{case_id}/allocation",
                 {"worker_id": north["social_worker_2"].pk, "version": 1})
    assert problem(stale, 409, "edit-conflict")["current_version"] == 2
    bad = post(manager, f"/api/v1/cases/{case_id}/allocation",
               {"worker_id": south["social_worker"].pk, "version": 2})
    # Named as the body names it (the service says "worker").
    assert problem(bad, 400, "invalid-fields")["errors"] == {
        "worker_id": "Choose a social worker in this local authority"}
    missing = post(manager, f"/api/v1/cases/{case_id}/allocation", {"worker_id": 1})
    assert problem(missing, 400, "invalid-request")["errors"][0]["pointer"] == "/version"
    for staff in (north["social_worker"], south["manager"]):
        problem(post(api(staff), f"/api/v1/cases/{case_id}/allocation",
                     {"worker_id": north["social_worker"].pk, "version": 2}), 404, "not-found")


# ---- referrals -----------------------------------------------------------------------------


def test_a_school_makes_a_referral(north) -> None:
    response = post(api(north["school_dsl"]), "/api/v1/referrals",
                    {"concerns": "Bruises", "child": {**CHILD, "nhs_number": "9434765919"}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "2A" and body["received_on"] == "2026-11-24"
    assert body["decision_due"] == "2026-11-25" and body["decision_status"] == "due"
    assert body["decision"] is None


def test_bad_referrals_name_the_fields_and_change_nothing(north) -> None:
    client = api(north["school_dsl"])
    body = problem(post(client, "/api/v1/referrals", {
        "concerns": " ", "child": {**CHILD, "nhs_number": "9434765918", "upn": "X"}}),
        400, "invalid-fields")
    assert body["errors"] == {
        "concerns": "Enter the concerns about the child",
        "child.nhs_number": "NHS number is not valid: check the digits",
        "child.upn": "Unique pupil number must be 13 characters, like B801200005001"}
    body = problem(post(client, "/api/v1/referrals", {"concerns": "x", "child": {
        **CHILD, "date_of_birth": "2015-02-30"}}), 400, "invalid-request")
    assert body["errors"][0]["pointer"] == "/child/date_of_birth"
    body = problem(post(api(north["front_door"]), "/api/v1/referrals", {
        "concerns": "x", "child": CHILD, "source": "ZZ", "received_on": "2026-11-24"}),
        400, "invalid-request")
    assert body["errors"][0]["pointer"] == "/source"
    assert not Referral.objects.exists()


def test_a_role_that_cannot_refer_is_forbidden(north) -> None:
    problem(post(api(north["partnership"]), "/api/v1/referrals",
                 {"concerns": "x", "child": CHILD}), 403, "forbidden")
    assert not Referral.objects.exists()


def test_the_queue(north, south, referral) -> None:
    [item] = api(north["front_door"]).get("/api/v1/referrals/queue").json()
    assert (item["referral_id"], item["due"], item["status"], item["referrer"]) == (
        referral.pk, "2026-11-25", "due", "Northshire Primary School")
    assert api(south["front_door"]).get("/api/v1/referrals/queue").json() == []
    assert api(north["school_dsl"]).get("/api/v1/referrals/queue").status_code == 403


def test_decide_authorise_and_the_referrer_reads_it(north, referral) -> None:
    worker = api(north["social_worker"])
    decided = post(worker, f"/api/v1/referrals/{referral.pk}/decision", DECISION)
    assert decided.status_code == 200, decided.content
    assert decided.json()["decision"]["version"] == 1
    # A second first decision, made without the version, never overwrites the first.
    again = post(api(north["social_worker_2"]), f"/api/v1/referrals/{referral.pk}/decision",
                 {**DECISION, "outcome": "no_further_action"})
    assert problem(again, 409, "edit-conflict")["current_version"] == 1
    stale = post(api(north["manager"]), f"/api/v1/referrals/{referral.pk}/authorisation",
                 {"version": 7})
    problem(stale, 409, "edit-conflict")
    authorised = post(api(north["manager"]), f"/api/v1/referrals/{referral.pk}/authorisation",
                      {"version": 1})
    assert authorised.json()["decision"]["authorised_by"] == "Priya Shah"
    seen = api(north["school_dsl"]).get(f"/api/v1/referrals/{referral.pk}").json()
    assert seen["decision"]["feedback_to_referrer"] == "An assessment will start"
    assert seen["decision"]["reasons"] is None  # internal to social care
    assert seen["decision_status"] == "met"
    decision = ReferralDecision.objects.get()
    assert (decision.outcome, decision.authorised_by) == ("assessment", north["manager"])


def test_bad_decisions_name_the_fields(north, referral) -> None:
    client = api(north["social_worker"])
    body = problem(post(client, f"/api/v1/referrals/{referral.pk}/decision", {
        **DECISION, "reasons": "", "family_informed": False, "decided_on": "2026-11-20"}),
        400, "invalid-fields")
    assert set(body["errors"]) == {"reasons", "family_not_informed_reason", "decided_on"}
    body = problem(post(client, f"/api/v1/referrals/{referral.pk}/decision",
                        {**DECISION, "outcome": "adopt"}), 400, "invalid-request")
    assert body["errors"][0]["pointer"] == "/outcome"
    problem(post(api(north["manager"]), f"/api/v1/referrals/{referral.pk}/authorisation",
                 {"version": 1}), 400, "invalid-fields")  # nothing to authorise yet
    assert not ReferralDecision.objects.exists()


def test_others_referrals_are_not_found(north, south, referral) -> None:
    for staff in (south["social_worker"], north["police"]):
        client = api(staff)
        problem(client.get(f"/api/v1/referrals/{referral.pk}"), 404, "not-found")
        problem(post(client, f"/api/v1/referrals/{referral.pk}/decision", DECISION), 404,
                "not-found")
    referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                    decided_on=date(2026, 11, 24), outcome="early_help", reasons="x")
    problem(post(api(north["social_worker"]), f"/api/v1/referrals/{referral.pk}/authorisation",
                 {"version": 1}), 404, "not-found")
    assert ReferralDecision.objects.get().authorised_by is None


# ---- people and work -----------------------------------------------------------------------


def test_people_search(north, south, referral) -> None:
    [found] = api(north["social_worker"]).get("/api/v1/people/search?name=tunrer").json()
    assert found["family_name"] == "Turner"
    assert found["cases"] == [{"case_id": referral.case_id, "case_reference": "901-000001",
                               "relationship": ""}]
    assert api(south["social_worker"]).get("/api/v1/people/search?name=Turner").json() == []
    body = problem(api(north["social_worker"]).get("/api/v1/people/search?nhs_number=123"),
                   400, "invalid-fields")
    assert body["errors"] == {"nhs_number": "NHS number must be 10 digits, like 943 476 5919"}
    body = problem(api(north["social_worker"]).get("/api/v1/people/search"), 400,
                   "invalid-fields")
    assert set(body["errors"]) == {"name"}
    body = problem(api(north["social_worker"]).get(
        "/api/v1/people/search?date_of_birth=14-03-2015"), 400, "invalid-request")
    assert body["errors"][0]["parameter"] == "date_of_birth"


def test_work(north, referral) -> None:
    from safeguard.cases.services import case_allocate

    case_allocate(actor=north["manager"].user, case_id=referral.case_id,
                  worker_id=north["social_worker"].pk)
    [item] = api(north["social_worker"]).get("/api/v1/work?scope=mine").json()["items"]
    assert (item["duty"], item["due"], item["status"]) == (
        "referral.decision", "2026-11-25", "due")
    team = api(north["manager"]).get("/api/v1/work?scope=team").json()
    assert team["scope"] == "team" and len(team["items"]) == 1
    body = problem(api(north["manager"]).get("/api/v1/work?scope=everyone"), 400,
                   "invalid-request")
    assert body["errors"][0]["parameter"] == "scope"


def test_work_lists_are_refused_as_their_pages_are(north, referral) -> None:
    """A partner agency has no "my work", team or front door queue: the API says so (403),
    as the pages do (404), rather than answering with an empty list."""
    for persona in ("police", "school_dsl", "health"):
        for path in ("/api/v1/work?scope=mine", "/api/v1/work?scope=team",
                     "/api/v1/referrals/queue"):
            body = problem(api(north[persona]).get(path), 403, "forbidden")
            assert "social care" in body["detail"]
    # A social worker has their own work and the front door, not their team's.
    assert api(north["social_worker"]).get("/api/v1/referrals/queue").status_code == 200
    problem(api(north["social_worker"]).get("/api/v1/work?scope=team"), 403, "forbidden")


def test_a_browser_session_works_with_its_csrf_token(north, referral) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(north["social_worker"].user)
    assert browser.get("/api/v1/cases").status_code == 200
    refused = post(browser, f"/api/v1/referrals/{referral.pk}/decision", DECISION)
    assert refused.status_code == 403 and not ReferralDecision.objects.exists()
    browser.get("/")
    response = browser.post(f"/api/v1/referrals/{referral.pk}/decision", json.dumps(DECISION),
                            content_type="application/json",
                            headers={"X-CSRFToken": browser.cookies["csrftoken"].value})
    assert response.status_code == 200
