"""Schemathesis against the API's OpenAPI document, signed in as several roles.

The schema is loaded from the Django WSGI application itself (``/api/v1/openapi.json``), and
every operation is called with inputs generated from it (valid and invalid), by a social
worker, a team manager, a police officer and a school's designated safeguarding lead of one
local authority, and a social worker of another. Every response must:

- not be a server error (5xx);
- conform to the document: a status code it declares, the content type it declares for that
  status (``application/problem+json`` for errors), a body matching the declared schema;
- never give a 2xx for a path id of a case the caller may not see (``cases_visible_to``,
  asked just before the call) — ids of records on a case (referrals, strategy discussions,
  enquiries, conferences, plans, assessments) count as the case's. The one exception is
  break-glass, which may open a case the caller cannot see, but only when the policy allows
  it (``may_break_glass``).

Path ids are drawn from the records built first (in both areas) and an id that exists
nowhere, so that the operations reach real data rather than only 404s.

Hypothesis is bounded (a few examples per operation, no deadline, derandomized, no example
database) so the file runs in well under two minutes and the same way on every run.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import hypothesis
import pytest
import schemathesis
import time_machine
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safeguard.api.auth import issue_token
from safeguard.assessments.models import Assessment, ChildInNeedPlan
from safeguard.assessments.services import assessment_start
from safeguard.cases.models import Case
from safeguard.cases.policy import cases_visible_to, may_break_glass
from safeguard.demo.areas import build_area
from safeguard.earlyhelp.models import EarlyHelpAssessment
from safeguard.earlyhelp.services import early_help_start
from safeguard.protection.models import (
    ChildProtectionPlan,
    Conference,
    PlanAction,
    Section47Enquiry,
    StrategyDiscussion,
)
from safeguard.protection.services import (
    conference_record,
    s47_outcome_record,
    strategy_discussion_record,
)
from safeguard.referrals.models import Referral
from safeguard.referrals.services import referral_create, referral_decide

pytestmark = [pytest.mark.django_db, pytest.mark.db]

#: Examples per operation and role, in each generation mode (valid, then invalid inputs).
POSITIVE_EXAMPLES = 5
NEGATIVE_EXAMPLES = 3
#: An id no record has.
MISSING_ID = 999_999

ROLES = [
    ("north", "social_worker"),
    ("north", "manager"),
    ("north", "police"),
    ("north", "school_dsl"),
    ("south", "social_worker"),  # someone of another local authority
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The project's WSGI application, called in the test's thread (and so inside its
    transaction). Django closes "old" connections at each request's start and end, which
    inside the test's transaction would lose it; its own test client turns that off the same
    way."""
    from safeguard.config.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def quiet_requests() -> Iterator[None]:
    """Django logs every 4xx as a warning: only server errors are worth reading here."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _on(day: date) -> Any:
    return time_machine.travel(f"{day.isoformat()} 12:00:00+00:00", tick=False)


@dataclass
class World:
    """The records built for the run, and for each path parameter the ids to draw from."""

    areas: dict[str, Any]
    ids: dict[str, list[int]] = field(default_factory=dict)
    #: (path parameter, id) -> the case the record belongs to.
    case_of: dict[tuple[str, int], int] = field(default_factory=dict)


def _refer(area: Any, child: dict[str, Any], *, outcome: str | None, received: date,
           by: str = "school_dsl") -> Referral:
    with _on(received):
        referral = referral_create(actor=area[by].user, received_on=received, source="2A"
                                   if by == "school_dsl" else "", concerns="Bruising seen",
                                   child=child)
        if outcome:
            referral_decide(actor=area["social_worker"].user, referral_id=referral.pk,
                            decided_on=received, outcome=outcome, reasons="Needs a response",
                            feedback_to_referrer="We will act", family_informed=True)
    return referral


def _attendees(area: Any) -> list[dict[str, Any]]:
    return [
        {"agency_id": area.la.pk, "staff_id": area["social_worker"].pk},
        {"agency_id": area.police.pk, "name": "DS Sarah Bennett", "role": "DS",
         "staff_id": area["police"].pk},
        {"agency_id": area.trust.pk, "name": "Dr Grace Adeyemi", "role": "Named doctor",
         "staff_id": area["health"].pk},
        {"agency_id": area.schools[0].pk, "name": "Mark Evans", "role": "DSL"},
    ]


def _to_plan(area: Any, referral: Referral) -> None:
    """Strategy discussion, substantiated enquiries, an initial conference with a plan."""
    with _on(date(2026, 11, 3)):
        discussion = strategy_discussion_record(
            actor=area["social_worker"].user, case_id=referral.case_id,
            held_on=date(2026, 11, 3), attendees=_attendees(area), s47_initiated=True,
            criminal_investigation=True, decisions="Section 47 enquiries",
            actions=[{"action": "Joint visit", "owner_agency_id": area.police.pk,
                      "owner": "DS Bennett", "due_on": date(2026, 11, 3)}])
    with _on(date(2026, 11, 12)):
        s47_outcome_record(actor=area["social_worker"].user,
                           enquiry_id=discussion.enquiry.pk, outcome_on=date(2026, 11, 12),
                           substantiated=True, conference=True)
    with _on(date(2026, 11, 17)):
        conference_record(
            actor=area["chair"].user, case_id=referral.case_id, kind="initial",
            held_on=date(2026, 11, 17), chair_id=area["chair"].pk,
            invitees=[{"agency_id": area.la.pk, "staff_id": area["social_worker"].pk,
                       "attended": True, "report_submitted": True},
                      {"agency_id": area.police.pk, "name": "DS Sarah Bennett",
                       "attended": True, "report_submitted": True},
                      {"agency_id": area.trust.pk, "staff_id": area["health"].pk,
                       "attended": True, "report_submitted": True}],
            plan_decision=True, category="PHY",
            lead_social_worker_id=area["social_worker"].pk,
            core_group=[{"agency_id": area.trust.pk, "staff_id": area["health"].pk},
                        {"agency_id": area.schools[0].pk, "name": "Mark Evans"}])


def _build_world() -> World:
    north = build_area("Northshire", "901", "north")
    south = build_area("Southshire", "902", "south")
    for area, child in ((north, {"given_name": "Mia", "family_name": "Clarke",
                                 "date_of_birth": date(2014, 5, 9)}),
                        (south, {"given_name": "Noah", "family_name": "Price",
                                 "date_of_birth": date(2013, 2, 1)})):
        # A case on a child protection plan, one being assessed, one awaiting a decision.
        _to_plan(area, _refer(area, child, outcome="strategy_discussion",
                              received=date(2026, 11, 2)))
        assessed = _refer(area, {"given_name": "Ava", "family_name": "Turner",
                                 "date_of_birth": date(2015, 3, 14)},
                          outcome="assessment", received=date(2026, 11, 9))
        with _on(date(2026, 11, 10)):
            assessment_start(actor=area["social_worker"].user, case_id=assessed.case_id,
                             referral_id=assessed.pk, kind="s17",
                             started_on=date(2026, 11, 10))
        _refer(area, {"given_name": "Leo", "family_name": "Hart",
                      "date_of_birth": date(2019, 5, 1)}, outcome=None,
               received=date(2026, 11, 24), by="police")
        early_help_start(actor=area["early_help"].user, started_on=date(2026, 11, 3),
                         consent_given=True, consent_from="child_and_parents",
                         consent_given_by="Jo Hart", consent_recorded_on=date(2026, 11, 2),
                         needs="Speech delay",
                         child={"given_name": "Isla", "family_name": "Hart",
                                "date_of_birth": date(2020, 1, 5)})

    world = World(areas={"north": north, "south": south})

    records: dict[str, list[tuple[int, int | None]]] = {
        "case_id": [(pk, pk) for pk in Case.objects.values_list("pk", flat=True)],
        "referral_id": list(Referral.objects.values_list("pk", "case_id")),
        "discussion_id": list(StrategyDiscussion.objects.values_list("pk", "case_id")),
        "enquiry_id": list(Section47Enquiry.objects.values_list("pk", "case_id")),
        "conference_id": list(Conference.objects.values_list("pk", "case_id")),
        # /protection/plans/{plan_id} and /assessments/child-in-need-plans/{plan_id}.
        "plan_id": list(ChildProtectionPlan.objects.values_list("pk", "case_id"))
        + [(pk, None) for pk in ChildInNeedPlan.objects.values_list("pk", flat=True)],
        "action_id": [(pk, None) for pk in PlanAction.objects.values_list("pk", flat=True)],
        # /assessments/{assessment_id} and /early-help/{assessment_id}.
        "assessment_id": list(Assessment.objects.values_list("pk", "case_id"))
        + [(pk, None) for pk in EarlyHelpAssessment.objects.values_list("pk", flat=True)],
    }
    assert records["plan_id"] and records["assessment_id"] and records["conference_id"]
    for name, rows in records.items():
        world.ids[name] = sorted({pk for pk, _ in rows})
    return world


def _case_behind(world: World, operation: Any, name: str, value: Any) -> int | None:
    """The case a path id belongs to, when it is a case's record; else None."""
    path = operation.path
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if name == "case_id":
        return value
    if name == "assessment_id" and path.startswith("/api/v1/early-help"):
        return None  # an early help record is not a case
    if name == "plan_id" and "child-in-need-plans" in path:
        return _cin_plan_case(value)
    if name == "assessment_id":
        return Assessment.objects.filter(pk=value).values_list("case_id", flat=True).first()
    model = {"referral_id": Referral, "discussion_id": StrategyDiscussion,
             "enquiry_id": Section47Enquiry, "conference_id": Conference,
             "plan_id": ChildProtectionPlan}.get(name)
    if model is None:
        return None
    return model.objects.filter(pk=value).values_list("case_id", flat=True).first()


