"""/api/v1/protection: the same services as the pages, with problem documents for errors."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from safeguard.api.auth import issue_token
from safeguard.protection.models import ChildProtectionPlan, StrategyDiscussion
from safeguard.statutory.duties import first_core_group_due

from .conftest import attendees, invitees, on
from .test_services import CORE_GROUP, ENDED, ICPC, OUTCOME, STRATEGY

pytestmark = [pytest.mark.django_db]
BASE = "/api/v1/protection"
PROBLEM = "application/problem+json"


class Api:
    def __init__(self, staff) -> None:
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": "Bearer " + issue_token(user=staff.user, name="t")}

    def get(self, path: str):
        return self.client.get(BASE + path, **self.auth)

    def post(self, path: str, body: dict, method: str = "post"):
        return getattr(self.client, method)(BASE + path, json.dumps(body, default=str),
                                            content_type="application/json", **self.auth)


def strategy_body(area, **changes) -> dict:
    body = {"held_on": STRATEGY.isoformat(), "attendees": attendees(area),
            "s47_initiated": True, "criminal_investigation": False,
            "decisions": "Section 47 enquiries",
            "actions": [{"action": "Visit", "owner_agency_id": area.la.pk,
                         "due_on": STRATEGY.isoformat()}]}
    body.update(changes)
    return body


def test_a_strategy_discussion_without_police_is_a_problem_naming_the_field(north, case):
    api = Api(north["social_worker"])
    with on(STRATEGY):
        response = api.post(f"/cases/{case.pk}/strategy-discussions",
                            strategy_body(north, attendees=attendees(north, police=False)))
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["errors"] == {"attendees.police": "Add an attendee from the police"}
    assert "attendees.police" in problem["detail"]
    assert not StrategyDiscussion.objects.exists()


def test_a_malformed_body_names_the_field(north, case):
    api = Api(north["social_worker"])
    body = strategy_body(north)
    del body["held_on"]
    body["s47_initiated"] = "perhaps"
    response = api.post(f"/cases/{case.pk}/strategy-discussions", body)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    pointers = {e.get("pointer") for e in response.json()["errors"]}
    assert {"/held_on", "/s47_initiated"} <= pointers
    assert not StrategyDiscussion.objects.exists()


def test_other_areas_get_404_whether_or_not_the_record_exists(north, south, case):
    with on(STRATEGY):
        created = Api(north["social_worker"]).post(f"/cases/{case.pk}/strategy-discussions",
                                                   strategy_body(north))
    assert created.status_code == 201
    discussion = created.json()
    other = Api(south["social_worker"])
    for path in (f"/strategy-discussions/{discussion['id']}", "/strategy-discussions/999999",
                 f"/cases/{case.pk}"):
        response = other.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == PROBLEM
    with on(STRATEGY):
        response = other.post(f"/cases/{case.pk}/strategy-discussions", strategy_body(north))
    assert response.status_code == 404
    assert Client().get(BASE + f"/cases/{case.pk}").status_code == 401


def test_the_pathway_through_the_api(north, case):
    sw, chair = Api(north["social_worker"]), Api(north["chair"])
    with on(STRATEGY):
        discussion = sw.post(f"/cases/{case.pk}/strategy-discussions",
                             strategy_body(north)).json()
    enquiry = discussion["enquiry"]
    assert enquiry["started_on"] == STRATEGY.isoformat()
    assert [a["agency"] for a in discussion["attendees"]][:2] == [
        "Northshire Council", "Northshire Police"]
    with on(OUTCOME):
        stale = sw.post(f"/enquiries/{enquiry['id']}/outcome", {
            "outcome_on": OUTCOME.isoformat(), "substantiated": True, "conference": True,
            "version": enquiry["version"] + 5})
        assert stale.status_code == 409
        assert stale.json()["current_version"] == enquiry["version"]
        outcome = sw.post(f"/enquiries/{enquiry['id']}/outcome", {
            "outcome_on": OUTCOME.isoformat(), "substantiated": True, "conference": True,
            "version": enquiry["version"]})
    assert outcome.status_code == 200 and outcome.json()["substantiated"] is True
    with on(ICPC):
        response = chair.post(f"/cases/{case.pk}/conferences", {
            "kind": "initial", "held_on": ICPC.isoformat(), "chair_id": north["chair"].pk,
            "invitees": invitees(north), "plan_decision": True, "category": "EMO",
            "lead_social_worker_id": north["social_worker"].pk,
            "core_group": [{"agency_id": north.trust.pk, "staff_id": north["health"].pk}]})
    assert response.status_code == 201, response.json()
    plan_id = response.json()["plan_id"]
    protection = sw.get(f"/cases/{case.pk}").json()
    duties = {o["duty"]: o for o in protection["obligations"]}
    assert duties["cpp.core-group"]["due"] == first_core_group_due(ICPC).isoformat()
    assert protection["open_plan"]["id"] == plan_id
    with on(CORE_GROUP):
        plan = Api(north["health"]).post(f"/plans/{plan_id}/core-group-meetings",
                                         {"held_on": CORE_GROUP.isoformat()})
    assert plan.status_code == 201 and len(plan.json()["core_group_meetings"]) == 1
    with on(ENDED):
        refused = sw.post(f"/plans/{plan_id}/end", {"reason": "moved",
                                                    "ended_on": ENDED.isoformat()})
        assert refused.status_code == 400
        assert set(refused.json()["errors"]) == {"receiving_conference_on"}
        ended = sw.post(f"/plans/{plan_id}/end", {"reason": "died",
                                                  "ended_on": ENDED.isoformat()})
    assert ended.status_code == 200
    assert ended.json()["active"] is False
    assert len(ended.json()["end_notifications"]) == 5
    assert ChildProtectionPlan.objects.get().end_reason == "died"


def test_the_openapi_document_lists_the_operations():
    document = Client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert "/api/v1/protection/cases/{case_id}/strategy-discussions" in paths
    assert "/api/v1/protection/plans/{plan_id}/end" in paths
    operation = paths["/api/v1/protection/plans/{plan_id}/end"]["post"]
    assert {"200", "400", "404", "409"} <= set(operation["responses"])
    assert "PlanEndIn" in document["components"]["schemas"]


def test_moved_in_and_return_home(north, case):
    api = Api(north["social_worker"])
    day = date(2026, 11, 4)
    with on(day):
        notice = api.post(f"/cases/{case.pk}/moved-in-notices", {
            "notified_on": day.isoformat(), "from_local_authority": "Southshire Council"})
        home = api.post(f"/cases/{case.pk}/returns-home", {
            "returned_on": day.isoformat(), "planned": True, "assessment": "Ready",
            "support_plan": "Weekly visits"})
        bad = api.post(f"/cases/{case.pk}/immediate-protection", {
            "kind": "epo", "taken_on": "2026-11-05", "acting_agency_id": north.la.pk,
            "acted_by": "", "details": "x"})
    assert notice.status_code == 201 and home.status_code == 201
    assert set(bad.json()["errors"]) == {"taken_on", "acted_by"}