def _cin_plan_case(pk: int) -> int | None:
    return ChildInNeedPlan.objects.filter(pk=pk).values_list("case_id", flat=True).first()


def _strategy(world: World, operation: Any, mode: GenerationMode) -> Any:
    """Cases for the operation, its path ids drawn from the records (and a missing one)."""
    names = [p.name for p in operation.path_parameters]
    if not names:
        return operation.as_strategy(generation_mode=mode)
    # The records' ids, in an order of the operation's own (Hypothesis favours the first
    # few, and every area should get its turn), then ids that name nothing: missing, zero,
    # and too large for the database.
    def pool(name: str) -> list[int]:
        ids = list(world.ids.get(name, [1]))
        random.Random(f"{operation.label} {name}").shuffle(ids)
        return [*ids, MISSING_ID, 0, 2**63, 10**20]

    ids = st.fixed_dictionaries({name: st.sampled_from(pool(name)) for name in names})
    return ids.flatmap(
        lambda chosen: operation.as_strategy(generation_mode=mode, path_parameters=chosen))


def _check_policy(world: World, user: Any, operation: Any, case: Any, response: Any) -> None:
    if not 200 <= response.status_code < 300:
        return
    visible = set(cases_visible_to(user).values_list("pk", flat=True))
    for name, value in (case.path_parameters or {}).items():
        case_id = _case_behind(world, operation, name, value)
        if case_id is None or case_id in visible:
            continue
        if operation.path.endswith("/break-glass"):
            continue  # checked before the call: the policy allowed it
        raise AssertionError(
            f"{operation.label} gave {response.status_code} for {name}={value}, of case "
            f"{case_id} that {user.username} may not see")


@dataclass
class Caller:
    role: str
    user: Any
    headers: dict[str, str]
    #: Status codes answered, by operation: to show the run reached real data.
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)


def _call_as(world: World, caller: Caller, operation: Any, case: Any, app: Any) -> None:
    user = caller.user
    # Break-glass may open a case the caller cannot see, but only where the policy lets
    # them: judged on the state before the call.
    allowed = True
    if operation.path.endswith("/break-glass"):
        target = Case.objects.filter(pk=case.path_parameters.get("case_id")).first()
        allowed = target is not None and (
            may_break_glass(user, target) or cases_visible_to(user).filter(pk=target.pk).exists())
    response = case.call(headers=caller.headers, app=app)
    caller.statuses[(operation.label, response.status_code)] += 1
    case.validate_response(response, checks=CHECKS, headers=caller.headers)
    if operation.path.endswith("/break-glass"):
        if 200 <= response.status_code < 300 and not allowed:
            raise AssertionError(f"{operation.label} gave {response.status_code}: broke the "
                                 "glass on a case the policy does not let them open")
    else:
        _check_policy(world, user, operation, case, response)


def _run_operation(world: World, callers: list[Caller], operation: Any, app: Any,
                   mode: GenerationMode, examples: int) -> None:
    """Each generated case is sent by every caller in turn."""

    @hypothesis.settings(max_examples=examples, deadline=None, derandomize=True,
                         database=None, phases=[Phase.explicit, Phase.generate, Phase.shrink],
                         suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=_strategy(world, operation, mode))
    def run(case: Any) -> None:
        for caller in callers:
            try:
                _call_as(world, caller, operation, case, app)
            except (Exception, BaseExceptionGroup) as exc:
                raise AssertionError(f"as {caller.role}: {exc}") from exc

    run()


def test_every_operation_as_every_role(wsgi_app: Any, quiet_requests: None) -> None:
    world = _build_world()
    callers = []
    for area, persona in ROLES:
        staff = world.areas[area][persona]
        token = issue_token(user=staff.user, name="schemathesis")
        callers.append(Caller(f"{area} {persona}", staff.user,
                              {"Authorization": f"Bearer {token}"}))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, examples in ((GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
                               (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)):
            try:
                _run_operation(world, callers, operation, wsgi_app, mode, examples)
            # Schemathesis's FailureGroup is a BaseExceptionGroup: report it with the rest.
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:4000]}")
    assert operations >= 40, f"only {operations} operations in the document"
    assert not failures, f"{len(failures)} failure(s):\n\n" + "\n\n".join(failures)
    for caller in callers:
        # Every role reached real records: a 2xx on an operation naming a record by its id,
        # and a 404 on one it may not see.
        on_records = [(label, status) for (label, status) in caller.statuses if "{" in label]
        assert any(200 <= status < 300 for _, status in on_records), caller.role
        assert any(status == 404 for _, status in on_records), caller.role


# ---- what the run found, pinned ------------------------------------------------------------


def _client(staff: Any) -> Any:
    from django.test import Client

    return Client(headers={"Authorization": f"Bearer {issue_token(user=staff.user, name='t')}"})


def _problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/api/v1/problems/{slug}"
    return body


def test_dates_the_engine_cannot_count_are_a_problem_not_a_server_error() -> None:
    north = build_area("Northshire", "901", "north")
    client = _client(north["school_dsl"])
    for child in ({"family_name": "Hart", "date_of_birth": "2292-02-09"},
                  {"family_name": "Hart", "date_of_birth": "0001-01-01"}):
        body = _problem(client.post("/api/v1/referrals", {"concerns": "Bruises", "child": child},
                                    content_type="application/json"), 400, "invalid-fields")
        assert "outside the dates Safeguard can count" in body["errors"]["dates"]
    assert not Referral.objects.exists()


def test_numbers_too_large_for_the_database_are_a_problem_not_a_server_error() -> None:
    north = build_area("Northshire", "901", "north")
    body = {"started_on": "2026-11-03", "consent_given": True, "consent_from": "parents",
            "consent_given_by": "Jo Hart", "consent_recorded_on": "2026-11-02",
            "needs": "Speech delay", "agency_ids": [2**63],
            "child": {"family_name": "Hart", "date_of_birth": "2019-05-01"}}
    response = _client(north["early_help"]).post("/api/v1/early-help", body,
                                                 content_type="application/json")
    # SQLite cannot bind the number (a bad request); PostgreSQL looks for the agency and
    # finds none (a bad field). Either way a 400 problem document, and nothing recorded.
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] in {"/api/v1/problems/invalid-request",
                                       "/api/v1/problems/invalid-fields"}
    assert not EarlyHelpAssessment.objects.exists()
    body = _problem(_client(north["social_worker"]).get(f"/api/v1/cases?page={10**20}"), 400,
                    "invalid-request")
    assert body["errors"][0]["parameter"] == "page"


def test_every_schema_has_a_name_of_its_own() -> None:
    """Ninja names an OpenAPI component after its class: two classes of one name share one
    component (the early help and protection ``PlanOut`` did), and one operation's responses
    are described by the other's schema."""
    import importlib
    import inspect

    from ninja import Schema

    import safeguard.api.api  # noqa: F401 - mounts every router

    seen: dict[str, str] = {}
    for app in ("cases", "referrals", "protection", "assessments", "earlyhelp", "people"):
        module = importlib.import_module(f"safeguard.{app}.api")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__:
                assert seen.setdefault(name, module.__name__) == module.__name__, (
                    f"{name} is in both {seen[name]} and {module.__name__}")
    assert "PlanOut" in seen and "EarlyHelpPlanOut" in seen
